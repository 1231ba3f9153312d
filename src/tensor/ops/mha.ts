import { backend } from '../engine.js';
import { opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, rawTensor, accBroadcastGrad } from './util.js';

/** The inputs of multiHeadAttention (see there). */
export interface MhaInputs {
  /** f32 [B, T, D], D = heads · dh; head h reads columns h·dh … (h+1)·dh − 1. */
  q: Tensor;
  /** f32 [B, S, D] */
  k: Tensor;
  /** f32 [B, S, D] */
  v: Tensor;
  heads: number;
  /** i32 [B, S], 1 = a padding key (never attended); null or absent: none. */
  keyPadding?: Tensor | null;
  /** Query i sees key j only if j ≤ i + (S − T). */
  causal?: boolean;
  /** Dropout on the attention weights, the mask a function of `seed` (so the backward redraws it). */
  dropout?: { p: number; seed: number } | null;
  /** Also return the post-softmax, pre-dropout weights [B, H, T, S] (no gradient). */
  needWeights?: boolean;
}

/**
 * Scaled dot-product multi-head attention in one op: per head softmax(q·kᵀ/√dh) with the padding
 * and causal masks applied while the scores are computed (no mask tensor), dropout on the weights,
 * times v; out [B, T, D] has the heads' results in their columns. A query row whose keys are all
 * masked gets zeros. Gradients flow to q, k and v; the backward reuses the saved softmax
 * [B, H, T, S] and redraws the dropout mask from the seed.
 */
export function multiHeadAttention(a: MhaInputs): { out: Tensor; weights: Tensor | null } {
  const { q, k, v, heads } = a;
  checkTensor('multiHeadAttention', 'q', q, 'f32', 3);
  checkTensor('multiHeadAttention', 'k', k, 'f32', 3);
  checkTensor('multiHeadAttention', 'v', v, 'f32', 3);
  const [B, T, D] = q.shape as [number, number, number];
  const S = k.shape[1]!;
  if (k.shape[0] !== B || k.shape[2] !== D || v.shape[0] !== B || v.shape[1] !== S || v.shape[2] !== D) {
    throw new Error(`multiHeadAttention: q ${shapeStr(q.shape)}, k ${shapeStr(k.shape)} and v ${shapeStr(v.shape)} do not fit [B, T, D], [B, S, D], [B, S, D]`);
  }
  if (!Number.isInteger(heads) || heads < 1 || D % heads !== 0) throw new Error(`multiHeadAttention: heads ${heads} must be a positive integer dividing D = ${D}`);
  const pad = a.keyPadding ?? null;
  if (pad !== null) {
    checkTensor('multiHeadAttention', 'keyPadding', pad, 'i32', 2);
    if (pad.shape[0] !== B || pad.shape[1] !== S) throw new Error(`multiHeadAttention: keyPadding ${shapeStr(pad.shape)} must be [B, S] = [${B}, ${S}]`);
  }
  const drop = a.dropout ?? null;
  const p = drop === null ? 0 : drop.p;
  if (!(p >= 0 && p < 1)) throw new Error(`multiHeadAttention: dropout p must be in [0, 1), got ${p}`);
  const seed = drop === null ? 0 : drop.seed;
  if (!Number.isSafeInteger(seed)) throw new Error(`multiHeadAttention: dropout seed must be an integer, got ${seed}`);
  const causal = a.causal ?? false;
  const dh = D / heads;
  const padArr = pad === null ? null : pad.i32;

  const needWeights = a.needWeights ?? false;
  // the saved softmax [B, H, T, S] exists only when the backward or the caller needs it
  let probs: Tensor | null = null;
  const out = opOutput([B, T, D], [q, k, v], (out) => {
    const be = backend();
    const dq = be.allocF32(q.size);
    const dk = be.allocF32(k.size);
    const dv = be.allocF32(v.size);
    be.mhaBackward(B, T, S, heads, dh, q.f32, k.f32, v.f32, padArr, causal, p, seed, probs!.f32, out.grad!, dq, dk, dv);
    // accBroadcastGrad takes each buffer over (or adds it and frees it), so q === k works too
    if (q.requiresGrad) accBroadcastGrad(q, dq, q.shape); else be.free(dq);
    if (k.requiresGrad) accBroadcastGrad(k, dk, k.shape); else be.free(dk);
    if (v.requiresGrad) accBroadcastGrad(v, dv, v.shape); else be.free(dv);
  });
  if (out.requiresGrad || needWeights) probs = rawTensor([B, heads, T, S], 'f32');
  backend().mhaForward(B, T, S, heads, dh, q.f32, k.f32, v.f32, padArr, causal, p, seed, out.f32, probs === null ? null : probs.f32);
  if (!needWeights) return { out, weights: null };
  if (!out.requiresGrad) return { out, weights: probs };
  // the backward keeps reading probs: hand the caller a copy it may dispose
  const weights = rawTensor(probs!.shape, 'f32');
  backend().copy(probs!.f32, weights.f32, probs!.size);
  return { out, weights };
}
