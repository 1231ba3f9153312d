import { backend } from '../engine.js';
import { intTensor, opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, accGrad, tmpF32, release } from './util.js';
import { linear } from './linalg.js';
import { weightGemm } from './weight-packs.js';
import { BinaryOp } from '../../kernels/backend.js';

/**
 * Looks up rows of `table` [V, D] for int32 `ids` of any shape → [...ids.shape, D].
 * Backward scatter-adds into the table's gradient (repeated ids accumulate).
 */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  checkTensor('embedding', 'table', table, 'f32', 2);
  checkTensor('embedding', 'ids', ids, 'i32');
  const [V, D] = table.shape as [number, number];
  const n = ids.size;
  const idv = ids.i32;
  for (let i = 0; i < n; i++) {
    const id = idv[i]!;
    if (id < 0 || id >= V) throw new Error(`embedding: id ${id} is out of range for table ${shapeStr(table.shape)}`);
  }
  const out = opOutput([...ids.shape, D], [table], (out) => {
    backend().scatterAddRows(n, D, out.grad!, idv, table.gradBuffer());
  });
  backend().gatherRows(n, D, table.f32, idv, out.f32);
  return out;
}

/**
 * linear(embedding(table, ids), weight, bias) as one op: table [V, K], ids i32 [n], weight [K, M],
 * bias [M] | null → [n, M]. Explicit (only callers that ask get it): when ids repeat (at most 90%
 * distinct), the product is computed once per distinct id — gather the U distinct rows, one gemm
 * [U, K]·[K, M], then scatter the rows back to all n outputs (+ bias): the same values, bit for bit,
 * as the plain path. Backward sums dy per distinct id (S [U, M]), then table.grad[uniq] += S·Wᵀ,
 * W.grad += X_uᵀ·S, bias.grad += Σ S. Otherwise it is exactly linear(embedding(table, ids), …).
 */
export function embeddingLinear(table: Tensor, ids: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('embeddingLinear', 'table', table, 'f32', 2);
  checkTensor('embeddingLinear', 'ids', ids, 'i32', 1);
  checkTensor('embeddingLinear', 'weight', weight, 'f32', 2);
  const [V, K] = table.shape as [number, number];
  const [Kw, M] = weight.shape as [number, number];
  if (K !== Kw) throw new Error(`embeddingLinear: inner dimensions do not match: table ${shapeStr(table.shape)} and weight ${shapeStr(weight.shape)}`);
  if (bias !== null) {
    checkTensor('embeddingLinear', 'bias', bias, 'f32', 1);
    if (bias.shape[0] !== M) throw new Error(`embeddingLinear: bias must be [${M}] for weight ${shapeStr(weight.shape)}, got ${shapeStr(bias.shape)}`);
  }
  const n = ids.size;
  const idv = ids.i32;
  // slot[id] = index of id among the distinct ids (first-seen order), −1 if not seen
  const slot = new Int32Array(V).fill(-1);
  const inv = new Int32Array(n);
  const uniq: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = idv[i]!;
    if (id < 0 || id >= V) throw new Error(`embeddingLinear: id ${id} is out of range for table ${shapeStr(table.shape)}`);
    let s = slot[id]!;
    if (s < 0) {
      s = uniq.length;
      slot[id] = s;
      uniq.push(id);
    }
    inv[i] = s;
  }
  const U = uniq.length;
  if (n === 0 || U > 0.9 * n) return linear(embedding(table, ids), weight, bias);

  const k = backend();
  // tape-free scratch tensors (owned by the current scope, so they live until the backward ran)
  const uniqT = intTensor(uniq, [U]);
  const invT = intTensor(inv, [n]);
  const xu = opOutput([U, K], [], null); // X_u: the U distinct rows of the table
  k.gatherRows(U, K, table.f32, uniqT.i32, xu.f32);
  const inputs = bias === null ? [table, weight] : [table, weight, bias];
  const out = opOutput([n, M], inputs, (out) => {
    const kb = backend();
    const g = out.grad!;
    const S = tmpF32(U * M, true);
    kb.scatterAddRows(n, M, g, invT.i32, S);
    if (table.requiresGrad) {
      const gx = tmpF32(U * K);
      kb.gemm(false, true, U, K, M, 1, S, M, weight.f32, M, 0, gx, K);
      kb.scatterAddRows(U, K, gx, uniqT.i32, table.gradBuffer());
      release(gx);
    }
    if (weight.requiresGrad) accGrad(weight, (dst, acc) => kb.gemm(true, false, K, M, U, 1, xu.f32, K, S, M, acc ? 1 : 0, dst, M));
    if (bias !== null && bias.requiresGrad) accGrad(bias, (dst, acc) => kb.reduceSum(1, U, M, S, dst, acc));
    release(S);
  });
  const yu = tmpF32(U * M);
  weightGemm(false, false, U, M, K, xu.f32, K, weight, M, 0, yu, M);
  k.gatherRows(n, M, yu, invT.i32, out.f32);
  release(yu);
  if (bias !== null) k.binaryRowBroadcast(BinaryOp.Add, n, M, out.f32, bias.f32, out.f32);
  return out;
}
