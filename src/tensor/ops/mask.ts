import { backend } from '../engine.js';
import { opOutput, shapeStr, stridesOf, type Tensor, type Shape } from '../tensor.js';
import { checkTensor, sameShape, broadcastShapes, broadcastStrides, rawTensor, accGrad, tmpF32, accBroadcastGrad } from './util.js';
import type { Rng } from '../rng.js';
import { BinaryOp } from '../../kernels/backend.js';

/** The mask's values laid out over `shape` (a copy when it has to be broadcast). */
function expandMask(mask: Tensor, shape: Shape): Tensor {
  if (mask.size === shapeSizeOf(shape)) return mask;
  const m = rawTensor(shape, mask.dtype);
  backend().copyStrided(shape, mask.data, broadcastStrides(mask.shape, shape), m.data, stridesOf(shape), false);
  return m;
}

function shapeSizeOf(s: Shape): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

/**
 * out = mask ≠ 0 ? value : a. mask (f32 or i32) must broadcast to a's shape, e.g. a [B, T] score
 * matrix with a [B, 1] or [T] padding mask. No gradient flows through filled positions.
 */
export function maskedFill(a: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', 'a', a);
  checkTensor('maskedFill', 'mask', mask, null);
  const bs = broadcastShapes('maskedFill', a.shape, mask.shape);
  if (!sameShape(bs, a.shape)) throw new Error(`maskedFill: mask ${shapeStr(mask.shape)} does not broadcast to ${shapeStr(a.shape)}`);
  const m = expandMask(mask, a.shape);
  const out = opOutput(a.shape, [a], (out) => {
    const k = backend();
    accGrad(a, (dst, acc) => {
      if (!acc) return k.maskedFill(a.size, out.grad!, m.data, 0, dst);
      const t = tmpF32(a.size);
      k.maskedFill(a.size, out.grad!, m.data, 0, t);
      k.axpy(a.size, 1, t, dst);
      k.free(t);
    });
  });
  backend().maskedFill(a.size, a.f32, m.data, value, out.f32);
  return out;
}

/**
 * Inverted dropout: zeroes each element with probability p (drawn from `rng`) and scales the rest
 * by 1/(1 − p). Identity (returns `a` itself) when not training or p = 0.
 */
export function dropout(a: Tensor, p: number, rng: Rng, training = true): Tensor {
  checkTensor('dropout', 'a', a);
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return a;
  const mask = dropoutMask(a.shape, p, rng);
  const mv = mask.f32;
  const out = opOutput(a.shape, [a], (out) => {
    const full = tmpF32(a.size);
    backend().binary(BinaryOp.Mul, a.size, out.grad!, mv, full);
    accBroadcastGrad(a, full, a.shape);
  });
  backend().binary(BinaryOp.Mul, a.size, a.f32, mv, out.f32);
  return out;
}


/**
 * The mask dropout(a, p, rng) multiplies by, drawn the same way (one uniform per element in row
 * order): 0 with probability p, else 1/(1 − p). A non-differentiable tensor of `shape`. Fused ops
 * that apply dropout inside their loop take it, so they consume the RNG exactly as dropout would.
 */
export function dropoutMask(shape: Shape, p: number, rng: Rng): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropoutMask: p must be in [0, 1), got ${p}`);
  const mask = rawTensor(shape, 'f32');
  const mv = mask.f32;
  const keepScale = 1 / (1 - p);
  for (let i = 0; i < mask.size; i++) mv[i] = rng.uniform() < p ? 0 : keepScale;
  return mask;
}
