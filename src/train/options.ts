/** Training options (the `s2s train` flags without the data and model ones). */
export interface TrainOptions {
  /** Padded tokens per batch (B × max(S, T)); default 2000 unless batchSize is given. */
  batchTokens?: number;
  /** Sentences per batch (caps batchTokens' batches when both are given). */
  batchSize?: number;
  optim: 'adam' | 'adamw' | 'sgd';
  lr: number;
  weightDecay: number;
  /** SGD momentum. */
  momentum: number;
  schedule: 'constant' | 'step' | 'noam' | 'plateau';
  /** noam: warm-up steps. */
  warmup: number;
  /** step: multiply lr by decay every decaySteps; plateau: multiply by decay after schedulePatience bad validations. */
  decay: number;
  decaySteps: number;
  schedulePatience: number;
  /** Global gradient-norm limit (0: no clipping). */
  clip: number;
  labelSmoothing: number;
  /** Validate (and checkpoint) every N steps, and at the end of every epoch when 0. */
  validEvery: number;
  /** Write a log line every N steps. */
  logEvery: number;
  /** Stop after this many validations without improvement (0: never). */
  patience: number;
  /** Limits (0: none). At least one limit or patience should be set; defaults stop after 10 epochs. */
  maxSteps: number;
  maxEpochs: number;
  /** Seconds of training (summed over resumed sessions). */
  maxTime: number;
  seed: number;
  /** Validation metric on greedy decodes (bleu, chrf, …); also the early-stopping criterion when set. */
  metric?: string;
  /** Sentences greedily decoded per validation for exact match / metric (0: none). */
  validDecode: number;
  /** Stop after this many non-finite losses in a row. */
  maxNan: number;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  optim: 'adam',
  lr: 1e-3,
  weightDecay: 0,
  momentum: 0,
  schedule: 'constant',
  warmup: 4000,
  decay: 0.5,
  decaySteps: 10000,
  schedulePatience: 2,
  clip: 5,
  labelSmoothing: 0,
  validEvery: 500,
  logEvery: 10,
  patience: 10,
  maxSteps: 0,
  maxEpochs: 0,
  maxTime: 0,
  seed: 1,
  validDecode: 500,
  maxNan: 5,
};

export const OPTIMIZERS = ['adam', 'adamw', 'sgd'] as const;
export const SCHEDULES = ['constant', 'step', 'noam', 'plateau'] as const;
