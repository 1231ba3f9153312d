// The wasm data-movement kernels (fill, copy, copyStrided, broadcastInner, maskedFill, binaryStrided,
// unaryBackward) and the skinny-gemm direct path, against the js reference, with 1 and 2 threads.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { JsBackend } from '../../src/kernels/js/index.js';
import { WasmBackend } from '../../src/kernels/wasm/index.js';
import { UnaryOp, BinaryOp, type I32 } from '../../src/kernels/backend.js';
import { randF, clone, close } from './helpers.js';

const js = new JsBackend();

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
}
/** Strides that read `shape` as a permutation `perm` of a contiguous array of shape perm(shape). */
function permutedStrides(shape: readonly number[], perm: readonly number[]): number[] {
  const srcShape = perm.map((p) => shape[p]!);
  const cs = contiguousStrides(srcShape);
  const out = new Array<number>(shape.length);
  for (let i = 0; i < perm.length; i++) out[perm[i]!] = cs[i]!;
  return out;
}

const SIZES = [1, 3, 17, 255, 1031];

for (const threads of [1, 2]) {
  describe(`wasm data movement, threads = ${threads}`, () => {
    let be: WasmBackend;
    before(async () => { be = await WasmBackend.create({ threads, minParallelFlops: 1e4, minParallelElems: 8 }); });
    after(async () => { await be.dispose(); });

    test('fill and copy (f32 and i32)', () => {
      for (const n of SIZES) {
        const a = be.allocF32(n + 3), r = new Float32Array(n + 3);
        a.fill(9); r.fill(9);
        for (const v of [0, -2.5, 1e-40, Infinity]) {
          be.fill(a, v, n); js.fill(r, v, n); close(a, r, 0, 0, `fill ${v} ${n}`);
        }
        const ai = be.allocI32(n + 1), ri = new Int32Array(n + 1);
        for (const v of [0, -7, 123456789]) { be.fill(ai, v, n); js.fill(ri, v, n); assert.deepEqual([...ai], [...ri]); }
        const x = randF(be, n, n), y = be.allocF32(n);
        be.copy(x, y, n); assert.deepEqual([...y], [...x]);
        const xi = be.allocI32(n); for (let i = 0; i < n; i++) xi[i] = i * 7 - 3;
        be.copy(xi, ai, n); assert.deepEqual([...ai.subarray(0, n)], [...xi]);
        for (const t of [a, ai, x, y, xi]) be.free(t);
      }
      const z = be.allocF32(37, true); assert.ok(z.every((v) => v === 0)); be.free(z);
    });

    test('copyStrided: permutes, slices, concats, accumulate, i32', () => {
      const cases: { shape: number[]; perm?: number[]; slice?: [number, number, number] }[] = [
        { shape: [1] }, { shape: [17] }, { shape: [3, 5] }, { shape: [1031] },
        { shape: [5, 7], perm: [1, 0] }, { shape: [64, 20], perm: [1, 0] }, { shape: [33, 17], perm: [1, 0] },
        { shape: [3, 4, 5], perm: [2, 0, 1] }, { shape: [20, 64, 8], perm: [1, 0, 2] }, { shape: [6, 1, 9], perm: [2, 1, 0] },
        { shape: [2, 3, 4, 5], perm: [0, 2, 1, 3] }, { shape: [4, 9, 12], perm: [0, 2, 1] },
      ];
      let seed = 1;
      for (const c of cases) {
        const n = c.shape.reduce((a, b) => a * b, 1);
        const ss = c.perm ? permutedStrides(c.shape, c.perm) : contiguousStrides(c.shape);
        const ds = contiguousStrides(c.shape);
        const src = randF(be, n, seed++);
        for (const acc of [false, true]) {
          const dst = randF(be, n, seed++), ref = clone(dst);
          be.copyStrided(c.shape, src, ss, dst, ds, acc); js.copyStrided(c.shape, src, ss, ref, ds, acc);
          close(dst, ref, 0, 0, `copyStrided ${c.shape} perm=${c.perm} acc=${acc}`);
          // the other direction: contiguous source, permuted destination
          const dst2 = randF(be, n, seed++), ref2 = clone(dst2);
          be.copyStrided(c.shape, src, ds, dst2, ss, acc); js.copyStrided(c.shape, src, ds, ref2, ss, acc);
          close(dst2, ref2, 0, 0, `copyStrided (scatter) ${c.shape} perm=${c.perm} acc=${acc}`);
          be.free(dst); be.free(dst2);
        }
        be.free(src);
      }
      // slices and concat: [R, W] rows from a wider [R, W2] array at column offset c0
      for (const [R, W, W2, c0] of [[64, 256, 512, 256], [3, 17, 40, 5], [1280, 128, 256, 0], [7, 1, 3, 2]] as const) {
        const big = randF(be, R * W2, seed++), small = randF(be, R * W, seed++);
        for (const acc of [false, true]) {
          const o = be.allocF32(R * W), or = new Float32Array(R * W);
          o.fill(0.5); or.fill(0.5);
          be.copyStrided([R, W], big.subarray(c0), [W2, 1], o, [W, 1], acc); js.copyStrided([R, W], big.subarray(c0), [W2, 1], or, [W, 1], acc);
          close(o, or, 0, 0, `slice ${R}x${W} of ${W2} acc=${acc}`);
          const b2 = be.allocF32(R * W2), b2r = new Float32Array(R * W2);
          b2.fill(-1); b2r.fill(-1);
          be.copyStrided([R, W], small, [W, 1], b2.subarray(c0), [W2, 1], acc); js.copyStrided([R, W], small, [W, 1], b2r.subarray(c0), [W2, 1], acc);
          close(b2, b2r, 0, 0, `concat ${R}x${W} into ${W2} acc=${acc}`);
          be.free(o); be.free(b2);
        }
        be.free(big); be.free(small);
      }
      // broadcast source (stride 0), empty shape, rank 0, i32
      const s = randF(be, 5, 99), d = be.allocF32(15), dr = new Float32Array(15);
      be.copyStrided([3, 5], s, [0, 1], d, [5, 1], false); js.copyStrided([3, 5], s, [0, 1], dr, [5, 1], false);
      close(d, dr, 0, 0, 'broadcast source');
      be.copyStrided([0, 5], s, [5, 1], d, [5, 1], false);
      be.copyStrided([], s, [], d, [], false); js.copyStrided([], s, [], dr, [], false);
      close(d, dr, 0, 0, 'rank 0');
      const si = be.allocI32(12), di = be.allocI32(12), dri = new Int32Array(12);
      for (let i = 0; i < 12; i++) si[i] = i * 1000003;
      be.copyStrided([3, 4], si, [1, 3], di, [4, 1], false); js.copyStrided([3, 4], si, [1, 3], dri, [4, 1], false);
      assert.deepEqual([...di], [...dri]);
      for (const t of [s, d, si, di]) be.free(t);
    });

    test('copyRows: contiguous, strided, accumulate, i32', () => {
      let seed = 900;
      for (const [rows, n, ss, ds] of [[1, 1, 1, 1], [1, 1031, 1031, 1031], [64, 256, 512, 256], [64, 256, 256, 512], [3, 17, 17, 17], [7, 5, 9, 6], [1280, 128, 256, 128]]) {
        const src = randF(be, rows * ss + n, seed++);
        for (const acc of [false, true]) {
          const dst = randF(be, rows * ds + n, seed++), ref = clone(dst);
          be.copyRows(rows, n, src, ss, dst, ds, acc); js.copyRows(rows, n, src, ss, ref, ds, acc);
          close(dst, ref, 0, 0, `copyRows ${rows}x${n} ${ss}/${ds} acc=${acc}`);
          be.free(dst);
        }
        be.free(src);
      }
      const si = be.allocI32(40), di = be.allocI32(40, true), ri = new Int32Array(40);
      for (let i = 0; i < 40; i++) si[i] = i * 77777;
      be.copyRows(4, 5, si, 10, di, 5, false); js.copyRows(4, 5, si, 10, ri, 5, false);
      assert.deepEqual([...di], [...ri]);
      be.free(si); be.free(di);
    });

    test('broadcastInner', () => {
      for (const [o, r, i] of [[1, 1, 1], [3, 17, 1], [2, 255, 3], [1, 1031, 17], [4, 3, 255], [64, 20, 256]]) {
        const g = randF(be, o * i, o + r + i);
        for (const acc of [false, true]) {
          const out = randF(be, o * r * i, 5), ref = clone(out);
          be.broadcastInner(o, r, i, g, out, acc); js.broadcastInner(o, r, i, g, ref, acc);
          close(out, ref, 0, 0, `broadcastInner ${o},${r},${i} acc=${acc}`);
          be.free(out);
        }
        be.free(g);
      }
    });

    test('maskedFill (f32 and i32 masks)', () => {
      for (const n of SIZES) {
        const x = randF(be, n, n), mf = randF(be, n, n + 1), mi = be.allocI32(n);
        for (let i = 0; i < n; i++) { mf[i] = i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : -0; mi[i] = i % 2 ? 0 : i - 5; }
        if (n > 2) mf[2] = NaN;
        const out = be.allocF32(n), ref = new Float32Array(n);
        for (const v of [-1e9, 0, -Infinity]) {
          be.maskedFill(n, x, mf, v, out); js.maskedFill(n, x, mf, v, ref); close(out, ref, 0, 0, `maskedFill f32 ${n}`);
          be.maskedFill(n, x, mi, v, out); js.maskedFill(n, x, mi, v, ref); close(out, ref, 0, 0, `maskedFill i32 ${n}`);
        }
        for (const t of [x, mf, mi, out]) be.free(t);
      }
    });

    test('unaryBackward: all ops, accumulate', () => {
      for (const n of SIZES) {
        const x = randF(be, n, n, -3, 3), pos = randF(be, n, n + 1, 0.1, 4), dy = randF(be, n, n + 2);
        if (n > 3) { x[1] = 0; x[2] = -0; }
        const y = be.allocF32(n), yp = be.allocF32(n), yr = new Float32Array(n);
        for (const op of [UnaryOp.Neg, UnaryOp.Exp, UnaryOp.Log, UnaryOp.Tanh, UnaryOp.Sigmoid, UnaryOp.Relu, UnaryOp.Sqrt, UnaryOp.Square, UnaryOp.Abs]) {
          const xx = op === UnaryOp.Log || op === UnaryOp.Sqrt ? pos : x;
          js.unary(op, n, xx, yr); y.set(yr);
          for (const acc of [false, true]) {
            const dx = randF(be, n, 7), dr = clone(dx);
            be.unaryBackward(op, n, xx, y, dy, dx, acc); js.unaryBackward(op, n, xx, y, dy, dr, acc);
            close(dx, dr, 1e-6, 1e-7, `unaryBackward ${op} ${n} acc=${acc}`);
            be.free(dx);
          }
        }
        for (const t of [x, pos, dy, y, yp]) be.free(t);
      }
    });

    test('binaryStrided: broadcasts of every kind', () => {
      const cases: [number[], number[], number[]][] = [
        // shape, a strides, b strides
        [[3, 5], [5, 1], [0, 1]], [[3, 5], [5, 1], [1, 0]], [[17, 255], [0, 1], [1, 0]], [[2, 3, 4], [12, 4, 1], [4, 0, 1]],
        [[64, 20, 256], [5120, 256, 1], [256, 0, 1]], [[1031], [1], [0]], [[4, 1, 6], [6, 6, 1], [0, 0, 1]], [[5, 7], [1, 5], [7, 1]],
      ];
      let seed = 3;
      for (const [shape, sa, sb] of cases) {
        const n = shape.reduce((a, b) => a * b, 1);
        const span = (s: number[]): number => 1 + shape.reduce((acc, d, i) => acc + (d - 1) * s[i]!, 0);
        const a = randF(be, span(sa), seed++), b = randF(be, span(sb), seed++, 0.5, 2);
        const out = be.allocF32(n), ref = new Float32Array(n);
        for (const op of [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div]) {
          be.binaryStrided(op, shape, a, sa, b, sb, out); js.binaryStrided(op, shape, a, sa, b, sb, ref);
          close(out, ref, 1e-6, 0, `binaryStrided ${op} ${shape} a${sa} b${sb}`);
        }
        for (const t of [a, b, out]) be.free(t);
      }
    });

    test('skinny gemm (M < 5 or K ≤ 4): transposes, alpha/beta, padded strides', () => {
      let seed = 500;
      for (const [M, N, K] of [[1, 20, 256], [1, 256, 20], [20, 256, 1], [4, 33, 7], [2, 1, 5], [3, 1031, 2], [64, 17, 4], [1, 1, 1]]) {
        for (const tA of [false, true]) for (const tB of [false, true]) for (const [alpha, beta] of [[1, 0], [0.5, 1], [-1, 0.25]] as const) {
          const lda = (tA ? M : K) + 1, ldb = (tB ? K : N) + 2, ldc = N + 1;
          const A = randF(be, (tA ? K : M) * lda, seed++), B = randF(be, (tB ? N : K) * ldb, seed++), C = randF(be, M * ldc, seed++);
          if (beta === 0) C.fill(NaN);
          const ref = clone(C);
          be.gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
          js.gemm(tA, tB, M, N, K, alpha, clone(A), lda, clone(B), ldb, beta, ref, ldc);
          // NaN padding columns stay NaN in both; compare the rest
          close(C, ref, 1e-5, 1e-5 * Math.sqrt(K), `skinny gemm ${M}x${N}x${K} tA=${tA} tB=${tB} a=${alpha} b=${beta}`);
          for (const t of [A, B, C]) be.free(t);
        }
      }
      // the attention bmm's of one decoder step (batch 64)
      for (const [batch, tA, tB, M, N, K, beta] of [[64, false, true, 1, 20, 256, 0], [64, true, false, 20, 256, 1, 1], [64, false, false, 1, 256, 20, 0], [3, false, false, 1, 256, 20, 1]] as const) {
        const sA = M * K, sB = K * N, sC = M * N;
        const A = randF(be, batch * sA, seed++), B = randF(be, batch * sB, seed++), C = randF(be, batch * sC, seed++), ref = clone(C);
        be.gemmBatched(batch, tA, tB, M, N, K, 1, A, sA, tA ? M : K, B, sB, tB ? K : N, beta, C, sC, N);
        js.gemmBatched(batch, tA, tB, M, N, K, 1, A, sA, tA ? M : K, B, sB, tB ? K : N, beta, ref, sC, N);
        close(C, ref, 1e-5, 1e-5, `bmm ${batch}x${M}x${N}x${K}`);
        for (const t of [A, B, C]) be.free(t);
      }
    });
  });
}

test('skinny gemm results do not depend on the thread count', async () => {
  const b1 = await WasmBackend.create({ threads: 1 });
  const b2 = await WasmBackend.create({ threads: 2, minParallelFlops: 1e3 });
  const run = (be: WasmBackend, M: number, N: number, K: number, tB: boolean): Float32Array => {
    const A = randF(be, M * K, 1), B = randF(be, K * N, 2), C = be.allocF32(M * N);
    be.gemm(false, tB, M, N, K, 1, A, K, B, tB ? K : N, 0, C, N);
    return Float32Array.from(C);
  };
  for (const [M, N, K] of [[3, 129, 300], [4, 1000, 256], [37, 129, 3]]) for (const tB of [false, true]) {
    assert.deepEqual(run(b1, M, N, K, tB), run(b2, M, N, K, tB));
  }
  await b1.dispose(); await b2.dispose();
});

export type _I32 = I32;
