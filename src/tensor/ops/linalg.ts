import { backend } from '../engine.js';
import { opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, accGrad } from './util.js';
import { BinaryOp } from '../../kernels/backend.js';
import { weightGemm } from './weight-packs.js';

/**
 * 2-D matrix product op(a) · op(b), op = transpose when the flag is set.
 * a: [M, K] (or [K, M] with transA), b: [K, N] (or [N, K] with transB) → [M, N].
 */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkTensor('matmul', 'a', a, 'f32', 2);
  checkTensor('matmul', 'b', b, 'f32', 2);
  const [ar, ac] = a.shape as [number, number];
  const [br, bc] = b.shape as [number, number];
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const Kb = transB ? bc : br;
  const N = transB ? br : bc;
  if (K !== Kb) {
    throw new Error(`matmul: inner dimensions do not match: ${shapeStr(a.shape)}${transA ? 'ᵀ' : ''} and ${shapeStr(b.shape)}${transB ? 'ᵀ' : ''}`);
  }
  const lda = ac;
  const ldb = bc;
  const out = opOutput([M, N], [a, b], (out) => {
    const k = backend();
    const g = out.grad!;
    if (a.requiresGrad) {
      accGrad(a, (dst, acc) => {
        const beta = acc ? 1 : 0;
        // dA' = dC · op(B)ᵀ; with transA, dA = op(B) · dCᵀ
        if (!transA) k.gemm(false, !transB, M, K, N, 1, g, N, b.f32, ldb, beta, dst, K);
        else k.gemm(transB, true, K, M, N, 1, b.f32, ldb, g, N, beta, dst, M);
      });
    }
    if (b.requiresGrad) {
      accGrad(b, (dst, acc) => {
        const beta = acc ? 1 : 0;
        // dB' = op(A)ᵀ · dC; with transB, dB = dCᵀ · op(A)
        if (!transB) k.gemm(!transA, false, K, N, M, 1, a.f32, lda, g, N, beta, dst, N);
        else k.gemm(true, transA, N, K, M, 1, g, N, a.f32, lda, beta, dst, K);
      });
    }
  });
  // b a parameter in a decode: its pack is reused across steps (weight-packs.ts)
  weightGemm(transA, transB, M, N, K, a.f32, lda, b, ldb, 0, out.f32, N);
  return out;
}

/**
 * Batched matrix product over the leading axis: a [batch, M, K], b [batch, K, N] (either
 * transposed per flag, as in matmul) → [batch, M, N].
 */
export function bmm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkTensor('bmm', 'a', a, 'f32', 3);
  checkTensor('bmm', 'b', b, 'f32', 3);
  const [P, ar, ac] = a.shape as [number, number, number];
  const [Pb, br, bc] = b.shape as [number, number, number];
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const Kb = transB ? bc : br;
  const N = transB ? br : bc;
  if (P !== Pb) throw new Error(`bmm: batch sizes do not match: ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (K !== Kb) {
    throw new Error(`bmm: inner dimensions do not match: ${shapeStr(a.shape)}${transA ? 'ᵀ' : ''} and ${shapeStr(b.shape)}${transB ? 'ᵀ' : ''}`);
  }
  const lda = ac;
  const ldb = bc;
  const sA = ar * ac;
  const sB = br * bc;
  const sC = M * N;
  const out = opOutput([P, M, N], [a, b], (out) => {
    const k = backend();
    const g = out.grad!;
    if (a.requiresGrad) {
      accGrad(a, (dst, acc) => {
        const beta = acc ? 1 : 0;
        if (!transA) k.gemmBatched(P, false, !transB, M, K, N, 1, g, sC, N, b.f32, sB, ldb, beta, dst, sA, K);
        else k.gemmBatched(P, transB, true, K, M, N, 1, b.f32, sB, ldb, g, sC, N, beta, dst, sA, M);
      });
    }
    if (b.requiresGrad) {
      accGrad(b, (dst, acc) => {
        const beta = acc ? 1 : 0;
        if (!transB) k.gemmBatched(P, !transA, false, K, N, M, 1, a.f32, sA, lda, g, sC, N, beta, dst, sB, N);
        else k.gemmBatched(P, true, transA, N, K, M, 1, g, sC, N, a.f32, sA, lda, beta, dst, sB, K);
      });
    }
  });
  backend().gemmBatched(P, transA, transB, M, N, K, 1, a.f32, sA, lda, b.f32, sB, ldb, 0, out.f32, sC, N);
  return out;
}

/**
 * x·W + b in one op: x [N, K], weight [K, M], bias [M] (or null) → [N, M]. The same values as
 * add(matmul(x, weight), bias), without the intermediate product or the copy of its gradient: the
 * bias is added in place after the gemm, and the backward feeds out.grad straight to the three
 * gradients (two gemms that accumulate with beta = 1, one column sum).
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('linear', 'x', x, 'f32', 2);
  checkTensor('linear', 'weight', weight, 'f32', 2);
  const [N, K] = x.shape as [number, number];
  const [Kw, M] = weight.shape as [number, number];
  if (K !== Kw) throw new Error(`linear: inner dimensions do not match: ${shapeStr(x.shape)} and ${shapeStr(weight.shape)}`);
  if (bias !== null) {
    checkTensor('linear', 'bias', bias, 'f32', 1);
    if (bias.shape[0] !== M) throw new Error(`linear: bias must be [${M}] for weight ${shapeStr(weight.shape)}, got ${shapeStr(bias.shape)}`);
  }
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const out = opOutput([N, M], inputs, (out) => {
    const k = backend();
    const g = out.grad!;
    if (x.requiresGrad) accGrad(x, (dst, acc) => k.gemm(false, true, N, K, M, 1, g, M, weight.f32, M, acc ? 1 : 0, dst, K));
    if (weight.requiresGrad) accGrad(weight, (dst, acc) => k.gemm(true, false, K, M, N, 1, x.f32, K, g, M, acc ? 1 : 0, dst, M));
    if (bias !== null && bias.requiresGrad) accGrad(bias, (dst, acc) => k.reduceSum(1, N, M, g, dst, acc));
  });
  const k = backend();
  weightGemm(false, false, N, M, K, x.f32, K, weight, M, 0, out.f32, M);
  // elementwise, so out may alias its first operand
  if (bias !== null) k.binaryRowBroadcast(BinaryOp.Add, N, M, out.f32, bias.f32, out.f32);
  return out;
}
