/**
 * Training options: the one place their defaults live. The trainer, trainRun and the `s2s train`
 * flags (their FlagSpec defaults) all take them from here. To add an option: add the field to
 * TrainOptions, its default to TRAIN_DEFAULTS, the flag to src/cli/train.ts (default from here),
 * and read it where it acts (docs/training.md, "For contributors").
 */
export interface TrainOptions {
  /** Padded tokens per batch (B × max(S, T)); DEFAULT_BATCH_TOKENS unless batchSize is given. */
  batchTokens?: number;
  /** Sentences per batch (caps batchTokens' batches when both are given). */
  batchSize?: number;
  optim: 'adam' | 'adamw' | 'sgd';
  lr: number;
  weightDecay: number;
  /** SGD momentum. */
  momentum: number;
  schedule: 'constant' | 'step' | 'noam' | 'inverse_sqrt' | 'plateau' | 'linear' | 'cosine';
  /** Warm-up steps: noam, inverse_sqrt DEFAULT_WARMUP when unset; linear, cosine none when unset. */
  warmup?: number;
  /** inverse_sqrt: the lr of the first update, rising linearly to lr over the warm-up (fairseq's --warmup-init-lr; default 0). */
  warmupInitLr: number;
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
  /**
   * Limits (0: none). At least one limit or patience should be set; `s2s train` stops after
   * DEFAULT_MAX_EPOCHS when none is given, and so does trainRun under a budget schedule (linear,
   * cosine: the default), which needs a budget to fall over.
   */
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
  /** Keep the weights of the last N checkpoints as model.step-<step>.safetensors (0: none), for `s2s average`. */
  keepCheckpoints: number;
}

/**
 * Adam at lr 0.002 falling linearly to 0 over the budget, with label smoothing 0.1: at equal
 * training time these beat a constant lr 0.001 without smoothing on both tasks measured
 * (docs/training.md, "The CLI's defaults"): g2p-cmudict 42.4 → 34.8% WER (the schedule alone)
 * and gettext-mt 25.8–26.4 → 28.5 BLEU in 20 minutes.
 */
export const TRAIN_DEFAULTS: TrainOptions = {
  optim: 'adam',
  lr: 2e-3,
  weightDecay: 0,
  momentum: 0,
  schedule: 'linear',
  warmupInitLr: 0,
  decay: 0.5,
  decaySteps: 10000,
  schedulePatience: 2,
  clip: 5,
  labelSmoothing: 0.1,
  validEvery: 500,
  logEvery: 10,
  patience: 10,
  maxSteps: 0,
  maxEpochs: 0,
  maxTime: 0,
  seed: 1,
  validDecode: 500,
  maxNan: 5,
  keepCheckpoints: 0,
};

/**
 * What a Transformer (`arch: 'transformer'`) trains with unless told otherwise, over
 * TRAIN_DEFAULTS: the inverse-square-root schedule with linear warm-up (`noam`: lr·min(s/w, √(w/s)),
 * fairseq's inverse_sqrt with its warm-up starting at 0) and label smoothing 0.1, as Vaswani et
 * al. 2017 and fairseq's transformer recipes do; Adam at a peak lr of 1e-3 after 1000 warm-up
 * steps suits the small models and data sets s2s trains on one machine (fairseq's base recipe:
 * 5e-4 after 4000 steps, with batches of 25k+ tokens).
 */
export const TRANSFORMER_TRAIN_DEFAULTS: Partial<TrainOptions> = {
  schedule: 'noam',
  lr: 1e-3,
  warmup: 1000,
  labelSmoothing: 0.1,
};

/** The defaults layer for an architecture: TRANSFORMER_TRAIN_DEFAULTS for 'transformer', none (TRAIN_DEFAULTS alone) for the RNN cells. */
export function trainDefaultsFor(arch: string | undefined): Partial<TrainOptions> {
  return arch === 'transformer' ? TRANSFORMER_TRAIN_DEFAULTS : {};
}

/** Batches hold this many padded tokens when neither batchTokens nor batchSize is given. */
export const DEFAULT_BATCH_TOKENS = 2000;
/** Training pairs with more tokens than this on either side are dropped (TrainSpec.maxLen; 0 keeps all). */
export const DEFAULT_MAX_LEN = 250;
/** `s2s train` stops after this many epochs when no limit (steps, epochs, time) is given. */
export const DEFAULT_MAX_EPOCHS = 10;
/** AdamW's weight decay when weightDecay is 0 (AdamW without decay is Adam). */
export const ADAMW_DEFAULT_WEIGHT_DECAY = 0.01;

/**
 * The schedule and smoothing that TRAIN_DEFAULTS had before it took the budget schedule: the demo,
 * the page's training, the dates and seed-lstm recipes, gettext-mt's quick mode and the benchmarks
 * that train their own model were tuned and measured with them, and keep them.
 */
export const CONSTANT_LR_NO_SMOOTHING: Partial<TrainOptions> = { schedule: 'constant', labelSmoothing: 0 };

/** Whether the schedule falls to 0 over the run's budget (maxSteps, maxTime or maxEpochs). */
export function isBudgetSchedule(schedule: TrainOptions['schedule']): boolean {
  return schedule === 'linear' || schedule === 'cosine';
}

/** Whether the options give the run a budget: a step, time or epoch limit. */
export function hasBudget(o: Pick<TrainOptions, 'maxSteps' | 'maxTime' | 'maxEpochs'>): boolean {
  return o.maxSteps > 0 || o.maxTime > 0 || o.maxEpochs > 0;
}

export const OPTIMIZERS = ['adam', 'adamw', 'sgd'] as const;
export const SCHEDULES = ['constant', 'step', 'noam', 'inverse_sqrt', 'plateau', 'linear', 'cosine'] as const;
/** noam's and inverse_sqrt's warm-up steps when --warmup is not given (the budget schedules have none then). */
export const DEFAULT_WARMUP = 4000;

/** The TrainOptions field names (the ones a saved config.json `training` block may hold). */
export const TRAIN_OPTION_KEYS: ReadonlySet<string> = new Set<string>([...Object.keys(TRAIN_DEFAULTS), 'batchTokens', 'batchSize', 'metric', 'warmup']);

/**
 * The defaults, overlaid by each layer in turn (later wins; undefined fields are skipped):
 * e.g. resolveTrainOptions(saved, given) for a resumed run.
 */
export function resolveTrainOptions(...layers: readonly Partial<TrainOptions>[]): TrainOptions {
  let o: TrainOptions = { ...TRAIN_DEFAULTS };
  for (const layer of layers) o = { ...o, ...definedFields(layer) };
  return o;
}

/** The options as the trainer runs them: batches sized by DEFAULT_BATCH_TOKENS when no size is given. */
export function withBatchDefault(o: TrainOptions): TrainOptions {
  if (!o.batchTokens && !o.batchSize) o.batchTokens = DEFAULT_BATCH_TOKENS;
  return o;
}

/** The TrainOptions fields of a saved config.json `training` block (other keys, nulls and undefineds left out). */
export function savedTrainOptions(saved: Record<string, unknown>): Partial<TrainOptions> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(saved)) if (TRAIN_OPTION_KEYS.has(k) && v !== undefined && v !== null) r[k] = v;
  return r as Partial<TrainOptions>;
}

/** The fields of `o` that are set (a Partial's undefined fields must not hide a default). */
export function definedFields<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
