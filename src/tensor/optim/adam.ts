import { backend } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  /** (β₁, β₂); default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Adam: L2 added to the gradient; AdamW: decoupled decay of the weights. Default 0 (AdamW: 0.01). */
  weightDecay?: number;
}

/** Adam (Kingma & Ba) with bias correction, as PyTorch's torch.optim.Adam. */
export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  protected readonly decoupled: boolean = false;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(params: readonly Tensor[], opts: AdamOptions, defaultWeightDecay = 0) {
    super(params, opts.lr);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? defaultWeightDecay;
    for (const beta of [this.beta1, this.beta2]) {
      if (!(beta >= 0 && beta < 1)) throw new Error(`${this.constructor.name}: betas must be in [0, 1), got [${this.beta1}, ${this.beta2}]`);
    }
    this.m = this.addSlot('m');
    this.v = this.addSlot('v');
  }

  step(): void {
    this.stepCount++;
    const t = this.stepCount;
    const bc1 = 1 - Math.pow(this.beta1, t);
    const bc2 = 1 - Math.pow(this.beta2, t);
    const b = backend();
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      b.adamStep(p.size, p.f32, p.grad, this.m[i]!, this.v[i]!, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay, this.decoupled, bc1, bc2);
    });
  }
}

/** AdamW (Loshchilov & Hutter): weight decay applied to the weights, not the gradient. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: readonly Tensor[], opts: AdamOptions) {
    super(params, opts, 0.01);
  }
}
