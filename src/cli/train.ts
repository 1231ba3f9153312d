import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildCodecs, loadCodecs, newReadStats, readTsv, targetRightToLeft, type CodecPair, type TextPair } from '../data/index.js';
import { createBackend } from '../kernels/index.js';
import { ACTIVATIONS, ATTENTION_KINDS, type CellKind } from '../nn/index.js';
import { MODEL_ARCHS, SEQ2SEQ_DEFAULTS, TRANSFORMER_DEFAULTS, type PartialModelConfig } from '../models/index.js';
import { METRIC_NAMES } from '../metrics/index.js';
import { openRunFolder } from '../platform/node-run-store.js';
import { setBackend } from '../tensor/index.js';
import {
  ADAMW_DEFAULT_WEIGHT_DECAY, DEFAULT_BATCH_TOKENS, DEFAULT_WARMUP, DEFAULT_MAX_EPOCHS, DEFAULT_MAX_LEN, OPTIMIZERS, SCHEDULES, TRAIN_DEFAULTS, TRANSFORMER_TRAIN_DEFAULTS,
  trainRun, checkNewRunFolder, assertResumable, savedTraining, readRunConfig, RUN_FILES,
} from '../train/index.js';
import { UserError } from '../util/errors.js';
import { helpText, oneOf, parseFlags, type FlagSpec, type FlagValues } from './args.js';

const SPECS: Record<string, FlagSpec> = {
  train: { type: 'string', help: 'training pairs: TSV source<TAB>target, tokens separated by spaces (with --data: default DATA/train.tsv)' },
  valid: { type: 'string', help: 'validation pairs, same format (with --data: default DATA/valid.tsv)' },
  out: { type: 'string', help: 'run folder to write (config.json, model.safetensors, log.jsonl, …)' },
  data: { type: 'string', help: 'a folder from s2s prepare: its codecs.json tokenizes the TSV files' },
  arch: { type: 'string', default: SEQ2SEQ_DEFAULTS.arch, help: `model: ${MODEL_ARCHS.join('|')} (an RNN encoder-decoder with that cell, or the Transformer)` },
  attention: { type: 'string', default: SEQ2SEQ_DEFAULTS.attention, help: 'RNN attention: none|bahdanau|dot|general' },
  layers: { type: 'int', min: 1, help: `encoder and decoder layers (default ${SEQ2SEQ_DEFAULTS.layers}; transformer ${TRANSFORMER_DEFAULTS.layers})` },
  'enc-layers': { type: 'int', min: 1, help: 'encoder layers (instead of --layers)' },
  'dec-layers': { type: 'int', min: 1, help: 'decoder layers (default: the encoder\'s)' },
  bidirectional: { type: 'bool', default: SEQ2SEQ_DEFAULTS.bidirectional, help: 'RNN: bidirectional encoder (--bidirectional=false for one direction)' },
  emb: { type: 'int', min: 1, default: SEQ2SEQ_DEFAULTS.emb, help: 'embedding width (the Transformer\'s model width d)' },
  hidden: { type: 'int', min: 1, default: SEQ2SEQ_DEFAULTS.hidden, help: 'RNN: model width (encoder output, decoder state)' },
  heads: { type: 'int', min: 1, help: `transformer: attention heads, dividing --emb (default ${TRANSFORMER_DEFAULTS.heads})` },
  ffn: { type: 'int', min: 1, help: `transformer: feed-forward inner width (default ${TRANSFORMER_DEFAULTS.ffn})` },
  activation: { type: 'string', help: `transformer: feed-forward activation ${ACTIVATIONS.join('|')} (default ${TRANSFORMER_DEFAULTS.activation})` },
  'post-norm': { type: 'bool', help: 'transformer: LayerNorm after each residual add (the 2017 paper) instead of before each sub-layer' },
  'learned-positions': { type: 'bool', help: 'transformer: learned position embeddings instead of sinusoidal ones' },
  'max-positions': { type: 'int', min: 1, help: `transformer, learned positions: the longest sequence (default ${TRANSFORMER_DEFAULTS.maxPositions})` },
  dropout: { type: 'number', min: 0, below: 1, help: `dropout probability (default ${SEQ2SEQ_DEFAULTS.dropout}; transformer ${TRANSFORMER_DEFAULTS.dropout}: embeddings and residuals)` },
  'attention-dropout': { type: 'number', min: 0, below: 1, help: `transformer: dropout on the attention weights (default ${TRANSFORMER_DEFAULTS.attentionDropout})` },
  'activation-dropout': { type: 'number', min: 0, below: 1, help: `transformer: dropout inside the feed-forward blocks (default ${TRANSFORMER_DEFAULTS.activationDropout})` },
  'tie-embeddings': { type: 'bool', help: 'share the target embedding with the output layer (RNN default off, an out_proj hidden→emb is added when emb ≠ hidden; transformer default on, --tie-embeddings=false unties)' },
  'right-to-left': { type: 'bool', help: 'train the model to write its output last token first (its text still reads left to right); such a run re-ranks a left-to-right model\'s n-best lists: s2s translate --rescore RUN' },
  'share-embeddings': { type: 'bool', help: 'transformer: one embedding table for source and target (default: on when the data has a shared vocabulary, s2s prepare --shared-vocab)' },
  'label-smoothing': { type: 'number', min: 0, below: 1, default: TRAIN_DEFAULTS.labelSmoothing, help: `label smoothing ε (transformer: ${TRANSFORMER_TRAIN_DEFAULTS.labelSmoothing})` },
  'batch-tokens': { type: 'int', min: 1, help: `padded tokens per batch (default ${DEFAULT_BATCH_TOKENS})` },
  'batch-size': { type: 'int', min: 1, help: 'sentences per batch (instead of, or as a cap on, --batch-tokens)' },
  lr: { type: 'number', above: 0, default: TRAIN_DEFAULTS.lr, help: `learning rate (peak lr for noam and inverse_sqrt; transformer: ${TRANSFORMER_TRAIN_DEFAULTS.lr})` },
  optim: { type: 'string', default: TRAIN_DEFAULTS.optim, help: `optimizer: ${OPTIMIZERS.join('|')}` },
  'weight-decay': { type: 'number', min: 0, default: TRAIN_DEFAULTS.weightDecay, help: `weight decay (adamw default ${ADAMW_DEFAULT_WEIGHT_DECAY})` },
  momentum: { type: 'number', min: 0, below: 1, default: TRAIN_DEFAULTS.momentum, help: 'SGD momentum' },
  schedule: { type: 'string', default: TRAIN_DEFAULTS.schedule, help: `lr schedule: ${SCHEDULES.join('|')} (transformer: ${TRANSFORMER_TRAIN_DEFAULTS.schedule}, inverse square root after linear warm-up; linear, cosine: down to 0 over --max-steps/--max-time/--max-epochs)` },
  warmup: { type: 'int', min: 0, help: `warm-up steps (noam, inverse_sqrt: default ${DEFAULT_WARMUP}, transformer ${TRANSFORMER_TRAIN_DEFAULTS.warmup}; linear, cosine: default 0)` },
  'warmup-init-lr': { type: 'number', min: 0, default: TRAIN_DEFAULTS.warmupInitLr, help: 'inverse_sqrt: lr of the first update, rising linearly to --lr (fairseq)' },
  decay: { type: 'number', above: 0, max: 1, default: TRAIN_DEFAULTS.decay, help: 'step/plateau: lr multiplier' },
  'decay-steps': { type: 'int', min: 1, default: TRAIN_DEFAULTS.decaySteps, help: 'step: decay every N steps' },
  clip: { type: 'number', min: 0, default: TRAIN_DEFAULTS.clip, help: 'gradient-norm clipping (0: off)' },
  'valid-every': { type: 'int', min: 0, default: TRAIN_DEFAULTS.validEvery, help: 'validate and checkpoint every N steps (0: every epoch)' },
  'valid-decode': { type: 'int', min: 0, default: TRAIN_DEFAULTS.validDecode, help: 'validation sentences decoded for exact match / --metric' },
  'log-every': { type: 'int', min: 0, default: TRAIN_DEFAULTS.logEvery, help: 'write a log.jsonl line every N steps' },
  patience: { type: 'int', min: 0, default: TRAIN_DEFAULTS.patience, help: 'stop after N validations without improvement (0: never)' },
  metric: { type: 'string', help: `validation metric on greedy decodes, also the early-stopping criterion: ${METRIC_NAMES.join('|')}` },
  'max-steps': { type: 'int', min: 0, default: TRAIN_DEFAULTS.maxSteps, help: 'stop after N steps (0: no limit)' },
  'max-epochs': { type: 'int', min: 0, default: TRAIN_DEFAULTS.maxEpochs, help: `stop after N epochs (default ${DEFAULT_MAX_EPOCHS} when no limit is given)` },
  'max-time': { type: 'number', min: 0, default: TRAIN_DEFAULTS.maxTime, help: 'stop after SEC seconds of training' },
  'max-len': { type: 'int', min: 0, default: DEFAULT_MAX_LEN, help: 'drop training pairs longer than N tokens on either side (0: keep all)' },
  'max-nan': { type: 'int', min: 1, default: TRAIN_DEFAULTS.maxNan, help: 'stop after N non-finite losses in a row' },
  'keep-checkpoints': { type: 'int', min: 0, default: TRAIN_DEFAULTS.keepCheckpoints, help: 'also keep the weights of the last N checkpoints (model.step-STEP.safetensors) for s2s average (0: none)' },
  seed: { type: 'int', min: 0, max: 4294967295, default: TRAIN_DEFAULTS.seed, help: 'random seed (init, dropout, data order)' },
  threads: { type: 'int', min: 1, max: 256, help: 'threads for the wasm backend (default: all cores)' },
  backend: { type: 'string', help: 'js|wasm (default: wasm where it loads)' },
  'skip-bad-lines': { type: 'bool', help: 'count and skip malformed TSV lines instead of stopping (the count goes to stderr)' },
  resume: { type: 'bool', help: 'continue the run in --out exactly where it stopped, with its saved flags (flags given again override them)' },
  overwrite: { type: 'bool', help: 'start a new run in an --out that holds an earlier run or model (its run files are removed; a folder that is not an s2s run is never written)' },
  progress: { type: 'bool', help: 'force the progress bar on (default: when stderr is a terminal)' },
  help: { type: 'bool', help: 'show this help' },
};

const CMD = 'train';

function int(flags: FlagValues, name: string): number | undefined {
  const v = flags[name];
  return typeof v === 'number' ? v : undefined;
}

async function readTsvPairs(file: string, skipBadLines: boolean): Promise<TextPair[]> {
  const out: TextPair[] = [];
  const stats = newReadStats();
  for await (const p of readTsv(file, { skipBadLines, stats })) out.push({ src: p.src, tgt: p.tgt });
  if (stats.badLines > 0) {
    const first = (stats.badExamples[0] ?? '').replace(/; [^;]*--skip-bad-lines$/, '');
    process.stderr.write(`warning: ${file}: skipped ${stats.badLines} malformed line${stats.badLines === 1 ? '' : 's'} (first: ${first})\n`);
  }
  return out;
}

/** The flag names written on the command line (parseFlags fills in defaults, so they are not visible there). */
function explicitFlags(argv: string[]): Set<string> {
  const names = new Set<string>();
  for (const a of argv) if (a.startsWith('--')) names.add(a.slice(2).split('=')[0]!);
  return names;
}

/** The flags that only the Transformer reads, and those only the RNN models read. */
const TRANSFORMER_ONLY = ['heads', 'ffn', 'activation', 'post-norm', 'learned-positions', 'max-positions', 'attention-dropout', 'activation-dropout', 'share-embeddings'];
const RNN_ONLY = ['attention', 'bidirectional', 'hidden'];

/**
 * The architecture fields the model flags give (only the flags written on the command line: the
 * rest come from the architecture's defaults, or from the saved run on --resume). A flag of the
 * other family is a mistake, not something to ignore.
 */
function modelFlags(flags: FlagValues, given: Set<string>, arch: string | undefined, flag: <T>(name: string, v: T) => T | undefined): PartialModelConfig {
  const transformer = arch === 'transformer';
  for (const name of transformer ? RNN_ONLY : TRANSFORMER_ONLY) {
    if (given.has(name)) {
      throw new UserError(transformer
        ? `s2s ${CMD}: --${name} is a flag of the RNN models (--arch lstm|gru|rnn); the Transformer's width is --emb (with --heads, --ffn)`
        : `s2s ${CMD}: --${name} is a flag of the Transformer; give --arch transformer, or drop --${name}`);
    }
  }
  if (given.has('layers') && given.has('enc-layers')) throw new UserError(`s2s ${CMD}: --layers and --enc-layers both set the encoder's layers; give one of them`);
  const layers = flag('layers', int(flags, 'layers')) ?? flag('enc-layers', int(flags, 'enc-layers'));
  const decoderLayers = flag('dec-layers', int(flags, 'dec-layers')) ?? (given.has('layers') ? layers : undefined);
  const common = {
    layers, decoderLayers, emb: flag('emb', int(flags, 'emb')), dropout: flag('dropout', flags['dropout'] as number | undefined),
    tieEmbeddings: flag('tie-embeddings', flags['tie-embeddings'] === true),
  };
  if (transformer) {
    return {
      ...common, arch: 'transformer', heads: flag('heads', int(flags, 'heads')), ffn: flag('ffn', int(flags, 'ffn')),
      activation: given.has('activation') ? oneOf(CMD, 'activation', flags['activation'], ACTIVATIONS) : undefined,
      postNorm: flag('post-norm', flags['post-norm'] === true),
      positions: given.has('learned-positions') ? (flags['learned-positions'] === true ? 'learned' : 'sinusoidal') : undefined,
      maxPositions: flag('max-positions', int(flags, 'max-positions')),
      attentionDropout: flag('attention-dropout', flags['attention-dropout'] as number | undefined),
      activationDropout: flag('activation-dropout', flags['activation-dropout'] as number | undefined),
      shareEmbeddings: flag('share-embeddings', flags['share-embeddings'] === true),
    };
  }
  return {
    ...common, arch: arch as CellKind | undefined,
    attention: given.has('attention') ? oneOf(CMD, 'attention', flags['attention'], ATTENTION_KINDS) : undefined,
    bidirectional: flag('bidirectional', flags['bidirectional'] === true), hidden: flag('hidden', int(flags, 'hidden')),
  };
}

export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'train an encoder-decoder model', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s ${CMD}: unexpected argument '${rest[0]}'; flags start with --`);
  const out = flags['out'];
  if (typeof out !== 'string' || out === '') throw new UserError(`s2s ${CMD}: --out is required (the run folder to write)`);
  const resume = flags['resume'] === true;
  if (resume && flags['overwrite'] === true) throw new UserError(`s2s ${CMD}: --resume continues the run in ${out} and --overwrite replaces it; give one of them`);
  const given = explicitFlags(argv);
  // On --resume the run's saved config decides every flag not given again on this command line.
  const saved: Record<string, unknown> = {};
  let savedArch: string | undefined;
  if (resume) {
    const store = openRunFolder(out, { create: false });
    assertResumable(store, CMD);
    Object.assign(saved, savedTraining(store));
    const config = readRunConfig(store);
    savedArch = config.model.arch;
    // The direction is in the run's codecs; a resumed run keeps it.
    if (given.has('right-to-left') && (flags['right-to-left'] === true) !== (config.codecs.tgt.reverse === true)) {
      throw new UserError(`s2s ${CMD}: ${out} was trained ${config.codecs.tgt.reverse === true ? 'right to left' : 'left to right'}; a resumed run keeps its direction (drop --right-to-left${flags['right-to-left'] === true ? '' : '=false'}, or train a new run)`);
    }
  }
  const savedData = (saved['data'] ?? {}) as { train?: unknown; valid?: unknown; dir?: unknown };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  /** A limit's value: on resume only when given explicitly (undefined → the saved value). */
  const opt = <T>(name: string, v: T): T | undefined => (!resume || given.has(name) ? v : undefined);
  /**
   * Any other flag's value only when given: undefined leaves the field to the saved run (resume)
   * or to the defaults of the architecture (a Transformer's lr, schedule, layers … differ from
   * the RNN's, see TRANSFORMER_DEFAULTS and TRANSFORMER_TRAIN_DEFAULTS).
   */
  const flag = <T>(name: string, v: T): T | undefined => (given.has(name) ? v : undefined);
  const dataDir = str(flags['data']) ?? (resume ? str(savedData.dir) : undefined);
  let trainFile = str(flags['train']);
  let validFile = str(flags['valid']);
  if (dataDir) {
    if (!existsSync(join(dataDir, 'codecs.json'))) throw new UserError(`s2s ${CMD}: ${dataDir}/codecs.json not found; run s2s prepare --out ${dataDir} first`);
    if (!resume || given.has('data')) {
      trainFile ??= join(dataDir, 'train.tsv');
      validFile ??= join(dataDir, 'valid.tsv');
    }
  }
  if (resume) {
    trainFile ??= str(savedData.train);
    validFile ??= str(savedData.valid);
  }
  if (!trainFile) throw new UserError(`s2s ${CMD}: --train is required (TSV source<TAB>target), or --data DATA from s2s prepare`);
  if (!validFile) throw new UserError(`s2s ${CMD}: --valid is required (TSV source<TAB>target), or --data DATA from s2s prepare`);

  const arch = oneOf(CMD, 'arch', flags['arch'], MODEL_ARCHS);
  const optim = oneOf(CMD, 'optim', flags['optim'], OPTIMIZERS);
  const schedule = oneOf(CMD, 'schedule', flags['schedule'], SCHEDULES);
  const backendFlag = flags['backend'] ?? (resume ? str(saved['backend']) : undefined);
  const backendName = backendFlag === undefined ? undefined : oneOf(CMD, 'backend', backendFlag, ['js', 'wasm'] as const);
  const metric = typeof flags['metric'] === 'string' ? oneOf(CMD, 'metric', flags['metric'], METRIC_NAMES) : undefined;
  // Numeric flags are range-checked by parseFlags (each SPECS entry declares its range).
  const ls = flags['label-smoothing'] as number;
  const skipBadLines = given.has('skip-bad-lines') || !resume ? flags['skip-bad-lines'] === true : saved['skipBadLines'] === true;

  // Refuse a folder a new run must not write to before reading any data (trainRun checks again).
  if (!resume) checkNewRunFolder(openRunFolder(out, { create: false }), flags['overwrite'] === true);
  const [trainPairs, validPairs] = [await readTsvPairs(trainFile, skipBadLines), await readTsvPairs(validFile, skipBadLines)];
  if (trainPairs.length === 0) throw new UserError(`${trainFile}: no training pairs; expected lines source<TAB>target`);

  let codecs: CodecPair | undefined;
  if (!resume) codecs = dataDir ? await loadCodecs(join(dataDir, 'codecs.json')) : buildCodecs(trainPairs, { tokenizer: 'space' });
  if (codecs && flags['right-to-left'] === true) codecs = targetRightToLeft(codecs);

  const maxSteps = opt('max-steps', int(flags, 'max-steps') ?? TRAIN_DEFAULTS.maxSteps);
  const maxTime = opt('max-time', int(flags, 'max-time') ?? TRAIN_DEFAULTS.maxTime);
  let maxEpochs = opt('max-epochs', int(flags, 'max-epochs') ?? TRAIN_DEFAULTS.maxEpochs);
  // The 10-epoch default applies when no limit is given; it is remembered so a resume that sets a new limit drops it.
  let epochsDefaulted = resume ? saved['epochsDefaulted'] === true : false;
  if (!resume && maxSteps === 0 && maxTime === 0 && maxEpochs === 0) {
    maxEpochs = DEFAULT_MAX_EPOCHS;
    epochsDefaulted = true;
  }
  if (resume && epochsDefaulted && (given.has('max-steps') || given.has('max-time')) && !given.has('max-epochs')) {
    maxEpochs = 0;
    epochsDefaulted = false;
  }
  if (resume && given.has('max-epochs')) epochsDefaulted = false;

  const threads = int(flags, 'threads') ?? (resume && typeof saved['threads'] === 'number' ? saved['threads'] : undefined);
  setBackend(await createBackend({ backend: backendName, threads }));
  const showBar = flags['progress'] === true ? true : undefined;
  const say = (m: string): void => void process.stderr.write(m + '\n');
  const maxLen = opt('max-len', int(flags, 'max-len'));
  const result = await trainRun({
    out, codecs, train: trainPairs, valid: validPairs, resume, overwrite: flags['overwrite'] === true,
    model: modelFlags(flags, given, resume ? (given.has('arch') ? arch : savedArch) : arch, flag),
    options: {
      batchTokens: flag('batch-tokens', int(flags, 'batch-tokens')), batchSize: flag('batch-size', int(flags, 'batch-size')), optim: flag('optim', optim),
      lr: flag('lr', flags['lr'] as number), weightDecay: flag('weight-decay', flags['weight-decay'] as number), momentum: flag('momentum', flags['momentum'] as number),
      schedule: flag('schedule', schedule), warmup: flag('warmup', int(flags, 'warmup')), warmupInitLr: flag('warmup-init-lr', flags['warmup-init-lr'] as number), decay: flag('decay', flags['decay'] as number),
      decaySteps: flag('decay-steps', int(flags, 'decay-steps')), clip: flag('clip', flags['clip'] as number), labelSmoothing: flag('label-smoothing', ls),
      validEvery: flag('valid-every', int(flags, 'valid-every')), validDecode: flag('valid-decode', int(flags, 'valid-decode')), logEvery: flag('log-every', int(flags, 'log-every')),
      patience: flag('patience', int(flags, 'patience')), maxSteps, maxEpochs, maxTime, seed: flag('seed', int(flags, 'seed')), metric: flag('metric', metric),
      maxNan: flag('max-nan', int(flags, 'max-nan')), keepCheckpoints: flag('keep-checkpoints', int(flags, 'keep-checkpoints')),
    },
    maxLen,
    handleSignals: true,
    progress: showBar,
    extra: { data: { train: trainFile, valid: validFile, dir: dataDir ?? null }, skipBadLines, epochsDefaulted },
  });
  if (result.dropped > 0) say(`note: ${result.dropped} training pairs longer than --max-len ${maxLen ?? saved['maxLen'] ?? DEFAULT_MAX_LEN} tokens were left out`);
  const best = result.bestScore === null ? 'none' : `${result.bestScore.toFixed(4)} at step ${result.bestStep}`;
  switch (result.reason) {
    case 'SIGINT':
    case 'SIGTERM':
      say(`stopped by ${result.reason} at step ${result.step}; saved ${out}. Continue with: s2s train --out ${out} --resume`);
      break;
    case 'nan': {
      const good = existsSync(join(out, RUN_FILES.model)) ? ` The last good checkpoint is in ${out}` : '';
      say(`error: the loss was not finite ${savedTraining(openRunFolder(out, { create: false }))['maxNan'] ?? TRAIN_DEFAULTS.maxNan} steps in a row (step ${result.step}); lower --lr, set --clip, or check the data.${good}`);
      break;
    }
    default:
      say(`done (${result.reason}) after ${result.step} steps, ${result.epoch} epochs; best ${(savedTraining(openRunFolder(out, { create: false }))['metric'] as string | undefined) ?? 'valid loss'} ${best}; model in ${out}`);
  }
  return result.exitCode;
}
