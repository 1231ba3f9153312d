import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodecPairJSON } from '../data/index.js';
import type { Seq2SeqConfig } from '../models/config.js';
import type { Module } from '../nn/index.js';
import type { Optimizer, OptimizerState } from '../tensor/index.js';
import { writeFileAtomicSync } from '../util/atomic.js';
import { fileErrorReason, UserError } from '../util/errors.js';
import { readSafetensors, writeSafetensors, type SafeTensorInput } from '../util/safetensors.js';
import { loadWeightsFromBytes } from './weights.js';

export { loadWeightsFromBytes, assertCodecsFitModel } from './weights.js';

/**
 * The files of a model run (RUN/):
 *
 *   config.json               RunConfig: model architecture, both codecs (tokenizer + vocabulary), training options
 *   model.safetensors         the latest weights (written at every validation, on stop and at the end)
 *   model.best.safetensors    the weights that scored best on validation (what `loadRun` uses by default)
 *   train-state.json          TrainState: step, epoch, data position, RNG, optimizer step/lr, schedule, early stopping
 *   train-state.safetensors   optimizer slots (Adam m/v, SGD velocity) as `<slot>.<parameter name>`
 *   log.jsonl                 one JSON line per logged step and per validation
 *
 * Every file is written atomically, and model.safetensors + train-state.* are written together at
 * the same step (the state JSON last: it names the step the weights belong to).
 */

export const RUN_FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  best: 'model.best.safetensors',
  state: 'train-state.json',
  stateTensors: 'train-state.safetensors',
  log: 'log.jsonl',
} as const;

export interface RunConfig {
  format: 's2s-run';
  version: 1;
  /** The full (resolved) model config. */
  model: Seq2SeqConfig;
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

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`${path}: cannot read the ${what} (${fileErrorReason(err)}); is this a run folder written by s2s train?`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`${path}: the ${what} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function ensureRunDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`${dir}: cannot create the run folder (${e instanceof Error ? e.message : String(e)}); choose another --out`);
  }
}

export function writeRunConfig(dir: string, config: RunConfig): void {
  writeFileAtomicSync(join(dir, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
}

export function readRunConfig(dir: string): RunConfig {
  const path = join(dir, RUN_FILES.config);
  const c = readJson<RunConfig>(path, 'run config');
  if (!c || c.format !== 's2s-run' || c.version !== 1 || !c.model || !c.codecs) {
    throw new UserError(`${path}: not an s2s run config (expected format s2s-run version 1)`);
  }
  return c;
}

/** Writes a module's parameters (names from namedParameters) as safetensors. */
export function saveWeights(path: string, model: Module, metadata: Record<string, string> = {}): void {
  const tensors: [string, SafeTensorInput][] = model.namedParameters().map(([name, t]) => [name, { shape: t.shape, data: t.f32 }]);
  writeSafetensors(path, tensors, { format: 'pt', producer: 's2s', ...metadata });
}

/** Loads a weights file by name into a module (see loadWeightsFromBytes); any mismatch is a UserError naming the file. */
export function loadWeights(path: string, model: Module): Record<string, string> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read the weights file (${fileErrorReason(e)}); check the path and its permissions`);
  }
  return loadWeightsFromBytes(bytes, model, path);
}

/** Saves a resume point: optimizer slots, then the state JSON (which names the step) last. */
export function saveTrainState(dir: string, state: TrainState, optimizer: Optimizer, paramNames: readonly string[]): void {
  const sd = optimizer.stateDict();
  const tensors: [string, SafeTensorInput][] = [];
  for (const [slot, arrays] of Object.entries(sd.slots)) {
    arrays.forEach((a, i) => tensors.push([`${slot}.${paramNames[i]}`, { shape: [a.length], data: a }]));
  }
  writeSafetensors(join(dir, RUN_FILES.stateTensors), tensors, { producer: 's2s', step: String(state.step) });
  writeFileAtomicSync(join(dir, RUN_FILES.state), JSON.stringify({ ...state, optimizer: { ...state.optimizer, step: sd.step, lr: sd.lr } }, null, 2) + '\n');
}

export function hasTrainState(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.state)) && existsSync(join(dir, RUN_FILES.stateTensors)) && existsSync(join(dir, RUN_FILES.model));
}

export function readTrainState(dir: string): TrainState {
  const path = join(dir, RUN_FILES.state);
  const s = readJson<TrainState>(path, 'training state');
  if (!s || s.format !== 's2s-train-state' || s.version !== 1) throw new UserError(`${path}: not an s2s training state (expected format s2s-train-state version 1)`);
  return s;
}

/** Restores optimizer slots saved by saveTrainState into `optimizer` (built for the same parameters). */
export function loadOptimizerState(dir: string, state: TrainState, optimizer: Optimizer, paramNames: readonly string[]): void {
  const path = join(dir, RUN_FILES.stateTensors);
  const file = readSafetensors(path);
  const current = optimizer.stateDict();
  const slots: OptimizerState['slots'] = {};
  for (const slot of Object.keys(current.slots)) {
    slots[slot] = paramNames.map((name) => {
      const t = file.tensors.get(`${slot}.${name}`);
      if (!t) throw new UserError(`${path}: optimizer slot '${slot}.${name}' is missing; was the run trained with another --optim?`);
      return t.data as Float32Array;
    });
  }
  optimizer.loadStateDict({ step: state.optimizer.step, lr: state.optimizer.lr, slots });
}
