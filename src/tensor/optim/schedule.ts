/**
 * Learning-rate schedules. Step-driven ones answer `lrAt(step)` (step counts from 1, the first
 * update); BudgetDecay also reads `progress`, the fraction of the training budget spent;
 * ReduceOnPlateau is driven by validation scores through `observe(score)`. Each has
 * `state()` / `loadState()` so a resumed run continues with the same lr.
 */
export interface LrSchedule {
  lrAt(step: number, progress?: number): number;
  state(): Record<string, number>;
  loadState(s: Record<string, number>): void;
}

/** The same lr at every step. */
export class ConstantLr implements LrSchedule {
  constructor(readonly lr: number) {}
  lrAt(_step: number): number { return this.lr; }
  state(): Record<string, number> { return {}; }
  loadState(_s: Record<string, number>): void {}
}

/** lr · γ^⌊(step − 1) / stepSize⌋: multiplied by γ after every `stepSize` steps. */
export class StepDecay implements LrSchedule {
  readonly lr: number;
  readonly stepSize: number;
  readonly gamma: number;
  constructor(opts: { lr: number; stepSize: number; gamma?: number }) {
    if (!(opts.stepSize >= 1)) throw new Error(`StepDecay: stepSize must be ≥ 1, got ${opts.stepSize}`);
    this.lr = opts.lr;
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
  }
  lrAt(step: number): number {
    return this.lr * Math.pow(this.gamma, Math.floor(Math.max(0, step - 1) / this.stepSize));
  }
  state(): Record<string, number> { return {}; }
  loadState(_s: Record<string, number>): void {}
}

/**
 * Linear warmup to `lr` over `warmup` steps, then decay ∝ 1/√step (the Transformer's "Noam"
 * schedule with the peak given directly): lr · min(step / warmup, √(warmup / step)). With
 * lr = d^-0.5 · warmup^-0.5 this is Vaswani et al.'s d^-0.5 · min(step^-0.5, step · warmup^-1.5)
 * exactly. fairseq's `inverse_sqrt` differs (see FairseqInverseSqrt).
 */
export class WarmupInverseSqrt implements LrSchedule {
  readonly lr: number;
  readonly warmup: number;
  constructor(opts: { lr: number; warmup: number }) {
    if (!(opts.warmup >= 1)) throw new Error(`WarmupInverseSqrt: warmup must be ≥ 1, got ${opts.warmup}`);
    this.lr = opts.lr;
    this.warmup = opts.warmup;
  }
  lrAt(step: number): number {
    const s = Math.max(1, step);
    return this.lr * Math.min(s / this.warmup, Math.sqrt(this.warmup / s));
  }
  state(): Record<string, number> { return {}; }
  loadState(_s: Record<string, number>): void {}
}

/**
 * fairseq's `inverse_sqrt` (fairseq/optim/lr_scheduler/inverse_square_root_schedule.py): the lr
 * rises linearly from `warmupInitLr` to `lr` over `warmup` updates, then falls as
 * lr · √warmup / √n. fairseq sets the lr after each update from the number of updates done so
 * far (n), so update `step` (counting from 1) runs with n = step − 1: the first update uses
 * `warmupInitLr` (fairseq's default 0, when `--warmup-init-lr` is not given) and the peak `lr`
 * is reached at update warmup + 1. That one-step lag and the start value are what set it apart
 * from WarmupInverseSqrt (Vaswani et al.'s formula, which peaks at update `warmup`).
 */
export class FairseqInverseSqrt implements LrSchedule {
  readonly lr: number;
  readonly warmup: number;
  readonly warmupInitLr: number;
  constructor(opts: { lr: number; warmup: number; warmupInitLr?: number }) {
    if (!(opts.warmup >= 1)) throw new Error(`FairseqInverseSqrt: warmup must be ≥ 1, got ${opts.warmup}`);
    const init = opts.warmupInitLr ?? 0;
    if (!(init >= 0)) throw new Error(`FairseqInverseSqrt: warmupInitLr must be ≥ 0, got ${init}`);
    this.lr = opts.lr;
    this.warmup = opts.warmup;
    this.warmupInitLr = init;
  }
  lrAt(step: number): number {
    const n = Math.max(0, step - 1);
    if (n < this.warmup) return this.warmupInitLr + (n * (this.lr - this.warmupInitLr)) / this.warmup;
    return this.lr * Math.sqrt(this.warmup) / Math.sqrt(n);
  }
  state(): Record<string, number> { return {}; }
  loadState(_s: Record<string, number>): void {}
}

export interface PlateauOptions {
  lr: number;
  /** Multiply lr by this when the score stops improving. Default 0.5. */
  factor?: number;
  /** Observations without improvement tolerated before reducing. Default 2. */
  patience?: number;
  /** lr never goes below this. Default 0. */
  minLr?: number;
  /** 'min' for losses (default), 'max' for scores like BLEU. */
  mode?: 'min' | 'max';
  /** Relative improvement needed to count as better. Default 1e-4. */
  threshold?: number;
}

/** Reduces lr by `factor` after `patience` validations without improvement (PyTorch's ReduceLROnPlateau). */
export class ReduceOnPlateau implements LrSchedule {
  lr: number;
  readonly factor: number;
  readonly patience: number;
  readonly minLr: number;
  readonly mode: 'min' | 'max';
  readonly threshold: number;
  best: number;
  badEpochs = 0;

  constructor(opts: PlateauOptions) {
    this.lr = opts.lr;
    this.factor = opts.factor ?? 0.5;
    this.patience = opts.patience ?? 2;
    this.minLr = opts.minLr ?? 0;
    this.mode = opts.mode ?? 'min';
    this.threshold = opts.threshold ?? 1e-4;
    if (!(this.factor > 0 && this.factor < 1)) throw new Error(`ReduceOnPlateau: factor must be in (0, 1), got ${this.factor}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`ReduceOnPlateau: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private improves(score: number): boolean {
    if (this.mode === 'min') return score < this.best * (1 - Math.sign(this.best) * this.threshold) || this.best === Infinity;
    return score > this.best * (1 + Math.sign(this.best) * this.threshold) || this.best === -Infinity;
  }

  /** Feeds one validation score; returns the lr to use from now on. */
  observe(score: number): number {
    if (this.improves(score)) {
      this.best = score;
      this.badEpochs = 0;
    } else if (++this.badEpochs > this.patience) {
      this.lr = Math.max(this.minLr, this.lr * this.factor);
      this.badEpochs = 0;
    }
    return this.lr;
  }

  lrAt(_step: number): number { return this.lr; }
  state(): Record<string, number> { return { lr: this.lr, best: this.best, badEpochs: this.badEpochs }; }
  loadState(s: Record<string, number>): void {
    this.lr = s['lr'] ?? this.lr;
    this.best = s['best'] ?? this.best;
    this.badEpochs = s['badEpochs'] ?? 0;
  }
}

/**
 * The lr falls from `lr` to 0 as the training budget is spent — linearly, or along a half cosine
 * — after a linear warm-up over `warmup` steps (0: none). `progress` in [0, 1] is the fraction of
 * the budget spent (the trainer passes the largest of steps/maxSteps, seconds/maxTime and
 * epochs/maxEpochs), so a run limited by time still ends at lr 0. Decaying to zero over a fixed
 * budget beats a constant or step-wise lr at equal training time (Li, Yumer & Ramanan, "Budgeted
 * training", ICLR 2020); docs/training.md has the equal-time runs on g2p-cmudict.
 */
export class BudgetDecay implements LrSchedule {
  readonly lr: number;
  readonly shape: 'linear' | 'cosine';
  readonly warmup: number;
  constructor(opts: { lr: number; shape: 'linear' | 'cosine'; warmup?: number }) {
    if (opts.shape !== 'linear' && opts.shape !== 'cosine') throw new Error(`BudgetDecay: shape must be 'linear' or 'cosine', got '${String(opts.shape)}'`);
    const warmup = opts.warmup ?? 0;
    if (!(warmup >= 0)) throw new Error(`BudgetDecay: warmup must be ≥ 0, got ${warmup}`);
    this.lr = opts.lr;
    this.shape = opts.shape;
    this.warmup = warmup;
  }
  lrAt(step: number, progress = 0): number {
    const p = Math.min(1, Math.max(0, progress));
    const rise = this.warmup > 0 ? Math.min(1, Math.max(1, step) / this.warmup) : 1;
    const fall = this.shape === 'linear' ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
    return this.lr * rise * fall;
  }
  state(): Record<string, number> { return {}; }
  loadState(_s: Record<string, number>): void {}
}
