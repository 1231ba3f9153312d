import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { codecPairFromJSON, type CodecPair } from '../data/index.js';
import { createBackend } from '../kernels/index.js';
import { buildModel, type Seq2Seq } from '../models/index.js';
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
  dir: string;
  config: RunConfig;
  model: Seq2Seq;
  codecs: CodecPair;
  /** Which weights file was loaded. */
  weightsFile: string;
  translator: Translator;
  translate(lines: readonly string[], opts?: TranslateOptions): Translation[];
}

/** Rebuilds a trained model from a run folder: config.json + weights, ready to translate. */
export async function loadRun(dir: string, opts: LoadRunOptions = {}): Promise<LoadedRun> {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such run folder; give the --out folder of s2s train`);
  const config = readRunConfig(dir);
  if (opts.backend) setBackend(await createBackend({ backend: opts.backend, threads: opts.threads }));
  const codecs = codecPairFromJSON(config.codecs);
  assertCodecsFitModel(join(dir, RUN_FILES.config), config.model, codecs);
  const model = buildModel(config.model, new Rng(0));
  const best = join(dir, RUN_FILES.best);
  const last = join(dir, RUN_FILES.model);
  const weightsFile = (opts.weights ?? 'best') === 'best' && existsSync(best) ? best : last;
  if (!existsSync(weightsFile)) throw new UserError(`${dir}: no weights (${RUN_FILES.best} or ${RUN_FILES.model}); has training saved a checkpoint yet?`);
  loadWeights(weightsFile, model);
  model.eval();
  const translator = new Translator(model, codecs);
  return { dir, config, model, codecs, weightsFile, translator, translate: (lines, o) => translator.translate(lines, o) };
}
