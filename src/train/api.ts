// The codec module itself, not data/index.js: that also loads the file readers (node:fs), and this must load in a page.
import { codecPairToJSON, type CodecPair } from '../data/codec.js';
import type { TextPair } from '../data/types.js';
import { buildModel, isTransformerConfig, type PartialModelConfig, type Seq2SeqModel } from '../models/index.js';
import { asRunStore } from '../platform/run-folder.js';
import type { RunStore } from '../platform/run-store.js';
import { backend, Rng } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import type { Example } from './batching.js';
import { writeRunConfig, type RunConfig } from './checkpoint.js';
import { checkNewRunFolder, clearRunFiles } from './run-folder-check.js';
import { DEFAULT_MAX_EPOCHS, DEFAULT_MAX_LEN, hasBudget, isBudgetSchedule, resolveTrainOptions, trainDefaultsFor, type TrainOptions } from './options.js';
import { resumeRunConfig } from './resume.js';
import { Trainer, type StepInfo, type TrainResult, type ValidResult } from './trainer.js';
import { greedyIds } from './translator.js';

export interface TrainSpec {
  /** The run folder (created when missing), or a RunStore (e.g. MemoryRunStore to train in a page). */
  out: string | RunStore;
  /** Codecs for a new run; a resumed run uses the ones in RUN/config.json. */
  codecs?: CodecPair;
  train: readonly TextPair[];
  valid: readonly TextPair[];
  /**
   * Architecture (vocabulary sizes come from the codecs; a Transformer over a shared vocabulary
   * shares its source and target embeddings unless shareEmbeddings is false). On resume
   * RUN/config.json decides; a field given here that differs is a UserError.
   */
  model?: PartialModelConfig;
  /**
   * Training options; fields left undefined take the architecture's defaults (trainDefaultsFor:
   * a Transformer trains with warm-up and label smoothing). On resume, the run's saved options
   * (config.json `training`) fill them.
   */
  options?: Partial<TrainOptions>;
  /** Continue the run in `out` exactly where it stopped. */
  resume?: boolean;
  /**
   * Start a new run in a folder that holds an earlier run or exported model (its run files are
   * removed first; other files are left alone). Without it such a folder is refused. A folder
   * that is not an s2s run is refused either way.
   */
  overwrite?: boolean;
  /** Drop training pairs with more tokens than this on either side (default 250, or the saved value on resume; 0 keeps all). */
  maxLen?: number;
  /** Stop cleanly on SIGINT/SIGTERM (save, then resolve with reason SIGINT/SIGTERM). Default false. */
  handleSignals?: boolean;
  progress?: boolean;
  say?: (message: string) => void;
  onStep?: (info: StepInfo) => void;
  onValid?: (v: ValidResult) => void;
  /** Called with the Trainer before it starts (a page's stop button calls its requestStop). */
  onTrainer?: (trainer: Trainer) => void;
  /** Extra fields for config.json's `training` (e.g. the data files). */
  extra?: Record<string, unknown>;
}

export interface TrainRunResult extends TrainResult {
  model: Seq2SeqModel;
  codecs: CodecPair;
  /** Training pairs dropped for length. */
  dropped: number;
}

/** Text pairs → id examples through the codecs; pairs longer than maxLen tokens are dropped. */
export function encodePairs(pairs: readonly TextPair[], codecs: CodecPair, maxLen = 0): { examples: Example[]; refs: string[]; dropped: number } {
  const examples: Example[] = [];
  const refs: string[] = [];
  let dropped = 0;
  for (const p of pairs) {
    const e = { src: codecs.src.encode(p.src), tgt: codecs.tgt.encode(p.tgt) };
    if (maxLen > 0 && (e.src.length > maxLen || e.tgt.length > maxLen)) {
      dropped++;
      continue;
    }
    examples.push(e);
    refs.push(p.tgt);
  }
  return { examples, refs, dropped };
}

/** The architecture with the codecs' vocabulary sizes (and, for a Transformer over one shared vocabulary, shared embeddings unless told otherwise). */
function withVocab(model: PartialModelConfig, codecs: CodecPair): PartialModelConfig {
  const sizes = { srcVocab: codecs.src.vocab.size, tgtVocab: codecs.tgt.vocab.size };
  if (isTransformerConfig(model)) return { ...model, ...sizes, arch: 'transformer', shareEmbeddings: model.shareEmbeddings ?? codecs.shared };
  return { ...model, ...sizes } as PartialModelConfig;
}

/**
 * Trains (or resumes) a model run end to end: builds the model from the seed, writes
 * RUN/config.json, and runs the Trainer. Returns why it stopped and the trained model.
 */
export async function trainRun(spec: TrainSpec): Promise<TrainRunResult> {
  let options: TrainOptions = resolveTrainOptions(trainDefaultsFor(spec.model?.arch), spec.options ?? {});
  // A budget schedule (the default) falls to 0 over the run's limit: with none given, the run gets
  // the CLI's, DEFAULT_MAX_EPOCHS epochs (a resumed run keeps its saved limits).
  if (!spec.resume && isBudgetSchedule(options.schedule) && !hasBudget(options)) {
    options = { ...options, maxEpochs: DEFAULT_MAX_EPOCHS };
  }
  let maxLen = spec.maxLen ?? DEFAULT_MAX_LEN;
  // Opened without creating the folder: a mistake found below (e.g. --max-len) leaves no folder behind.
  let store = await asRunStore(spec.out, { create: false });
  const out = store.location;
  let clear = false;
  let config: RunConfig;
  let codecs: CodecPair;
  if (spec.resume && spec.overwrite) throw new UserError(`${out}: --resume continues the run there and --overwrite replaces it; give one of them`);
  if (spec.resume) {
    const resumed = resumeRunConfig(store, { options: spec.options, model: spec.model, maxLen: spec.maxLen });
    ({ codecs, options } = resumed);
    maxLen = resumed.maxLen ?? DEFAULT_MAX_LEN;
    config = { ...resumed.config, training: { ...resumed.saved, ...options, maxLen, backend: backend().name, threads: backend().threads, ...spec.extra } };
  } else {
    if (!spec.codecs) throw new UserError('train: codecs are needed for a new run');
    clear = checkNewRunFolder(store, spec.overwrite === true).kind !== 'empty';
    codecs = spec.codecs;
    const model = buildModel(withVocab(spec.model ?? {}, codecs), new Rng(options.seed));
    config = {
      format: 's2s-run', version: 1, model: model.config, codecs: codecPairToJSON(codecs),
      training: { ...options, maxLen, backend: backend().name, threads: backend().threads, ...spec.extra }, created: new Date().toISOString(),
    };
  }
  // Encoded before config.json is written: a length limit that leaves nothing to train on is a
  // mistake to report now, not a run that ends at once with no weights.
  const train = encodePairs(spec.train, codecs, maxLen);
  if (train.examples.length === 0 && spec.train.length > 0) {
    throw new UserError(`train: --max-len ${maxLen} drops all ${spec.train.length} training pairs (each has a side longer than ${maxLen} tokens); raise --max-len, or give --max-len 0 to keep every pair`);
  }
  if (typeof spec.out === 'string') store = await asRunStore(spec.out);
  if (clear) clearRunFiles(store);
  writeRunConfig(store, config);
  // Built from the seed in both cases, so a resumed run's Rng and parameters start as the original's did.
  const rng = new Rng(options.seed);
  const model = buildModel(config.model, rng);
  const valid = encodePairs(spec.valid, codecs, 0);
  const trainer = new Trainer({
    model, rng, store, train: train.examples, valid: valid.examples, validRefs: valid.refs,
    tgtDecode: (ids) => codecs.tgt.decode(ids), greedy: greedyIds, options, resume: spec.resume,
    progress: spec.progress, say: spec.say, onStep: spec.onStep, onValid: spec.onValid,
  });
  spec.onTrainer?.(trainer);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(sig === 'SIGTERM' ? 143 : 130); // a second Ctrl-C: the files on disk are whole anyway
    trainer.requestStop(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  };
  if (spec.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const result = await trainer.run();
    return { ...result, model, codecs, dropped: train.dropped };
  } finally {
    if (spec.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
