import { backend } from '../engine.js';
import { opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, rawTensor, accGrad, broadcastShapes, sameShape } from './util.js';
import { sub, square, mul, mulScalar } from './elementwise.js';
import { sum, mean } from './reduce.js';

export interface CrossEntropyOptions {
  /** Rows whose target equals this id contribute nothing (padding). Default 0; -1 ignores none. */
  ignoreIndex?: number;
  /** Label smoothing ε: the target distribution is (1 − ε)·onehot + ε/V. Default 0. */
  smoothing?: number;
  /** 'mean' (default) divides by the number of non-ignored rows; 'sum' does not. */
  reduction?: 'sum' | 'mean';
}

/**
 * Fused softmax cross-entropy: logits [N, V], int32 targets [N] → scalar loss. One pass computes
 * the softmax, the (smoothed, masked) loss and keeps the probabilities for the backward.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const ignoreIndex = opts.ignoreIndex ?? 0;
  const smoothing = opts.smoothing ?? 0;
  const reduction = opts.reduction ?? 'mean';
  checkTensor('crossEntropy', 'logits', logits, 'f32', 2);
  checkTensor('crossEntropy', 'targets', targets, 'i32', 1);
  const [N, V] = logits.shape as [number, number];
  if (targets.size !== N) throw new Error(`crossEntropy: targets do not match logits rows: ${shapeStr(logits.shape)} and ${shapeStr(targets.shape)}`);
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`crossEntropy: smoothing must be in [0, 1), got ${smoothing}`);
  if (reduction !== 'sum' && reduction !== 'mean') throw new Error(`crossEntropy: reduction must be 'sum' or 'mean', got '${String(reduction)}'`);
  const tv = targets.i32;
  let count = 0;
  for (let i = 0; i < N; i++) {
    const t = tv[i]!;
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= V) throw new Error(`crossEntropy: target ${t} at row ${i} is out of range for logits ${shapeStr(logits.shape)}`);
    count++;
  }
  const scale = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;
  const k = backend();
  const lossRows = k.allocF32(N);
  const probs = rawTensor([N, V], 'f32');
  const out = opOutput([], [logits], (out) => {
    const k = backend();
    const s = scale * out.grad![0]!;
    accGrad(logits, (dst, acc) => k.softmaxCrossEntropyBackward(N, V, probs.f32, tv, ignoreIndex, smoothing, s, dst, acc));
  });
  const total = k.softmaxCrossEntropy(N, V, logits.f32, tv, ignoreIndex, smoothing, lossRows, out.requiresGrad ? probs.f32 : null);
  k.free(lossRows);
  if (!out.requiresGrad) probs.dispose();
  out.f32[0] = total * scale;
  return out;
}

/**
 * Mean squared error. With a mask (broadcastable to pred, 1 = count, 0 = skip) it is the mean over
 * the masked-in elements.
 */
export function mseLoss(pred: Tensor, target: Tensor, mask?: Tensor): Tensor {
  checkTensor('mseLoss', 'pred', pred);
  checkTensor('mseLoss', 'target', target);
  if (!sameShape(pred.shape, target.shape)) throw new Error(`mseLoss: shapes do not match: ${shapeStr(pred.shape)} and ${shapeStr(target.shape)}`);
  const sq = square(sub(pred, target));
  if (mask === undefined) return mean(sq);
  checkTensor('mseLoss', 'mask', mask);
  if (!sameShape(broadcastShapes('mseLoss', pred.shape, mask.shape), pred.shape)) {
    throw new Error(`mseLoss: mask ${shapeStr(mask.shape)} does not broadcast to ${shapeStr(pred.shape)}`);
  }
  let m = 0;
  const mv = mask.f32;
  for (let i = 0; i < mask.size; i++) m += mv[i]!;
  const count = m * (pred.size / mask.size);
  return mulScalar(sum(mul(sq, mask)), count > 0 ? 1 / count : 0);
}
