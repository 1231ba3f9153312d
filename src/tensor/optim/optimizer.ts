import { backend } from '../engine.js';
import type { Tensor } from '../tensor.js';

/** What an optimizer saves for resume: its step counter, lr and per-parameter slot arrays (copies). */
export interface OptimizerState {
  step: number;
  lr: number;
  /** slots[name][i] belongs to params[i] (e.g. Adam's 'm' and 'v', SGD's 'velocity'). */
  slots: Record<string, Float32Array[]>;
}

/** Shared parts of every optimizer: the parameter list, lr, step counter and slot buffers. */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  lr: number;
  /** Number of step() calls so far. */
  stepCount = 0;
  protected readonly slots: Record<string, Float32Array[]> = {};

  constructor(params: readonly Tensor[], lr: number) {
    if (!Array.isArray(params) || params.length === 0) throw new Error(`${this.constructor.name}: needs a non-empty list of parameters`);
    for (const p of params) {
      if (p.dtype !== 'f32' || !p.requiresGrad) throw new Error(`${this.constructor.name}: every parameter must be a float32 tensor with requiresGrad (got ${p.toString()})`);
    }
    if (new Set(params).size !== params.length) throw new Error(`${this.constructor.name}: a parameter is listed twice`);
    if (!(lr >= 0)) throw new Error(`${this.constructor.name}: lr must be ≥ 0, got ${lr}`);
    this.params = params.slice();
    this.lr = lr;
  }

  /** Per-parameter zeroed buffers named `name`, allocated from the backend (they persist). */
  protected addSlot(name: string): Float32Array[] {
    const b = backend();
    const s = this.params.map((p) => b.allocF32(p.size, true));
    this.slots[name] = s;
    return s;
  }

  /** Applies one update from the parameters' current gradients (parameters without a grad are skipped). */
  abstract step(): void;

  /** Sets every parameter's gradient to zero (keeps the buffers). */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  stateDict(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const [k, v] of Object.entries(this.slots)) slots[k] = v.map((a) => Float32Array.from(a.subarray(0, a.length)));
    return { step: this.stepCount, lr: this.lr, slots };
  }

  loadStateDict(state: OptimizerState): void {
    for (const [k, mine] of Object.entries(this.slots)) {
      const theirs = state.slots[k];
      if (!theirs || theirs.length !== mine.length) throw new Error(`${this.constructor.name}.loadStateDict: slot '${k}' is missing or has the wrong parameter count`);
      mine.forEach((a, i) => {
        const src = theirs[i]!;
        if (src.length !== a.length) throw new Error(`${this.constructor.name}.loadStateDict: slot '${k}' of parameter ${i} has ${src.length} values, expected ${a.length}`);
        a.set(src);
      });
    }
    this.stepCount = state.step;
    this.lr = state.lr;
  }

  /** Returns the slot buffers to the backend. */
  dispose(): void {
    const b = backend();
    for (const v of Object.values(this.slots)) for (const a of v) b.free(a);
    for (const k of Object.keys(this.slots)) delete this.slots[k];
  }
}
