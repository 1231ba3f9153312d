import { backend } from '../engine.js';
import type { Tensor } from '../tensor.js';

/**
 * Scales all gradients together so their global L2 norm is at most maxNorm (as PyTorch's
 * clip_grad_norm_). Returns the norm before clipping.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  const b = backend();
  let sq = 0;
  for (const p of params) if (p.grad !== null) sq += b.sumSquares(p.size, p.grad);
  const total = Math.sqrt(sq);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const p of params) if (p.grad !== null) b.scale(p.size, coef, p.grad, p.grad);
  return total;
}
