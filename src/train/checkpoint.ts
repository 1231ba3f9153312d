import type { CodecPairJSON } from '../data/codec.js';
import type { ModelConfig } from '../models/model.js';
import type { Module } from '../nn/index.js';
import type { RunStore } from '../platform/run-store.js';
import type { Optimizer, OptimizerState } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
// safetensors-decode, not safetensors.js: the latter reads files (node:fs), and a page trains with this module too
import { decodeSafetensors, type SafetensorsFile } from '../util/safetensors-decode.js';
import type { SafeTensorInput } from '../util/safetensors.js';
import { encodeSafetensors } from '../util/safetensors-encode.js';
import { MANIFEST_FILE } from './checkpoint-manifest.js';
import { loadWeightsFromBytes } from './weights.js';

export { loadWeightsFromBytes, assertCodecsFitModel } from './weights.js';

/**
 * The files of a model run (RUN/), read and written through a RunStore (a folder in Node, memory
 * in a page):
 *
 *   config.json               RunConfig: model architecture, both codecs (tokenizer + vocabulary), training options
 *   model.safetensors         the latest weights (written at every validation, on stop and at the end)
 *   model.best.safetensors    the weights that scored best on validation (what `loadRun` uses by default)
 *   train-state.json          TrainState: step, epoch, data position, RNG, optimizer step/lr, schedule, early stopping
 *   train-state.safetensors   optimizer slots (Adam m/v, SGD velocity) as `<slot>.<parameter name>`
 *   checkpoint.json           the manifest that makes the four files above one checkpoint (checkpoint-manifest.ts)
 *   log.jsonl                 one JSON line per logged step and per validation (appended; rewritten on resume)
 *
 * Every file is replaced atomically; model.safetensors, train-state.* and the best weights are
 * committed together as one checkpoint of one step (see commitCheckpoint).
 */

export const RUN_FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  best: 'model.best.safetensors',
  state: 'train-state.json',
  stateTensors: 'train-state.safetensors',
  manifest: MANIFEST_FILE,
  log: 'log.jsonl',
} as const;

export interface RunConfig {
  format: 's2s-run';
  version: 1;
  /** The full (resolved) model config. */
  model: ModelConfig;
  codecs: CodecPairJSON;
  /** The training options of the run (rewritten on resume with the options in force; --resume takes them from here unless flags override them). */
  training: Record<string, unknown>;
  created: string;
}

/** What train-state.json holds; with train-state.safetensors and model.safetensors it is a full resume point. */
export interface TrainState {
  format: 's2s-train-state';
  version: 1;
  /** Batches taken so far (updates + skipped non-finite ones). */
  step: number;
  /** Current epoch (0-based) and the index of the next batch in its plan (see planEpoch). */
  epoch: number;
  batchInEpoch: number;
  /** The model RNG's state (dropout), Rng.getState(). */
  rng: number[];
  optimizer: { kind: string; step: number; lr: number };
  schedule: Record<string, number>;
  /** Early stopping: best validation score so far (null before the first), its step, validations since. */
  best: { score: number | null; step: number; criterion: string };
  badValidations: number;
  /** Consecutive non-finite losses. */
  nanStreak: number;
  /** Target tokens trained on and seconds spent training (over all sessions). */
  tokens: number;
  elapsed: number;
  /** The step of the last validation (-1: none yet); a resumed run does not validate that step again. */
  lastValidStep?: number;
  /** The log window since the last `train` log line (loss × tokens summed, tokens, steps), so the first line after a resume averages the same steps. */
  logWindow?: { loss: number; tokens: number; steps: number };
  /** Why the run stopped last time ('max-steps', 'signal', …), or null while running. */
  stopped: string | null;
}

function readJson<T>(store: RunStore, name: string, what: string): T {
  const text = store.readText(name);
  if (text === null) throw new UserError(`${store.pathOf(name)}: cannot read the ${what}; is this a run folder written by s2s train?`);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`${store.pathOf(name)}: the ${what} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function writeRunConfig(store: RunStore, config: RunConfig): void {
  store.writeAtomic(RUN_FILES.config, JSON.stringify(config, null, 2) + '\n');
}

export function readRunConfig(store: RunStore): RunConfig {
  const c = readJson<RunConfig>(store, RUN_FILES.config, 'run config');
  if (!c || c.format !== 's2s-run' || c.version !== 1 || !c.model || !c.codecs) {
    throw new UserError(`${store.pathOf(RUN_FILES.config)}: not an s2s run config (expected format s2s-run version 1)`);
  }
  return c;
}

/** A module's parameters (names from namedParameters) as safetensors bytes (chunks). */
export function encodeWeights(model: Module, metadata: Record<string, string> = {}): Uint8Array[] {
  const tensors: [string, SafeTensorInput][] = model.namedParameters().map(([name, t]) => [name, { shape: t.shape, data: t.f32 }]);
  return encodeSafetensors(tensors, { format: 'pt', producer: 's2s', ...metadata });
}

/** Writes a module's parameters as the safetensors file `name` of the store. */
export function saveWeights(store: RunStore, name: string, model: Module, metadata: Record<string, string> = {}): void {
  store.writeAtomic(name, encodeWeights(model, metadata));
}

/** Reads and parses a safetensors file of the store; a missing or malformed file is a UserError naming it. */
export function readStoreSafetensors(store: RunStore, name: string): SafetensorsFile {
  const bytes = store.read(name);
  if (bytes === null) throw new UserError(`${store.pathOf(name)}: cannot read the weights file; check the path`);
  try {
    return decodeSafetensors(bytes);
  } catch (e) {
    throw new UserError(`${store.pathOf(name)}: not a valid safetensors file (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Loads the store's weights file `name` into a module (see loadWeightsFromBytes); any mismatch is a UserError naming the file. */
export function loadWeights(store: RunStore, name: string, model: Module): Record<string, string> {
  const bytes = store.read(name);
  if (bytes === null) throw new UserError(`${store.pathOf(name)}: cannot read the weights file (no such file); check the path`);
  return loadWeightsFromBytes(bytes, model, store.pathOf(name));
}

/** The optimizer slots as train-state.safetensors bytes (`<slot>.<parameter name>`), tagged with the step. */
export function encodeOptimizerState(step: number, optimizer: Optimizer, paramNames: readonly string[]): Uint8Array[] {
  const sd = optimizer.stateDict();
  const tensors: [string, SafeTensorInput][] = [];
  for (const [slot, arrays] of Object.entries(sd.slots)) {
    arrays.forEach((a, i) => tensors.push([`${slot}.${paramNames[i]}`, { shape: [a.length], data: a }]));
  }
  return encodeSafetensors(tensors, { producer: 's2s', step: String(step) });
}

/** train-state.json's text, with the optimizer's own step and lr. */
export function encodeTrainState(state: TrainState, optimizer: Optimizer): string {
  const sd = optimizer.stateDict();
  return JSON.stringify({ ...state, optimizer: { ...state.optimizer, step: sd.step, lr: sd.lr } }, null, 2) + '\n';
}

export function hasTrainState(store: RunStore): boolean {
  return store.exists(RUN_FILES.state) && store.exists(RUN_FILES.stateTensors) && store.exists(RUN_FILES.model);
}

export function readTrainState(store: RunStore): TrainState {
  const s = readJson<TrainState>(store, RUN_FILES.state, 'training state');
  if (!s || s.format !== 's2s-train-state' || s.version !== 1) throw new UserError(`${store.pathOf(RUN_FILES.state)}: not an s2s training state (expected format s2s-train-state version 1)`);
  return s;
}

/** Restores optimizer slots saved by encodeOptimizerState into `optimizer` (built for the same parameters). */
export function loadOptimizerState(store: RunStore, state: TrainState, optimizer: Optimizer, paramNames: readonly string[]): Record<string, string> {
  const file = readStoreSafetensors(store, RUN_FILES.stateTensors);
  const current = optimizer.stateDict();
  const slots: OptimizerState['slots'] = {};
  for (const slot of Object.keys(current.slots)) {
    slots[slot] = paramNames.map((name) => {
      const t = file.tensors.get(`${slot}.${name}`);
      if (!t) throw new UserError(`${store.pathOf(RUN_FILES.stateTensors)}: optimizer slot '${slot}.${name}' is missing; was the run trained with another --optim?`);
      return t.data as Float32Array;
    });
  }
  optimizer.loadStateDict({ step: state.optimizer.step, lr: state.optimizer.lr, slots });
  return file.metadata;
}
