/**
 * The Backend: a table of raw array kernels. It knows nothing of tensors or autograd.
 *
 * Conventions for every kernel:
 * - Arrays are typed-array views; a kernel reads/writes from index 0 of each view (callers use
 *   `subarray` for offsets). For the wasm backend, views allocated with `allocF32`/`allocI32` lie in
 *   the module's linear memory, so kernels read them without a copy.
 * - Matrices are row-major; `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
 * - `out` may alias an input only where a kernel says so.
 * - Kernels named `...Acc` or taking `accumulate` ADD into their output (gradient accumulation).
 */
export type F32 = Float32Array;
export type I32 = Int32Array;

export { UnaryOp, BinaryOp, ActKind } from './opcodes.js';
import type { UnaryOp, BinaryOp, ActKind } from './opcodes.js';

export interface Backend {
  readonly name: 'js' | 'wasm';
  /** Threads the heavy kernels use (1 for js). */
  readonly threads: number;

  // ---- memory ----
  /** A new float32 array of n elements; contents unspecified unless `zero` is true. */
  allocF32(n: number, zero?: boolean): F32;
  allocI32(n: number, zero?: boolean): I32;
  /** Returns an array from allocF32/allocI32 to the pool. Using it afterwards is a bug. */
  free(a: F32 | I32): void;
  /** Bytes currently allocated to live arrays and in the pool (for memory tests). */
  memoryStats(): { liveBytes: number; pooledBytes: number; reservedBytes: number };

  // ---- linear algebra ----
  /** C = alpha · op(A) · op(B) + beta · C, op(A) M×K, op(B) K×N, C M×N. beta = 0 ignores C's contents. */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: F32, lda: number, B: F32, ldb: number, beta: number, C: F32, ldc: number,
  ): void;
  /**
   * op(B) (K×N) packed once for several gemmPacked calls with the same B — a weight used at every
   * step of a sequence — or null where the backend gains nothing from packing. Free a non-null
   * result with free(); it is stale once B changes.
   */
  packGemmB(transB: boolean, K: number, N: number, B: F32, ldb: number): F32 | null;
  /** gemm, with `packed` = packGemmB(transB, K, N, B, ldb) (or null): the same values as gemm. */
  gemmPacked(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: F32, lda: number, B: F32, ldb: number, packed: F32 | null, beta: number, C: F32, ldc: number,
  ): void;
  /** `batch` independent gemms; matrix i of A starts at i·strideA (same for B, C). strideB = 0 shares B. */
  gemmBatched(
    batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: F32, strideA: number, lda: number, B: F32, strideB: number, ldb: number,
    beta: number, C: F32, strideC: number, ldc: number,
  ): void;

  // ---- elementwise ----
  fill(out: F32 | I32, value: number, n: number): void;
  copy(src: F32 | I32, dst: F32 | I32, n: number): void;
  /** y += alpha · x */
  axpy(n: number, alpha: number, x: F32, y: F32): void;
  scale(n: number, alpha: number, x: F32, out: F32): void;
  unary(op: UnaryOp, n: number, x: F32, out: F32): void;
  /**
   * dx (+)= dy · f'(x) for op; `y` is f(x) (kernels use whichever is cheaper: tanh/sigmoid/exp use y,
   * log/sqrt/relu/abs/square use x). accumulate = true adds into dx.
   */
  unaryBackward(op: UnaryOp, n: number, x: F32, y: F32, dy: F32, dx: F32, accumulate: boolean): void;
  /** out = a op b, all of length n. */
  binary(op: BinaryOp, n: number, a: F32, b: F32, out: F32): void;
  /**
   * General broadcasting: out[idx] = a[idx · aStrides] op b[idx · bStrides] over `shape` (out is
   * contiguous); a stride of 0 repeats that operand along the dimension.
   */
  binaryStrided(op: BinaryOp, shape: readonly number[], a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32): void;
  /** out[r, j] = a[r, j] op b[j] for r < rows, j < n (row-vector broadcast, the common bias case). */
  binaryRowBroadcast(op: BinaryOp, rows: number, n: number, a: F32, b: F32, out: F32): void;
  /** Strided copy: dst[idx · dstStrides] (+)= src[idx · srcStrides] over `shape` — permute, slice, concat. */
  copyStrided(shape: readonly number[], src: F32 | I32, srcStrides: readonly number[], dst: F32 | I32, dstStrides: readonly number[], accumulate: boolean): void;
  /** out[i] = mask[i] != 0 ? value : x[i] */
  maskedFill(n: number, x: F32, mask: F32 | I32, value: number, out: F32): void;

  // ---- reductions (x viewed as [outer, reduce, inner]) ----
  /** out[o, i] = Σ_r x[o, r, i] (accumulate adds into out). */
  reduceSum(outer: number, reduce: number, inner: number, x: F32, out: F32, accumulate: boolean): void;
  /** out[o, r, i] (+)= g[o, i] — the backward of reduceSum. */
  broadcastInner(outer: number, reduce: number, inner: number, g: F32, out: F32, accumulate: boolean): void;
  /** Σ x[i]² (for gradient-norm clipping); returned in float64. */
  sumSquares(n: number, x: F32): number;

  // ---- softmax family (rows × n, last axis) ----
  softmax(rows: number, n: number, x: F32, out: F32): void;
  logSoftmax(rows: number, n: number, x: F32, out: F32): void;
  /** dx (+)= y ⊙ (dy − Σ dy⊙y) */
  softmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void;
  /** dx (+)= dy − exp(y) · Σ dy */
  logSoftmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void;
  /**
   * Fused softmax cross-entropy with label smoothing over rows × V logits. Row r's target is
   * targets[r]; rows whose target == ignoreIndex contribute 0. The smoothed target distribution puts
   * 1 − ε on the target and ε/V on every class (as PyTorch's label_smoothing).
   * Writes lossRows[r] (0 for ignored rows) and, if probs is given, the softmax for the backward.
   * Returns Σ lossRows.
   */
  softmaxCrossEntropy(rows: number, V: number, logits: F32, targets: I32, ignoreIndex: number, smoothing: number, lossRows: F32, probs: F32 | null): number;
  /** dlogits (+)= scale · (probs − q) on non-ignored rows, where q is the smoothed target. */
  softmaxCrossEntropyBackward(rows: number, V: number, probs: F32, targets: I32, ignoreIndex: number, smoothing: number, scale: number, dlogits: F32, accumulate: boolean): void;

  // ---- embedding ----
  /** out[i, :] = table[ids[i], :] for i < n, rows of width dim. */
  gatherRows(n: number, dim: number, table: F32, ids: I32, out: F32): void;
  /** dTable[ids[i], :] += g[i, :] */
  scatterAddRows(n: number, dim: number, g: F32, ids: I32, dTable: F32): void;

  // ---- fused recurrent cells (batch B, hidden H) ----
  /**
   * LSTM cell. gates: B × 4H pre-activations in the order [i, f, g, o] (as PyTorch), already
   * x·Wᵢ + h·Wₕ + b. Writes h, c (B × H) and overwrites `gates` with the activated gates for the backward.
   */
  lstmCell(B: number, H: number, gates: F32, cPrev: F32, h: F32, c: F32): void;
  /**
   * LSTM cell backward. acts: activated gates from lstmCell; dh, dc: gradients arriving at h and c
   * (dc may be null). Writes dGates (B × 4H, pre-activation) and dcPrev (accumulated if accumulate).
   */
  lstmCellBackward(B: number, H: number, acts: F32, cPrev: F32, c: F32, dh: F32, dc: F32 | null, dGates: F32, dcPrev: F32, accumulate: boolean): void;
  /**
   * GRU cell (PyTorch's formulation). xg = x·Wᵢ + bᵢ and hg = h·Wₕ + bₕ, each B × 3H in order
   * [r, z, n]: r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h' = (1 − z) ⊙ n + z ⊙ h.
   * Writes h' and `acts` (B × 4H: r, z, n, hn) for the backward.
   */
  gruCell(B: number, H: number, xg: F32, hg: F32, hPrev: F32, h: F32, acts: F32): void;
  /** Writes dxg, dhg (B × 3H) and adds into dhPrev (B × H) the direct path z ⊙ dh. */
  gruCellBackward(B: number, H: number, acts: F32, hPrev: F32, dh: F32, dxg: F32, dhg: F32, dhPrev: F32, accumulate: boolean): void;

  // ---- normalisation ----
  /** Layer norm over the last axis (rows × n); writes mean and rstd (per row) for the backward. */
  layerNorm(rows: number, n: number, x: F32, gamma: F32, beta: F32, eps: number, out: F32, mean: F32, rstd: F32): void;
  layerNormBackward(rows: number, n: number, x: F32, gamma: F32, mean: F32, rstd: F32, dy: F32, dx: F32, dGamma: F32, dBeta: F32): void;

  // ---- Transformer blocks ----
  /**
   * Scaled dot-product attention of H heads: q [B, T, D], k, v [B, S, D], D = H·dh, head h in
   * columns h·dh … (h+1)·dh − 1. Query i sees key j iff keyPadding[b, j] = 0 (null: no padding)
   * and, when causal, j ≤ i + S − T. Writes out [B, T, D] and, if given, probs [B, H, T, S]
   * (post-softmax, pre-dropout; a row with no visible key is 0, as is its output). dropP > 0
   * drops weights with a mask drawn from (seed, element index) — see js/attention.ts.
   */
  mhaForward(B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean, dropP: number, seed: number, out: F32, probs: F32 | null): void;
  /** The gradients of mhaForward from its probs and dOut: OVERWRITES dq, dk, dv. */
  mhaBackward(B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean, dropP: number, seed: number, probs: F32, dOut: F32, dq: F32, dk: F32, dv: F32): void;
  /** out[r, j] = act(x[r, j] + bias[j]) over rows × n; out may alias x. */
  biasAct(rows: number, n: number, x: F32, bias: F32, act: ActKind, out: F32): void;
  /** dx (+)= dy · act'(x + bias) when dx is given; dBias ADDS Σ over rows of the same when given. */
  biasActBackward(rows: number, n: number, x: F32, bias: F32, act: ActKind, dy: F32, dx: F32 | null, accumulate: boolean, dBias: F32 | null): void;

  // ---- optimizers ----
  /** One Adam/AdamW step over n parameters (bias corrections precomputed by the caller). */
  adamStep(n: number, param: F32, grad: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, biasCorrection1: number, biasCorrection2: number): void;
  /** SGD with momentum: v = μ·v + g (+ wd·p); p −= lr·v. momentum 0 skips v. */
  sgdStep(n: number, param: F32, grad: F32, velocity: F32 | null, lr: number, momentum: number, weightDecay: number): void;

  // ---- block copies ----
  /**
   * dst[r·dstStride + j] (+)= src[r·srcStride + j] for r < rows, j < n (rows of n contiguous values):
   * the copies of concat, stack, slice, index and reshape. Blocks must not overlap.
   */
  copyRows(rows: number, n: number, src: F32 | I32, srcStride: number, dst: F32 | I32, dstStride: number, accumulate: boolean): void;
}
