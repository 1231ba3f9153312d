import type { RunStore } from '../platform/run-store.js';

/**
 * The weights of earlier checkpoints that `--keep-checkpoints N` keeps beside the latest and best
 * ones, one file per step: RUN/model.step-<step>.safetensors (the same bytes as model.safetensors
 * at that step). They are written after the checkpoint of their step is committed, each atomically,
 * and older ones are removed only once the new one is complete, so a kill never leaves fewer than
 * were kept before. `s2s average` averages the last of them. They are not part of the resume point
 * (checkpoint.json does not list them): resuming needs only the latest checkpoint.
 */

const KEPT = /^model\.step-(\d+)\.safetensors$/;

/** The file name of the kept weights of `step`. */
export function keptCheckpointName(step: number): string {
  return `model.step-${step}.safetensors`;
}

export function isKeptCheckpointName(name: string): boolean {
  return KEPT.test(name);
}

export interface KeptCheckpoint {
  step: number;
  name: string;
}

/** The kept checkpoints of a store, oldest (lowest step) first. */
export function listKeptCheckpoints(store: RunStore): KeptCheckpoint[] {
  const out: KeptCheckpoint[] = [];
  for (const name of store.list()) {
    const m = KEPT.exec(name);
    if (m) out.push({ step: Number(m[1]), name });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** Removes all but the `keep` newest kept checkpoints; returns the names removed. */
export function pruneKeptCheckpoints(store: RunStore, keep: number): string[] {
  const all = listKeptCheckpoints(store);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const k of old) store.remove(k.name);
  return old.map((k) => k.name);
}
