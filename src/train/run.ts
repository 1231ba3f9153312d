import { codecPairFromJSON, type CodecPair } from '../data/codec.js'; // not data/index.js (file readers): loads in a page
import { createBackend } from '../kernels/index.js';
import { buildModel, type Seq2SeqModel } from '../models/index.js';
import { asRunStore } from '../platform/run-folder.js';
import type { RunStore } from '../platform/run-store.js';
import { Rng, setBackend } from '../tensor/index.js';
import { RUN_FILES, assertCodecsFitModel, loadWeights, readRunConfig, type RunConfig } from './checkpoint.js';
import { Translator, type TranslateOptions, type Translation } from './translator.js';
import { UserError } from '../util/errors.js';

export interface LoadRunOptions {
  /** 'best' (default: model.best.safetensors, falling back to model.safetensors) or 'last'. */
  weights?: 'best' | 'last';
  /**
   * Switch the engine to this backend first (tensors live in a backend's memory, so this must
   * happen before any model is built). Default: keep the current backend.
   */
  backend?: 'js' | 'wasm';
  threads?: number;
}

export interface LoadedRun {
  /** The run folder (or the store's location). */
  dir: string;
  store: RunStore;
  config: RunConfig;
  model: Seq2SeqModel;
  codecs: CodecPair;
  /** Which weights file was loaded (its path in the store). */
  weightsFile: string;
  translator: Translator;
  translate(lines: readonly string[], opts?: TranslateOptions): Translation[];
}

/** Rebuilds a trained model from a run folder (or any RunStore): config.json + weights, ready to translate. */
export async function loadRun(run: string | RunStore, opts: LoadRunOptions = {}): Promise<LoadedRun> {
  const store = await asRunStore(run, { create: false });
  const dir = store.location;
  if (store.list().length === 0) throw new UserError(`${dir}: no such run folder; give the --out folder of s2s train`);
  const config = readRunConfig(store);
  if (opts.backend) setBackend(await createBackend({ backend: opts.backend, threads: opts.threads }));
  const codecs = codecPairFromJSON(config.codecs);
  assertCodecsFitModel(store.pathOf(RUN_FILES.config), config.model, codecs);
  const model = buildModel(config.model, new Rng(0));
  const weights = (opts.weights ?? 'best') === 'best' && store.exists(RUN_FILES.best) ? RUN_FILES.best : RUN_FILES.model;
  if (!store.exists(weights)) throw new UserError(`${dir}: no weights (${RUN_FILES.best} or ${RUN_FILES.model}); has training saved a checkpoint yet?`);
  loadWeights(store, weights, model);
  const weightsFile = store.pathOf(weights);
  model.eval();
  const translator = new Translator(model, codecs);
  return { dir, store, config, model, codecs, weightsFile, translator, translate: (lines, o) => translator.translate(lines, o) };
}
