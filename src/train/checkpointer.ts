import type { Seq2SeqModel } from '../models/index.js';
import type { RunStore } from '../platform/run-store.js';
import type { Optimizer } from '../tensor/index.js';
import { UserError, WRITE_ERROR_CODES, WriteError } from '../util/errors.js';
import { RUN_FILES, encodeOptimizerState, encodeTrainState, encodeWeights, type TrainState } from './checkpoint.js';
import { commitCheckpoint, type CheckpointManifest } from './checkpoint-manifest.js';

/**
 * The checkpoint policy of one training session, over its run store: the latest weights, the
 * optimizer slots and the resume point (and the best weights chosen at the same step) are
 * committed as one checkpoint (checkpoint-manifest.ts); log lines are appended. A failed write
 * (full disk, …) becomes one line that says what is kept and how to go on.
 */
export class Checkpointer {
  /** The last committed checkpoint's manifest (null before the first, or for a resumed run written before manifests). */
  manifest: CheckpointManifest | null = null;
  /** Best weights encoded at a validation, committed with the checkpoint of the same step. */
  private pendingBest: Uint8Array[] | null = null;

  constructor(readonly store: RunStore, private readonly runDir: string) {}

  log(entry: Record<string, unknown>): void {
    try {
      this.store.append(RUN_FILES.log, JSON.stringify(entry) + '\n');
    } catch (e) {
      throw this.writeFailed(e, `appending to ${RUN_FILES.log}`);
    }
  }

  /** Keeps the model's current weights as the best, to be written with the next checkpoint. */
  markBest(model: Seq2SeqModel, metadata: Record<string, string>): void {
    this.pendingBest = encodeWeights(model, metadata);
  }

  /** Writes the latest weights, the optimizer slots, the state (and pending best weights) as the checkpoint of state.step. */
  save(model: Seq2SeqModel, optimizer: Optimizer, paramNames: string[], state: TrainState): void {
    const step = state.step;
    const files: [string, Uint8Array[]][] = [
      [RUN_FILES.model, encodeWeights(model, { step: String(step) })],
      [RUN_FILES.stateTensors, encodeOptimizerState(step, optimizer, paramNames)],
      [RUN_FILES.state, [new TextEncoder().encode(encodeTrainState(state, optimizer))]],
    ];
    if (this.pendingBest) files.push([RUN_FILES.best, this.pendingBest]);
    this.pendingBest = null;
    this.commit(step, files);
  }

  /** Rewrites only the state JSON (its weights and slots, written just before, belong to the same step). */
  saveStateJson(step: number, json: string): void {
    this.commit(step, [[RUN_FILES.state, [new TextEncoder().encode(json)]]]);
  }

  private commit(step: number, files: [string, Uint8Array[]][]): void {
    try {
      this.manifest = commitCheckpoint(this.store, step, files, this.manifest);
    } catch (e) {
      throw this.writeFailed(e, `saving the checkpoint of step ${step}`);
    }
  }

  private writeFailed(e: unknown, what: string): unknown {
    if (!(e instanceof WriteError)) return e;
    const reason = WRITE_ERROR_CODES[e.code] ?? e.code;
    const fix = e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'EFBIG' ? 'free space' : "fix the folder's permissions";
    const how = this.manifest
      ? `the last complete checkpoint (step ${this.manifest.step}) is kept; ${fix} and continue with: s2s train --out ${this.runDir} --resume`
      : `no checkpoint was saved yet; ${fix} and start again with --overwrite`;
    return new UserError(`${this.runDir}: ${reason} (${e.code}) while ${what}; ${how}`);
  }
}
