// The js reference kernels against naive definitions (other backends are tested against js).
import { describe, it } from 'node:test';
import { JsBackend } from '../../src/kernels/js/index.js';
import { UnaryOp, BinaryOp } from '../../src/kernels/backend.js';
import { Rng } from '../../src/tensor/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const k = new JsBackend();
const rng = new Rng(3);
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);

describe('js kernels', () => {
  it('gemm matches the triple loop for every transpose, padded strides, alpha and beta', () => {
    for (let trial = 0; trial < 60; trial++) {
      const [M, N, K] = [1 + rng.int(9), 1 + rng.int(9), 1 + rng.int(9)];
      const transA = rng.int(2) === 1;
      const transB = rng.int(2) === 1;
      const pad = rng.int(3);
      const lda = (transA ? M : K) + pad;
      const ldb = (transB ? K : N) + pad;
      const ldc = N + pad;
      const A = rand((transA ? K : M) * lda);
      const B = rand((transB ? N : K) * ldb);
      const C = rand(M * ldc);
      const alpha = [1, 0.5, -2][trial % 3]!;
      const beta = [0, 1, 0.3][Math.floor(trial / 3) % 3]!;
      const want = Float64Array.from(C);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let p = 0; p < K; p++) s += (transA ? A[p * lda + i]! : A[i * lda + p]!) * (transB ? B[j * ldb + p]! : B[p * ldb + j]!);
          want[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * ldc + j]!);
        }
      }
      k.gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      assertClose(C, want, 1e-5, 1e-5, `gemm ${M}×${N}×${K} tA=${transA} tB=${transB}`);
    }
  });

  it('gemmBatched is gemm per batch; strideB 0 shares B', () => {
    const [P, M, N, K] = [3, 2, 5, 4];
    const A = rand(P * M * K);
    const B = rand(K * N);
    const C = new Float32Array(P * M * N);
    k.gemmBatched(P, false, false, M, N, K, 1, A, M * K, K, B, 0, N, 0, C, M * N, N);
    for (let p = 0; p < P; p++) {
      const want = new Float32Array(M * N);
      k.gemm(false, false, M, N, K, 1, A.subarray(p * M * K), K, B, N, 0, want, N);
      assertClose(C.subarray(p * M * N, (p + 1) * M * N), want, 0, 0);
    }
  });

  it('binaryStrided and copyStrided follow their strides', () => {
    // [2, 3] + column [2, 1] broadcast (stride 0 on axis 1): np.add(a, b)
    const out = new Float32Array(6);
    k.binaryStrided(BinaryOp.Add, [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 1], Float32Array.from([10, 20]), [1, 0], out);
    assertClose(out, [11, 12, 13, 24, 25, 26], 0, 0);
    // transpose of a [2, 3] matrix by reading with strides [1, 3]
    const t = new Float32Array(6);
    k.copyStrided([3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 3], t, [2, 1], false);
    assertClose(t, [1, 4, 2, 5, 3, 6], 0, 0);
    k.copyStrided([3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 3], t, [2, 1], true);
    assertClose(t, [2, 8, 4, 10, 6, 12], 0, 0);
  });

  it('reductions', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => i);
    const out = new Float32Array(8);
    // x as [2, 3, 4] summed over the middle axis: np.arange(24).reshape(2,3,4).sum(1)
    k.reduceSum(2, 3, 4, x, out, false);
    assertClose(out, [12, 15, 18, 21, 48, 51, 54, 57], 0, 0);
    const back = new Float32Array(24);
    k.broadcastInner(2, 3, 4, out, back, false);
    assertClose(back.subarray(4, 8), [12, 15, 18, 21], 0, 0);
    assertClose([k.sumSquares(3, Float32Array.from([1, 2, 2]))], [9], 0, 0);
  });

  it('unaryBackward matches the derivative of unary', () => {
    const ops = [UnaryOp.Neg, UnaryOp.Exp, UnaryOp.Log, UnaryOp.Tanh, UnaryOp.Sigmoid, UnaryOp.Relu, UnaryOp.Sqrt, UnaryOp.Square, UnaryOp.Abs];
    const x = Float32Array.from([0.3, 0.7, 1.5, 2.2]);
    const dy = Float32Array.from([1, -1, 0.5, 2]);
    for (const op of ops) {
      const y = new Float32Array(4);
      k.unary(op, 4, x, y);
      const dx = new Float32Array(4);
      k.unaryBackward(op, 4, x, y, dy, dx, false);
      const num = Array.from(x, (v, i) => {
        const f = (z: number): number => { const a = Float32Array.from([z]); const b = new Float32Array(1); k.unary(op, 1, a, b); return b[0]!; };
        return (dy[i]! * (f(v + 1e-3) - f(v - 1e-3))) / 2e-3;
      });
      assertClose(dx, num, 2e-3, 2e-2, `unaryBackward op ${op}`);
    }
  });
});
