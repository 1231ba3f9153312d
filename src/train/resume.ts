import { codecPairFromJSON, type CodecPair } from '../data/codec.js'; // not data/index.js (file readers): loads in a page
import type { Module } from '../nn/index.js';
import type { RunStore } from '../platform/run-store.js';
import type { Optimizer } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import { RUN_FILES, assertCodecsFitModel, hasTrainState, loadOptimizerState, loadWeights, readRunConfig, readTrainState, type RunConfig, type TrainState } from './checkpoint.js';
import { manifestEntry, recoverCheckpoint, type CheckpointManifest } from './checkpoint-manifest.js';
import { resolveTrainOptions, savedTrainOptions, type TrainOptions } from './options.js';

/**
 * Resume, in one place: what a run folder must hold to be resumed, how the saved options and
 * architecture meet the ones given again, and how the last complete checkpoint is restored
 * (weights, optimizer slots, state) with the log cut back to it. The CLI, trainRun and the
 * Trainer all call these.
 */

/** Refuses --resume on a folder with no resume point (before any data is read). */
export function assertResumable(store: RunStore, cmd: string): void {
  // (checkpoint.json without train-state.json: a kill during the first checkpoint's renames, which the resume finishes)
  if (!store.exists(RUN_FILES.state) && !store.exists(RUN_FILES.manifest)) {
    const again = store.exists(RUN_FILES.config) ? ' (with --overwrite: the folder holds a run that saved no checkpoint)' : '';
    throw new UserError(`s2s ${cmd}: --resume: ${store.location} holds no ${RUN_FILES.state}; drop --resume to start a new run${again}`);
  }
}

/** The `training` block of a run's config.json: the options (and data files, …) it was trained with. */
export function savedTraining(store: RunStore): Record<string, unknown> {
  return (readRunConfig(store).training ?? {}) as Record<string, unknown>;
}

export interface ResumedRun {
  config: RunConfig;
  codecs: CodecPair;
  /** The saved options overlaid by the ones given again; the seed is always the run's own. */
  options: TrainOptions;
  /** The saved training block (config.json `training`). */
  saved: Record<string, unknown>;
  maxLen: number | undefined;
}

/**
 * The run config, codecs and options of a run to resume. Options given again override the saved
 * ones (e.g. a higher maxSteps to train longer); a different seed or architecture is refused.
 */
export function resumeRunConfig(store: RunStore, given: { options?: Partial<TrainOptions>; model?: Record<string, unknown>; maxLen?: number }): ResumedRun {
  const out = store.location;
  const config = readRunConfig(store);
  const codecs = codecPairFromJSON(config.codecs);
  assertCodecsFitModel(store.pathOf(RUN_FILES.config), config.model, codecs);
  const saved = (config.training ?? {}) as Record<string, unknown>;
  const options = resolveTrainOptions(savedTrainOptions(saved), given.options ?? {});
  // The data order and the model's init come from the seed: a resumed run keeps its own.
  if (typeof saved['seed'] === 'number') {
    if (given.options?.seed !== undefined && given.options.seed !== saved['seed']) {
      throw new UserError(`${out}: the run was trained with --seed ${saved['seed']}; a resumed run keeps its seed (drop --seed)`);
    }
    options.seed = saved['seed'];
  }
  const maxLen = given.maxLen === undefined && typeof saved['maxLen'] === 'number' ? saved['maxLen'] : given.maxLen;
  for (const [k, v] of Object.entries(given.model ?? {})) {
    if (v === undefined) continue;
    const have = (config.model as unknown as Record<string, unknown>)[k];
    if (have !== undefined && have !== v) {
      throw new UserError(`${out}: the saved model has ${k} ${String(have)}, not ${String(v)}; a resumed run keeps its architecture (drop that flag)`);
    }
  }
  return { config, codecs, options, saved, maxLen };
}

export interface RestoredCheckpoint {
  state: TrainState;
  /** The checkpoint's manifest (for a run written before manifests: one built from its files). */
  manifest: CheckpointManifest;
}

/**
 * Restores the last complete checkpoint into `model` and `optimizer` (finishing or dropping a save
 * a kill interrupted, see checkpoint-manifest.ts) and returns its state. `say` gets the notes.
 */
export function restoreCheckpoint(
  store: RunStore, model: Module, optimizer: Optimizer, paramNames: string[], optim: TrainOptions['optim'], say: (m: string) => void,
): RestoredCheckpoint {
  const dir = store.location;
  const finished: string[] = [];
  const dropped: string[] = [];
  let manifest = recoverCheckpoint(store, (action, name) => (action === 'finished-rename' ? finished : dropped).push(name));
  if (finished.length > 0) say(`note: finished the interrupted save of the step ${manifest!.step} checkpoint (${finished.join(', ')})`);
  if (dropped.length > 0) say(`note: dropped an unfinished checkpoint save (${dropped.join(', ')}); resuming from the last complete one`);
  if (!hasTrainState(store)) throw new UserError(`${dir}: nothing to resume (no ${RUN_FILES.state} + ${RUN_FILES.stateTensors} + ${RUN_FILES.model}); drop --resume to start a new run`);
  const s = readTrainState(store);
  if (manifest && manifest.step !== s.step) {
    throw new UserError(`${store.pathOf(RUN_FILES.state)}: step ${s.step}, but ${RUN_FILES.manifest} names step ${manifest.step}; the checkpoint's files do not belong together`);
  }
  if (s.optimizer.kind !== optim) {
    throw new UserError(`${dir}: the run was trained with --optim ${s.optimizer.kind}; resume with the same optimizer`);
  }
  const weightsMeta = loadWeights(store, RUN_FILES.model, model);
  const slotsMeta = loadOptimizerState(store, s, optimizer, paramNames);
  if (!manifest) {
    // A run written before checkpoint.json: the step in each safetensors file's metadata must match the state's.
    for (const [name, meta] of [[RUN_FILES.model, weightsMeta], [RUN_FILES.stateTensors, slotsMeta]] as const) {
      if (meta['step'] !== undefined && meta['step'] !== String(s.step)) {
        throw new UserError(`${store.pathOf(name)}: saved at step ${meta['step']}, but ${RUN_FILES.state} is at step ${s.step} (a save was interrupted); the run cannot resume exactly`);
      }
    }
    // Carry the legacy files into the first manifest this session writes.
    const files: CheckpointManifest['files'] = {};
    for (const name of [RUN_FILES.model, RUN_FILES.state, RUN_FILES.stateTensors, RUN_FILES.best]) {
      const b = store.read(name);
      if (b) files[name] = manifestEntry([b]);
    }
    manifest = { format: 's2s-checkpoint', version: 1, step: s.step, files };
  }
  return { state: s, manifest };
}

/** Drops the log lines past `step` (the ones written after the checkpoint a resume continues from) and lines a kill cut short. */
export function truncateLog(store: RunStore, step: number): void {
  const log = store.readText(RUN_FILES.log);
  if (log === null) return;
  const kept = log.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    try {
      const e = JSON.parse(line) as { step?: number };
      return typeof e.step !== 'number' || e.step <= step;
    } catch {
      return false; // a line a kill cut short
    }
  });
  store.writeAtomic(RUN_FILES.log, kept.map((l) => l + '\n').join(''));
}
