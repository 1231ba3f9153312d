import type { F32 } from '../backend.js';

/**
 * Adam / AdamW. biasCorrection1 = 1 − β₁ᵗ, biasCorrection2 = 1 − β₂ᵗ. Coupled weight decay adds
 * wd·p to the gradient (Adam's L2); decoupled decays the parameter directly (AdamW).
 */
export function adamStep(n: number, param: F32, grad: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, biasCorrection1: number, biasCorrection2: number): void {
  const b1c = 1 - beta1;
  const b2c = 1 - beta2;
  for (let i = 0; i < n; i++) {
    let p = param[i]!;
    let g = grad[i]!;
    if (weightDecay !== 0) {
      if (decoupled) p -= lr * weightDecay * p;
      else g += weightDecay * p;
    }
    const mi = beta1 * m[i]! + b1c * g;
    const vi = beta2 * v[i]! + b2c * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - lr * (mi / biasCorrection1) / (Math.sqrt(vi / biasCorrection2) + eps);
  }
}

/** v = μ·v + g (+ wd·p); p −= lr·v. momentum 0 (or velocity null) skips v. */
export function sgdStep(n: number, param: F32, grad: F32, velocity: F32 | null, lr: number, momentum: number, weightDecay: number): void {
  for (let i = 0; i < n; i++) {
    let g = grad[i]!;
    if (weightDecay !== 0) g += weightDecay * param[i]!;
    if (momentum !== 0 && velocity !== null) {
      g = momentum * velocity[i]! + g;
      velocity[i] = g;
    }
    param[i] = param[i]! - lr * g;
  }
}
