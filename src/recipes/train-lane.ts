import type { CodecPairJSON, TextPair } from '../data/index.js';
import type { PartialModelConfig } from '../models/index.js';
import { startThread } from '../platform/node-threads.js';
import type { TrainOptions } from '../train/index.js';
import { UserError } from '../util/errors.js';

/**
 * A training lane: one run trained on a Node worker thread with its own one-thread engine, while
 * the recipe's thread trains something else. The g2p ensemble plan uses it to keep both cores of
 * the machine busy with two one-thread runs (a one-thread run uses its core better than a
 * two-thread one: no pool hand-offs on small products).
 */
export interface LaneSpec {
  runDir: string;
  codecs: CodecPairJSON;
  train: readonly TextPair[];
  valid: readonly TextPair[];
  model: PartialModelConfig;
  options: Partial<TrainOptions>;
}

/** What a lane's run did (the same facts the recipe reports for its own runs). */
export interface LaneResult {
  params: number;
  steps: number;
  epochs: number;
  reason: string;
  seconds: number;
  /** Target tokens of the steps taken (skipped steps not counted). */
  tokens: number;
}

export type ToLane = { type: 'stop'; signal: 'SIGINT' | 'SIGTERM' };
export type FromLane = { type: 'say'; message: string } | { type: 'done'; result: LaneResult } | { type: 'failed'; user: boolean; message: string };

export interface Lane {
  /** Resolves when the run has stopped (its budget spent, or stopped) and saved. */
  done: Promise<LaneResult>;
  /** Asks the run to save and stop after its current step (as Ctrl-C does to `s2s train`). */
  stop(signal: 'SIGINT' | 'SIGTERM'): void;
}

/** Starts the lane; `say` gets the run's progress lines (validations, the end). */
export function startLane(spec: LaneSpec, say: (message: string) => void = () => {}): Lane {
  const worker = startThread<ToLane, FromLane>(new URL('./train-lane-worker.js', import.meta.url), spec);
  let settled = false;
  const done = new Promise<LaneResult>((resolve, reject) => {
    worker.onMessage((m) => {
      if (m.type === 'say') return say(m.message);
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (m.type === 'done') resolve(m.result);
      else reject(m.user ? new UserError(m.message) : new Error(`training lane ${spec.runDir}: ${m.message}`));
    });
    worker.onceError((e) => {
      settled = true;
      reject(e);
    });
    worker.onceExit((code) => {
      if (!settled) reject(new Error(`training lane ${spec.runDir}: its worker exited (code ${code}) before its run ended`));
    });
  });
  return {
    done,
    stop: (signal) => {
      if (!settled) worker.post({ type: 'stop', signal });
    },
  };
}
