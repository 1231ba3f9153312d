import { backend } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  /** Heavy-ball momentum μ (PyTorch's form: v = μ·v + g; p −= lr·v). Default 0. */
  momentum?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

export class SGD extends Optimizer {
  momentum: number;
  weightDecay: number;
  private readonly velocity: Float32Array[] | null;

  constructor(params: readonly Tensor[], opts: SgdOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.velocity = this.momentum !== 0 ? this.addSlot('velocity') : null;
  }

  step(): void {
    this.stepCount++;
    const b = backend();
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      b.sgdStep(p.size, p.f32, p.grad, this.velocity ? this.velocity[i]! : null, this.lr, this.velocity ? this.momentum : 0, this.weightDecay);
    });
  }
}
