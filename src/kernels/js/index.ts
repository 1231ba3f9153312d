import type { Backend, F32, I32, UnaryOp, BinaryOp, ActKind } from '../backend.js';
import * as gemmK from './gemm.js';
import * as ew from './elementwise.js';
import * as red from './reduce.js';
import * as sm from './softmax.js';
import * as emb from './embedding.js';
import * as cells from './cells.js';
import * as norm from './norm.js';
import * as optim from './optim.js';
import * as mha from './attention.js';
import * as bact from './bias-act.js';

/**
 * The reference backend: plain loops over typed arrays, portable to any JS engine. Every other
 * backend is tested against it. Memory is the JS heap: `free` only updates the byte count that
 * `memoryStats` reports, so tests can still see leaks (arrays allocated and never freed).
 */
export class JsBackend implements Backend {
  readonly name: 'js' | 'wasm' = 'js';
  readonly threads: number = 1;
  private liveBytes = 0;

  // ---- memory ----
  allocF32(n: number, _zero?: boolean): F32 {
    this.liveBytes += n * 4;
    return new Float32Array(n);
  }
  allocI32(n: number, _zero?: boolean): I32 {
    this.liveBytes += n * 4;
    return new Int32Array(n);
  }
  free(a: F32 | I32): void {
    this.liveBytes -= a.length * 4;
  }
  memoryStats(): { liveBytes: number; pooledBytes: number; reservedBytes: number } {
    return { liveBytes: this.liveBytes, pooledBytes: 0, reservedBytes: this.liveBytes };
  }

  // ---- linear algebra ----
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, lda: number, B: F32, ldb: number, beta: number, C: F32, ldc: number): void {
    gemmK.gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
  packGemmB(_transB: boolean, _K: number, _N: number, _B: F32, _ldb: number): F32 | null {
    return null;
  }
  gemmPacked(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, lda: number, B: F32, ldb: number, _packed: F32 | null, beta: number, C: F32, ldc: number): void {
    this.gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
  gemmBatched(batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, strideA: number, lda: number, B: F32, strideB: number, ldb: number, beta: number, C: F32, strideC: number, ldc: number): void {
    gemmK.gemmBatched(batch, transA, transB, M, N, K, alpha, A, strideA, lda, B, strideB, ldb, beta, C, strideC, ldc);
  }

  // ---- elementwise ----
  fill(out: F32 | I32, value: number, n: number): void { ew.fill(out, value, n); }
  copy(src: F32 | I32, dst: F32 | I32, n: number): void { ew.copy(src, dst, n); }
  axpy(n: number, alpha: number, x: F32, y: F32): void { ew.axpy(n, alpha, x, y); }
  scale(n: number, alpha: number, x: F32, out: F32): void { ew.scale(n, alpha, x, out); }
  unary(op: UnaryOp, n: number, x: F32, out: F32): void { ew.unary(op, n, x, out); }
  unaryBackward(op: UnaryOp, n: number, x: F32, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
    ew.unaryBackward(op, n, x, y, dy, dx, accumulate);
  }
  binary(op: BinaryOp, n: number, a: F32, b: F32, out: F32): void { ew.binary(op, n, a, b, out); }
  binaryStrided(op: BinaryOp, shape: readonly number[], a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32): void {
    ew.binaryStrided(op, shape, a, aStrides, b, bStrides, out);
  }
  binaryRowBroadcast(op: BinaryOp, rows: number, n: number, a: F32, b: F32, out: F32): void {
    ew.binaryRowBroadcast(op, rows, n, a, b, out);
  }
  copyStrided(shape: readonly number[], src: F32 | I32, srcStrides: readonly number[], dst: F32 | I32, dstStrides: readonly number[], accumulate: boolean): void {
    ew.copyStrided(shape, src, srcStrides, dst, dstStrides, accumulate);
  }
  maskedFill(n: number, x: F32, mask: F32 | I32, value: number, out: F32): void { ew.maskedFill(n, x, mask, value, out); }

  // ---- reductions ----
  reduceSum(outer: number, reduce: number, inner: number, x: F32, out: F32, accumulate: boolean): void {
    red.reduceSum(outer, reduce, inner, x, out, accumulate);
  }
  broadcastInner(outer: number, reduce: number, inner: number, g: F32, out: F32, accumulate: boolean): void {
    red.broadcastInner(outer, reduce, inner, g, out, accumulate);
  }
  sumSquares(n: number, x: F32): number { return red.sumSquares(n, x); }

  // ---- softmax family ----
  softmax(rows: number, n: number, x: F32, out: F32): void { sm.softmax(rows, n, x, out); }
  logSoftmax(rows: number, n: number, x: F32, out: F32): void { sm.logSoftmax(rows, n, x, out); }
  softmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
    sm.softmaxBackward(rows, n, y, dy, dx, accumulate);
  }
  logSoftmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
    sm.logSoftmaxBackward(rows, n, y, dy, dx, accumulate);
  }
  softmaxCrossEntropy(rows: number, V: number, logits: F32, targets: I32, ignoreIndex: number, smoothing: number, lossRows: F32, probs: F32 | null): number {
    return sm.softmaxCrossEntropy(rows, V, logits, targets, ignoreIndex, smoothing, lossRows, probs);
  }
  softmaxCrossEntropyBackward(rows: number, V: number, probs: F32, targets: I32, ignoreIndex: number, smoothing: number, scale: number, dlogits: F32, accumulate: boolean): void {
    sm.softmaxCrossEntropyBackward(rows, V, probs, targets, ignoreIndex, smoothing, scale, dlogits, accumulate);
  }

  // ---- embedding ----
  gatherRows(n: number, dim: number, table: F32, ids: I32, out: F32): void { emb.gatherRows(n, dim, table, ids, out); }
  scatterAddRows(n: number, dim: number, g: F32, ids: I32, dTable: F32): void { emb.scatterAddRows(n, dim, g, ids, dTable); }

  // ---- fused recurrent cells ----
  lstmCell(B: number, H: number, gates: F32, cPrev: F32, h: F32, c: F32): void { cells.lstmCell(B, H, gates, cPrev, h, c); }
  lstmCellBackward(B: number, H: number, acts: F32, cPrev: F32, c: F32, dh: F32, dc: F32 | null, dGates: F32, dcPrev: F32, accumulate: boolean): void {
    cells.lstmCellBackward(B, H, acts, cPrev, c, dh, dc, dGates, dcPrev, accumulate);
  }
  gruCell(B: number, H: number, xg: F32, hg: F32, hPrev: F32, h: F32, acts: F32): void { cells.gruCell(B, H, xg, hg, hPrev, h, acts); }
  gruCellBackward(B: number, H: number, acts: F32, hPrev: F32, dh: F32, dxg: F32, dhg: F32, dhPrev: F32, accumulate: boolean): void {
    cells.gruCellBackward(B, H, acts, hPrev, dh, dxg, dhg, dhPrev, accumulate);
  }

  // ---- normalisation ----
  layerNorm(rows: number, n: number, x: F32, gamma: F32, beta: F32, eps: number, out: F32, mean: F32, rstd: F32): void {
    norm.layerNorm(rows, n, x, gamma, beta, eps, out, mean, rstd);
  }
  layerNormBackward(rows: number, n: number, x: F32, gamma: F32, mean: F32, rstd: F32, dy: F32, dx: F32, dGamma: F32, dBeta: F32): void {
    norm.layerNormBackward(rows, n, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
  }

  // ---- Transformer blocks ----
  mhaForward(B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean, dropP: number, seed: number, out: F32, probs: F32 | null): void {
    mha.mhaForward(B, T, S, H, dh, q, k, v, keyPadding, causal, dropP, seed, out, probs);
  }
  mhaBackward(B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean, dropP: number, seed: number, probs: F32, dOut: F32, dq: F32, dk: F32, dv: F32): void {
    mha.mhaBackward(B, T, S, H, dh, q, k, v, keyPadding, causal, dropP, seed, probs, dOut, dq, dk, dv);
  }
  biasAct(rows: number, n: number, x: F32, bias: F32, act: ActKind, out: F32): void { bact.biasAct(rows, n, x, bias, act, out); }
  biasActBackward(rows: number, n: number, x: F32, bias: F32, act: ActKind, dy: F32, dx: F32 | null, accumulate: boolean, dBias: F32 | null): void {
    bact.biasActBackward(rows, n, x, bias, act, dy, dx, accumulate, dBias);
  }

  // ---- optimizers ----
  adamStep(n: number, param: F32, grad: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, biasCorrection1: number, biasCorrection2: number): void {
    optim.adamStep(n, param, grad, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, biasCorrection1, biasCorrection2);
  }
  sgdStep(n: number, param: F32, grad: F32, velocity: F32 | null, lr: number, momentum: number, weightDecay: number): void {
    optim.sgdStep(n, param, grad, velocity, lr, momentum, weightDecay);
  }

  // ---- block copies ----
  copyRows(rows: number, n: number, src: F32 | I32, srcStride: number, dst: F32 | I32, dstStride: number, accumulate: boolean): void {
    ew.copyRows(rows, n, src, srcStride, dst, dstStride, accumulate);
  }
}
