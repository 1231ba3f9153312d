import { backend } from '../engine.js';
import { opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, rawTensor, writeGrad } from './util.js';

/**
 * Layer normalisation over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta, with
 * x [..., n] and gamma, beta [n]. var is the biased (population) variance, as in PyTorch.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  checkTensor('layerNorm', 'x', x);
  checkTensor('layerNorm', 'gamma', gamma, 'f32', 1);
  checkTensor('layerNorm', 'beta', beta, 'f32', 1);
  if (x.rank === 0) throw new Error('layerNorm: x needs at least one axis');
  const n = x.shape[x.rank - 1]!;
  if (gamma.size !== n) throw new Error(`layerNorm: gamma does not match the last axis: ${shapeStr(gamma.shape)} and ${shapeStr(x.shape)}`);
  if (beta.size !== n) throw new Error(`layerNorm: beta does not match the last axis: ${shapeStr(beta.shape)} and ${shapeStr(x.shape)}`);
  const rows = x.size / n;
  const mean = rawTensor([rows], 'f32');
  const rstd = rawTensor([rows], 'f32');
  const out = opOutput(x.shape, [x, gamma, beta], (out) => {
    const k = backend();
    // the kernel writes dx and adds into dGamma/dBeta; zeroed scratch makes either convention safe
    const dx = k.allocF32(x.size, true);
    const dg = k.allocF32(n, true);
    const db = k.allocF32(n, true);
    k.layerNormBackward(rows, n, x.f32, gamma.f32, mean.f32, rstd.f32, out.grad!, dx, dg, db);
    if (x.requiresGrad) writeGrad(x, (dst) => k.axpy(x.size, 1, dx, dst));
    if (gamma.requiresGrad) k.axpy(n, 1, dg, gamma.gradBuffer());
    if (beta.requiresGrad) k.axpy(n, 1, db, beta.gradBuffer());
    k.free(dx);
    k.free(dg);
    k.free(db);
  });
  backend().layerNorm(rows, n, x.f32, gamma.f32, beta.f32, eps, out.f32, mean.f32, rstd.f32);
  if (!out.requiresGrad) {
    mean.dispose();
    rstd.dispose();
  }
  return out;
}
