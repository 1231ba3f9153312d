import type { LrSchedule, Rng } from '../tensor/index.js';
import type { TrainState } from './checkpoint.js';
import type { TrainOptions } from './options.js';

/** The state of a run that has not taken a step yet (what train-state.json holds; see TrainState). */
export function freshTrainState(rng: Rng, o: TrainOptions, schedule: LrSchedule, criterion: string): TrainState {
  return {
    format: 's2s-train-state', version: 1, step: 0, epoch: 0, batchInEpoch: 0, rng: rng.getState(),
    optimizer: { kind: o.optim, step: 0, lr: o.lr }, schedule: schedule.state(),
    best: { score: null, step: 0, criterion }, badValidations: 0, nanStreak: 0, tokens: 0, elapsed: 0, lastValidStep: -1, logWindow: { loss: 0, tokens: 0, steps: 0 }, stopped: null,
  };
}
