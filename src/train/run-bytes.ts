/**
 * A trained run from bytes instead of a folder: config.json's text and a weights file's bytes, as
 * a browser fetches them or a user picks them. Pure (no host API), so the browser's engine worker
 * imports it; loadRun (run.ts) reads the same two files from disk.
 */
import { codecPairFromJSON, type CodecPair } from '../data/codec.js';
import { buildModel, type Seq2SeqModel } from '../models/index.js';
import { Rng } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import type { RunConfig } from './checkpoint.js';
import { Translator, type TranslateOptions, type Translation } from './translator.js';
import { loadWeightsFromBytes } from './weights.js';

export interface RunFromBytes {
  config: RunConfig;
  model: Seq2SeqModel;
  codecs: CodecPair;
  translator: Translator;
  /** The file's own metadata (step, best score …). */
  weightsMetadata: Record<string, string>;
  translate(lines: readonly string[], opts?: TranslateOptions): Translation[];
}

/** config.json's text → RunConfig; `label` names the file in errors (a path or URL). */
export function parseRunConfig(text: string, label: string): RunConfig {
  let c: RunConfig;
  try {
    c = JSON.parse(text) as RunConfig;
  } catch (e) {
    throw new UserError(`${label}: the run config is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!c || c.format !== 's2s-run' || c.version !== 1 || !c.model || !c.codecs) {
    throw new UserError(`${label}: not an s2s run config (expected format s2s-run version 1)`);
  }
  return c;
}

/**
 * Builds the model a run's config describes and fills it from safetensors bytes, ready to
 * translate on the current backend. Labels name the sources in errors.
 */
export function loadRunFromBytes(configText: string, weights: Uint8Array, labels: { config?: string; weights?: string } = {}): RunFromBytes {
  const config = parseRunConfig(configText, labels.config ?? 'config.json');
  const codecs = codecPairFromJSON(config.codecs);
  const model = buildModel(config.model, new Rng(0));
  const weightsMetadata = loadWeightsFromBytes(weights, model, labels.weights ?? 'model.safetensors');
  model.eval();
  const translator = new Translator(model, codecs);
  return { config, model, codecs, translator, weightsMetadata, translate: (lines, o) => translator.translate(lines, o) };
}
