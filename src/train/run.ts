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
  /** 'best' (default: model.best.safetensors, falling back to model.safetensors), 'last' (model.safetensors) or 'average' (model.average.safetensors, written by `s2s average`). */
  weights?: 'best' | 'last' | 'average';
  /**
   * Switch the engine to this backend first (tensors live in a backend's memory, so this must
   * happen before any model is built). Default: keep the current backend.
   */
  backend?: 'js' | 'wasm';
  threads?: number;
}

/** A run's files, read without building the model: what a process that only tokenizes needs. */
export interface OpenedRun {
  /** The run folder (or the store's location). */
  dir: string;
  store: RunStore;
  config: RunConfig;
  codecs: CodecPair;
  /** The weights file the options choose: its name in the store, and its path (for messages). */
  weightsName: string;
  weightsFile: string;
}

export interface LoadedRun extends OpenedRun {
  model: Seq2SeqModel;
  translator: Translator;
  translate(lines: readonly string[], opts?: TranslateOptions): Translation[];
}

/**
 * Reads a run's config and codecs and picks its weights file, without building the model or
 * touching the engine (the server's HTTP thread tokenizes with it; a decode worker loads the weights).
 */
export async function openRun(run: string | RunStore, opts: Pick<LoadRunOptions, 'weights'> = {}): Promise<OpenedRun> {
  const store = await asRunStore(run, { create: false });
  const dir = store.location;
  if (store.list().length === 0) throw new UserError(`${dir}: no such run folder; give the --out folder of s2s train`);
  const config = readRunConfig(store);
  const codecs = codecPairFromJSON(config.codecs);
  assertCodecsFitModel(store.pathOf(RUN_FILES.config), config.model, codecs);
  const which = opts.weights ?? 'best';
  if (which === 'average' && !store.exists(RUN_FILES.average)) {
    throw new UserError(`${dir}: no ${RUN_FILES.average}; write it with: s2s average --model ${dir} (the run needs --keep-checkpoints N)`);
  }
  const weights = which === 'average' ? RUN_FILES.average : which === 'best' && store.exists(RUN_FILES.best) ? RUN_FILES.best : RUN_FILES.model;
  if (!store.exists(weights)) throw new UserError(`${dir}: no weights (${RUN_FILES.best} or ${RUN_FILES.model}); has training saved a checkpoint yet?`);
  return { dir, store, config, codecs, weightsName: weights, weightsFile: store.pathOf(weights) };
}

/**
 * Runs `load` with the backend given, or — none given — with wasm, falling back to js where wasm
 * does not load. A UserError (a bad run folder, a missing file) is not the engine's: it is thrown
 * as it is, not retried.
 */
export async function withBackendFallback<T>(backend: 'js' | 'wasm' | undefined, load: (backend: 'js' | 'wasm') => Promise<T>): Promise<T> {
  return load(backend ?? 'wasm').catch((e: unknown) => {
    if (backend !== undefined || e instanceof UserError) throw e;
    return load('js');
  });
}

/** Rebuilds a trained model from a run folder (or any RunStore): config.json + weights, ready to translate. */
export async function loadRun(run: string | RunStore, opts: LoadRunOptions = {}): Promise<LoadedRun> {
  const opened = await openRun(run, opts);
  if (opts.backend) setBackend(await createBackend({ backend: opts.backend, threads: opts.threads }));
  const model = buildModel(opened.config.model, new Rng(0));
  loadWeights(opened.store, opened.weightsName, model);
  model.eval();
  const translator = new Translator(model, opened.codecs);
  return { ...opened, model, translator, translate: (lines, o) => translator.translate(lines, o) };
}
