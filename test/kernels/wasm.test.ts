// Every wasm kernel against the js reference backend, on awkward sizes, with 1 and 2 threads.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { JsBackend } from '../../src/kernels/js/index.js';
import { WasmBackend } from '../../src/kernels/wasm/index.js';
import { createBackend, disposeBackend } from '../../src/kernels/index.js';
import { UnaryOp, BinaryOp, type I32 } from '../../src/kernels/backend.js';
import { getPlatform, type Platform } from '../../src/platform/index.js';
import { relaxedSimdSupported, type SimdVariant } from '../../src/kernels/wasm/variant.js';
import { randF, clone, close } from './helpers.js';

const js = new JsBackend();


const SIZES = [1, 3, 17, 255, 1031];
// Every kernel build this engine runs: plain SIMD always, relaxed SIMD (FMA) where supported. The
// tolerances below hold for both (a fused multiply-add rounds once where mul + add round twice).
const VARIANTS: SimdVariant[] = relaxedSimdSupported(await getPlatform()) ? ['plain', 'relaxed'] : ['plain'];

for (const simd of VARIANTS) for (const threads of [1, 2]) {
  describe(`wasm backend (${simd}), threads = ${threads}`, () => {
    let be: WasmBackend;
    before(async () => {
      be = await WasmBackend.create({ threads, minParallelFlops: 1e4, minParallelElems: 8, simd });
      assert.equal(be.simd, simd);
    });
    after(async () => { await be.dispose(); });

    test('gemm: shapes × transposes × alpha/beta', () => {
      const shapes: [number, number, number][] = [[1, 1, 1], [3, 17, 255], [64, 1031, 256], [17, 3, 1], [255, 7, 33], [6, 9, 300], [13, 21, 513]];
      let seed = 1;
      for (const [M, N, K] of shapes) {
        for (const tA of [false, true]) for (const tB of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [0.7, 0.3], [-1.5, 1]] as const) {
            const lda = (tA ? M : K) + 1, ldb = (tB ? K : N) + 2, ldc = N + 3; // padded strides
            const A = randF(be, (tA ? K : M) * lda, seed++), B = randF(be, (tB ? N : K) * ldb, seed++);
            const C = randF(be, M * ldc, seed++);
            const ref = clone(C);
            be.gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            js.gemm(tA, tB, M, N, K, alpha, clone(A), lda, clone(B), ldb, beta, ref, ldc);
            close(C, ref, 1e-4, 1e-5 * Math.sqrt(K), `gemm ${M}x${N}x${K} tA=${tA} tB=${tB} a=${alpha} b=${beta}`);
            be.free(A); be.free(B); be.free(C);
          }
        }
      }
    });

    test('gemm: beta = 0 ignores NaN in C; K = 0 scales C', () => {
      const A = randF(be, 12, 5), B = randF(be, 12, 6), C = be.allocF32(9);
      C.fill(NaN);
      be.gemm(false, false, 3, 3, 4, 1, A, 4, B, 3, 0, C, 3);
      for (const v of C) assert.ok(Number.isFinite(v));
      C.fill(2);
      be.gemm(false, false, 3, 3, 0, 1, A, 4, B, 3, 0.5, C, 3);
      for (const v of C) assert.equal(v, 1);
    });

    test('gemmPacked (B packed once by packGemmB): equal to gemm, bit for bit, and to js', () => {
      // K past one KC block (256), N past one NC block (1024), skinny M (< 5) and K ≤ 4, partial panels
      const shapes: [number, number, number][] = [[1, 1, 1], [3, 17, 255], [64, 1031, 300], [17, 3, 1], [6, 9, 300], [70, 1024, 513], [5, 8, 4], [71, 33, 257]];
      let seed = 500;
      for (const [M, N, K] of shapes) {
        for (const tA of [false, true]) for (const tB of [false, true]) {
          const lda = (tA ? M : K) + 1, ldb = (tB ? K : N) + 2, ldc = N + 3;
          const A = randF(be, (tA ? K : M) * lda, seed++), B = randF(be, (tB ? N : K) * ldb, seed++);
          const packed = be.packGemmB(tB, K, N, B, ldb);
          assert.ok(packed !== null);
          for (const [alpha, beta] of [[1, 0], [-1.5, 1]] as const) {
            const C = randF(be, M * ldc, seed++);
            const viaGemm = be.allocF32(C.length), ref = clone(C);
            viaGemm.set(C);
            for (let rep = 0; rep < 2; rep++) { // the packed B is reused unchanged
              const c = rep === 0 ? C : randF(be, M * ldc, seed - 1);
              be.gemmPacked(tA, tB, M, N, K, alpha, A, lda, B, ldb, packed, beta, c, ldc);
              if (rep === 0) continue;
              assert.deepEqual(Array.from(c), Array.from(C), 'gemmPacked reuse');
              be.free(c);
            }
            be.gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, viaGemm, ldc);
            js.gemm(tA, tB, M, N, K, alpha, clone(A), lda, clone(B), ldb, beta, ref, ldc);
            const what = `gemmPacked ${M}x${N}x${K} tA=${tA} tB=${tB} a=${alpha} b=${beta}`;
            assert.deepEqual(Array.from(C), Array.from(viaGemm), `${what}: differs from gemm`);
            close(C, ref, 1e-4, 1e-5 * Math.sqrt(K), what);
            be.free(C); be.free(viaGemm);
          }
          be.free(packed!); be.free(A); be.free(B);
        }
      }
      // null packed (and the js backend) fall back to gemm
      const A = randF(be, 12, 7), B = randF(be, 12, 8), C = be.allocF32(9), ref = new Float32Array(9);
      be.gemmPacked(false, false, 3, 3, 4, 1, A, 4, B, 3, null, 0, C, 3);
      js.gemmPacked(false, false, 3, 3, 4, 1, clone(A), 4, clone(B), 3, js.packGemmB(false, 4, 3, clone(B), 3), 0, ref, 3);
      close(C, ref, 1e-5, 1e-6, 'gemmPacked null');
      be.free(A); be.free(B); be.free(C);
    });

    test('gemmBatched, shared B and not', () => {
      let seed = 100;
      for (const [batch, M, N, K] of [[1, 3, 17, 5], [3, 17, 33, 64], [5, 64, 20, 256], [2, 1, 1, 1], [1, 64, 1031, 255]]) {
        for (const tA of [false, true]) for (const tB of [false, true]) for (const shareB of [false, true]) {
          // batch 1, big enough (2·M·N·K ≫ minParallelFlops) that the one gemm is split over threads;
          // with one batch a shared B is the same call, so once is enough
          if (batch === 1 && shareB && M * N * K > 1e6) continue;
          const sA = M * K, sB = shareB ? 0 : K * N, sC = M * N;
          const A = randF(be, batch * sA, seed++), B = randF(be, shareB ? K * N : batch * sB, seed++), C = randF(be, batch * sC, seed++);
          const ref = clone(C);
          be.gemmBatched(batch, tA, tB, M, N, K, 0.9, A, sA, tA ? M : K, B, sB, tB ? K : N, 0.5, C, sC, N);
          js.gemmBatched(batch, tA, tB, M, N, K, 0.9, clone(A), sA, tA ? M : K, clone(B), sB, tB ? K : N, 0.5, ref, sC, N);
          close(C, ref, 1e-4, 1e-4, `gemmBatched b=${batch} ${M}x${N}x${K} tA=${tA} tB=${tB} share=${shareB}`);
          be.free(A); be.free(B); be.free(C);
        }
      }
    });

    test('axpy, scale, binary, binaryRowBroadcast', () => {
      for (const n of SIZES) {
        const x = randF(be, n, n), y = randF(be, n, n + 1), out = be.allocF32(n), ref = new Float32Array(n);
        const y2 = clone(y);
        be.axpy(n, 0.3, x, y); js.axpy(n, 0.3, x, y2); close(y, y2, 1e-6, 1e-7, `axpy ${n}`);
        be.scale(n, -2.5, x, out); js.scale(n, -2.5, x, ref); close(out, ref, 1e-6, 0, `scale ${n}`);
        const b = randF(be, n, n + 7, 0.5, 2);
        for (const op of [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div]) {
          be.binary(op, n, x, b, out); js.binary(op, n, x, b, ref); close(out, ref, 1e-6, 0, `binary ${op} ${n}`);
        }
        const rows = 3, big = randF(be, rows * n, n + 9), o2 = be.allocF32(rows * n), r2 = new Float32Array(rows * n);
        for (const op of [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div]) {
          be.binaryRowBroadcast(op, rows, n, big, b, o2); js.binaryRowBroadcast(op, rows, n, big, b, r2);
          close(o2, r2, 1e-6, 0, `binaryRowBroadcast ${op} ${n}`);
        }
        for (const a of [x, y, out, b, big, o2]) be.free(a);
      }
    });

    test('unary: all ops within 1e-6 relative (+ tiny absolute) of js', () => {
      for (const n of SIZES) {
        const x = randF(be, n, 3 * n, -12, 12), pos = randF(be, n, 5 * n, 1e-3, 50);
        const out = be.allocF32(n), ref = new Float32Array(n);
        for (const op of [UnaryOp.Neg, UnaryOp.Exp, UnaryOp.Tanh, UnaryOp.Sigmoid, UnaryOp.Relu, UnaryOp.Square, UnaryOp.Abs]) {
          be.unary(op, n, x, out); js.unary(op, n, x, ref);
          close(out, ref, 1e-6, 1e-30, `unary ${op} n=${n}`);
        }
        for (const op of [UnaryOp.Log, UnaryOp.Sqrt]) {
          be.unary(op, n, pos, out); js.unary(op, n, pos, ref);
          close(out, ref, 1e-6, 1e-7, `unary ${op} n=${n}`);
        }
        be.free(x); be.free(pos); be.free(out);
      }
      // small arguments and extremes: tanh(x) ≈ x, exp under/overflow, NaN
      const x = be.allocF32(8);
      x.set([1e-6, -3e-4, 0.6, -0.7, 100, -100, 89, NaN]);
      const out = be.allocF32(8), ref = new Float32Array(8);
      for (const op of [UnaryOp.Exp, UnaryOp.Tanh, UnaryOp.Sigmoid]) {
        be.unary(op, 8, x, out); js.unary(op, 8, x, ref);
        close(out, ref, 1e-6, 1e-37, `unary ${op} extremes`);
      }
      be.free(x); be.free(out);
    });

    test('reduceSum, sumSquares', () => {
      for (const [o, r, i] of [[1, 1, 1], [3, 17, 1], [2, 255, 3], [1, 1031, 17], [4, 3, 255]]) {
        const x = randF(be, o * r * i, o + r + i), out = randF(be, o * i, 9), ref = clone(out);
        for (const acc of [false, true]) {
          be.reduceSum(o, r, i, x, out, acc); js.reduceSum(o, r, i, x, ref, acc);
          close(out, ref, 1e-5, 1e-5, `reduceSum ${o},${r},${i} acc=${acc}`);
        }
        be.free(x); be.free(out);
      }
      for (const n of SIZES) {
        const x = randF(be, n, n * 11);
        const a = be.sumSquares(n, x), e = js.sumSquares(n, x);
        assert.ok(Math.abs(a - e) <= 1e-9 * Math.abs(e) + 1e-12, `sumSquares ${n}: ${a} vs ${e}`);
        be.free(x);
      }
    });

    test('softmax, logSoftmax and their backwards', () => {
      for (const n of SIZES) {
        const rows = 3;
        const x = randF(be, rows * n, n + 2, -8, 8), out = be.allocF32(rows * n), ref = new Float32Array(rows * n);
        be.softmax(rows, n, x, out); js.softmax(rows, n, x, ref); close(out, ref, 1e-5, 1e-9, `softmax ${n}`);
        const y = clone(out);
        be.logSoftmax(rows, n, x, out); js.logSoftmax(rows, n, x, ref); close(out, ref, 1e-5, 1e-5, `logSoftmax ${n}`);
        const ly = clone(out);
        const dy = randF(be, rows * n, n + 3), yw = be.allocF32(rows * n), lyw = be.allocF32(rows * n);
        yw.set(y); lyw.set(ly);
        for (const acc of [false, true]) {
          const dx = randF(be, rows * n, 77), dref = clone(dx);
          be.softmaxBackward(rows, n, yw, dy, dx, acc); js.softmaxBackward(rows, n, yw, dy, dref, acc);
          close(dx, dref, 1e-4, 1e-6, `softmaxBackward ${n} acc=${acc}`);
          be.logSoftmaxBackward(rows, n, lyw, dy, dx, acc); js.logSoftmaxBackward(rows, n, lyw, dy, dref, acc);
          close(dx, dref, 1e-4, 1e-5, `logSoftmaxBackward ${n} acc=${acc}`);
          be.free(dx);
        }
        for (const a of [x, out, dy, yw, lyw]) be.free(a);
      }
    });

    test('logSoftmax keeps its precision on large-magnitude logits', () => {
      // rows around ±1000 and at the f32 exp limit (88–89): wasm once computed x − (m + log Σ) in
      // f32, which rounds log Σ to the spacing of m (~6e-5 at 1000); (x − m) − log Σ does not
      const rowsV: number[][] = [
        [1000, 1000.5, 999.25, 1001, 1000.125, 998, 1000.75],
        [-1000, -1000.5, -999.25, -1001, -1000.125, -998, -1000.75],
        [88, 88.5, 89, 88.25, 88.75, 88.125, 88.9],
        [1000, -1000, 0, 999.9, 88.7, -88.7, 1000.01],
      ];
      for (const n of [7, 1031]) {
        const rows = rowsV.length, x = be.allocF32(rows * n), out = be.allocF32(rows * n), ref = new Float32Array(rows * n);
        for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) x[r * n + j] = rowsV[r]![j % 7]! + (j >= 7 ? (j % 13) * 0.0625 : 0);
        be.logSoftmax(rows, n, x, out); js.logSoftmax(rows, n, x, ref);
        // a few f32 ulps of the result, not of the logits
        close(out, ref, 4e-7, 1e-6, `logSoftmax large logits n=${n}`);
        for (const v of out) assert.ok(Number.isFinite(v) && v <= 0);
        be.free(x); be.free(out);
      }
    });

    test('softmaxCrossEntropy (+ backward), smoothing and ignoreIndex', () => {
      for (const V of [1, 3, 17, 255, 1031]) {
        const rows = 7;
        const logits = randF(be, rows * V, V, -6, 6);
        const targets = be.allocI32(rows);
        for (let r = 0; r < rows; r++) targets[r] = (r * 31 + 5) % V;
        targets[2] = -100; // ignored
        for (const eps of [0, 0.1]) {
          const loss = be.allocF32(rows), probs = be.allocF32(rows * V);
          const lref = new Float32Array(rows), pref = new Float32Array(rows * V);
          const t = be.softmaxCrossEntropy(rows, V, logits, targets, -100, eps, loss, probs);
          const tr = js.softmaxCrossEntropy(rows, V, logits, targets, -100, eps, lref, pref);
          close(loss, lref, 1e-5, 1e-5, `sce loss V=${V} eps=${eps}`);
          close(probs, pref, 1e-5, 1e-9, `sce probs V=${V} eps=${eps}`);
          assert.ok(Math.abs(t - tr) <= 1e-5 * Math.abs(tr) + 1e-5, `sce total ${t} vs ${tr}`);
          const t2 = be.softmaxCrossEntropy(rows, V, logits, targets, -100, eps, loss, null);
          assert.ok(Math.abs(t2 - tr) <= 1e-5 * Math.abs(tr) + 1e-5, `sce total (no probs) ${t2} vs ${tr}`);
          for (const acc of [false, true]) {
            const d = randF(be, rows * V, 3), dref = clone(d);
            be.softmaxCrossEntropyBackward(rows, V, probs, targets, -100, eps, 0.25, d, acc);
            js.softmaxCrossEntropyBackward(rows, V, pref, targets, -100, eps, 0.25, dref, acc);
            close(d, dref, 1e-5, 1e-7, `sce backward V=${V} eps=${eps} acc=${acc}`);
            be.free(d);
          }
          be.free(loss); be.free(probs);
        }
        be.free(logits); be.free(targets);
      }
    });

    test('gatherRows, scatterAddRows', () => {
      for (const dim of [1, 3, 17, 255, 1031]) {
        const rowsT = 11, n = 9;
        const table = randF(be, rowsT * dim, dim), ids = be.allocI32(n);
        for (let i = 0; i < n; i++) ids[i] = (i * 7) % rowsT; // repeats
        const out = be.allocF32(n * dim), ref = new Float32Array(n * dim);
        be.gatherRows(n, dim, table, ids, out); js.gatherRows(n, dim, table, ids, ref);
        close(out, ref, 0, 0, `gatherRows ${dim}`);
        const g = randF(be, n * dim, 4), dT = randF(be, rowsT * dim, 5), dref = clone(dT);
        be.scatterAddRows(n, dim, g, ids, dT); js.scatterAddRows(n, dim, g, ids, dref);
        close(dT, dref, 1e-6, 1e-7, `scatterAddRows ${dim}`);
        for (const a of [table, ids, out, g, dT]) be.free(a);
      }
    });

    // cells: vectorised exp/tanh are 1–2 ulp from Math's, so an absolute 5e-7 beside the relative 2e-6
    test('lstmCell and lstmCellBackward', () => {
      for (const [B, H] of [[1, 1], [3, 17], [2, 255], [64, 4], [3, 1031]]) {
        const gates = randF(be, B * 4 * H, H, -4, 4), gref = clone(gates);
        const cPrev = randF(be, B * H, H + 1), h = be.allocF32(B * H), c = be.allocF32(B * H);
        const href = new Float32Array(B * H), cref = new Float32Array(B * H);
        be.lstmCell(B, H, gates, cPrev, h, c); js.lstmCell(B, H, gref, cPrev, href, cref);
        close(gates, gref, 2e-6, 5e-7, `lstm acts ${B}x${H}`);
        close(h, href, 2e-6, 5e-7, `lstm h ${B}x${H}`);
        close(c, cref, 2e-6, 5e-7, `lstm c ${B}x${H}`);
        const dh = randF(be, B * H, 8), dc = randF(be, B * H, 9);
        for (const withDc of [false, true]) for (const acc of [false, true]) {
          const dG = be.allocF32(B * 4 * H), dGref = new Float32Array(B * 4 * H);
          const dcp = randF(be, B * H, 10), dcpref = clone(dcp);
          be.lstmCellBackward(B, H, gates, cPrev, c, dh, withDc ? dc : null, dG, dcp, acc);
          js.lstmCellBackward(B, H, gates, cPrev, c, dh, withDc ? dc : null, dGref, dcpref, acc);
          close(dG, dGref, 1e-5, 1e-6, `lstm dGates ${B}x${H}`);
          close(dcp, dcpref, 1e-5, 1e-6, `lstm dcPrev ${B}x${H}`);
          be.free(dG); be.free(dcp);
        }
        for (const a of [gates, cPrev, h, c, dh, dc]) be.free(a);
      }
    });

    test('gruCell and gruCellBackward', () => {
      for (const [B, H] of [[1, 1], [3, 17], [2, 255], [64, 4], [3, 1031]]) {
        const xg = randF(be, B * 3 * H, H, -3, 3), hg = randF(be, B * 3 * H, H + 1, -3, 3), hPrev = randF(be, B * H, H + 2);
        const h = be.allocF32(B * H), acts = be.allocF32(B * 4 * H);
        const href = new Float32Array(B * H), aref = new Float32Array(B * 4 * H);
        be.gruCell(B, H, xg, hg, hPrev, h, acts); js.gruCell(B, H, xg, hg, hPrev, href, aref);
        close(h, href, 2e-6, 5e-7, `gru h ${B}x${H}`);
        close(acts, aref, 2e-6, 5e-7, `gru acts ${B}x${H}`);
        const dh = randF(be, B * H, 3);
        for (const acc of [false, true]) {
          const dxg = be.allocF32(B * 3 * H), dhg = be.allocF32(B * 3 * H), dhp = randF(be, B * H, 4);
          const dxr = new Float32Array(B * 3 * H), dhr = new Float32Array(B * 3 * H), dhpr = clone(dhp);
          be.gruCellBackward(B, H, acts, hPrev, dh, dxg, dhg, dhp, acc);
          js.gruCellBackward(B, H, acts, hPrev, dh, dxr, dhr, dhpr, acc);
          close(dxg, dxr, 1e-5, 1e-6, 'gru dxg'); close(dhg, dhr, 1e-5, 1e-6, 'gru dhg'); close(dhp, dhpr, 1e-5, 1e-6, 'gru dhPrev');
          be.free(dxg); be.free(dhg); be.free(dhp);
        }
        for (const a of [xg, hg, hPrev, h, acts, dh]) be.free(a);
      }
    });

    test('adamStep (coupled and decoupled decay)', () => {
      for (const n of SIZES) for (const [wd, dec] of [[0, false], [0.01, false], [0.01, true]] as const) {
        const p = randF(be, n, n), g = randF(be, n, n + 1), m = randF(be, n, n + 2, -0.1, 0.1), v = randF(be, n, n + 3, 0, 0.1);
        const pr = clone(p), mr = clone(m), vr = clone(v);
        be.adamStep(n, p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, wd, dec, 1 - 0.9 ** 3, 1 - 0.999 ** 3);
        js.adamStep(n, pr, g, mr, vr, 1e-3, 0.9, 0.999, 1e-8, wd, dec, 1 - 0.9 ** 3, 1 - 0.999 ** 3);
        close(p, pr, 1e-6, 1e-7, `adam p ${n}`); close(m, mr, 1e-6, 1e-8, 'adam m'); close(v, vr, 1e-6, 1e-9, 'adam v');
        for (const a of [p, g, m, v]) be.free(a);
      }
    });

    test('arrays outside the wasm memory take the js path', () => {
      const x = new Float32Array([1, 2, 3]), y = new Float32Array([1, 1, 1]);
      be.axpy(3, 2, x, y);
      assert.deepEqual([...y], [3, 5, 7]);
      const C = new Float32Array(4);
      be.gemm(false, false, 2, 2, 1, 1, new Float32Array([1, 2]), 1, new Float32Array([3, 4]), 2, 0, C, 2);
      assert.deepEqual([...C], [3, 4, 6, 8]);
    });
  });
}

describe('allocator', () => {
  let be: WasmBackend;
  before(async () => { be = await WasmBackend.create({ threads: 1 }); });
  after(async () => { await be.dispose(); });

  test('views live in the wasm memory, 64-byte aligned; free reuses the block', () => {
    const s0 = be.memoryStats();
    const a = be.allocF32(100);
    assert.equal(a.byteOffset % 64, 0);
    assert.equal(a.length, 100);
    const s1 = be.memoryStats();
    assert.ok(s1.liveBytes >= s0.liveBytes + 400);
    be.free(a);
    const s2 = be.memoryStats();
    assert.equal(s2.liveBytes, s0.liveBytes);
    assert.ok(s2.pooledBytes > s0.pooledBytes);
    const b = be.allocF32(97); // same size class
    assert.equal(b.byteOffset, a.byteOffset);
    const z = be.allocI32(97, true);
    assert.ok(z.every((v) => v === 0));
    be.free(b); be.free(z);
  });

  test('zeroed allocation from the pool', () => {
    const a = be.allocF32(50);
    a.fill(7);
    be.free(a);
    const b = be.allocF32(50, true);
    assert.equal(b.byteOffset, a.byteOffset);
    assert.ok(b.every((v) => v === 0));
    be.free(b);
  });

  test('growth keeps old views valid and kernels work across buffers', () => {
    const old = be.allocF32(1000);
    old.fill(1.5);
    const before = be.memoryStats().reservedBytes;
    const big = be.allocF32(20 * 1024 * 1024); // 80 MB: forces growth
    assert.ok(be.memoryStats().reservedBytes > before);
    assert.equal(old[999], 1.5);
    big[big.length - 1] = 3;
    const y = be.allocF32(1000);
    y.fill(1);
    be.axpy(1000, 2, old, y); // old view (pre-grow buffer) and new view
    assert.equal(y[0], 4);
    assert.equal(big[big.length - 1], 3);
    be.free(old); be.free(big); be.free(y);
  });

  test('steady state: repeating the same allocations does not grow memory', () => {
    const sizes = [64 * 1024, 256, 1000, 4 * 256 * 64, 33];
    for (let i = 0; i < 2; i++) { const arrs = sizes.map((n) => be.allocF32(n)); arrs.forEach((a) => be.free(a)); }
    const s = be.memoryStats();
    for (let i = 0; i < 20; i++) { const arrs = sizes.map((n) => be.allocF32(n)); arrs.forEach((a) => be.free(a)); }
    assert.deepEqual(be.memoryStats(), s);
  });

  test('double free throws', () => {
    const a = be.allocF32(10);
    be.free(a);
    assert.throws(() => be.free(a));
  });
});

describe('createBackend', () => {
  test('defaults to wasm; js on request', async () => {
    const b = await createBackend({ threads: 2 });
    assert.equal(b.name, 'wasm');
    assert.equal(b.threads, 2);
    await disposeBackend(b);
    const j = await createBackend({ backend: 'js' });
    assert.equal(j.name, 'js');
  });

  test('a wasm load failure: the default falls back to js, an explicit wasm throws', async () => {
    const host = await getPlatform();
    const broken: Platform = {
      name: host.name,
      loadWasmBytes: () => Promise.reject(new Error('no kernels.wasm here\nsecond line')),
      createWorker: (url, data) => host.createWorker(url, data),
      cpuCount: () => host.cpuCount(),
    };
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); };
    let b;
    try {
      b = await createBackend({ platform: broken, threads: 2 });
    } finally {
      console.warn = warn;
    }
    assert.equal(b.name, 'js');
    assert.ok(b instanceof JsBackend);
    assert.equal(warnings.length, 1, 'one warning');
    assert.match(warnings[0]!, /wasm backend unavailable \(no kernels\.wasm here\); using the js backend/);
    await assert.rejects(createBackend({ backend: 'wasm', platform: broken }), /no kernels\.wasm here/);
    // the working platform still gives wasm
    const w = await createBackend({ platform: host, threads: 1 });
    assert.equal(w.name, 'wasm');
    await disposeBackend(w);
  });
});

// keep I32 referenced for readers: ids arrays are Int32Array views too
export type _I32 = I32;

describe('thread pool lifecycle', () => {
  test('a process with an undisposed 2-thread backend still exits', async () => {
    const { spawnSync } = await import('node:child_process');
    const url = new URL('../../src/kernels/index.js', import.meta.url).href;
    const code = `const k = await import(${JSON.stringify(url)}); const b = await k.createBackend({ backend: 'wasm', threads: 2 });
      const A = b.allocF32(64 * 256), B = b.allocF32(256 * 1024), C = b.allocF32(64 * 1024);
      b.gemm(false, false, 64, 1024, 256, 1, A, 256, B, 1024, 0, C, 1024); console.log('done', b.threads);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { timeout: 20000, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /done 2/);
  });

  test('results do not depend on the thread count', async () => {
    const b1 = await WasmBackend.create({ threads: 1 });
    const b2 = await WasmBackend.create({ threads: 2, minParallelFlops: 1e3 });
    const run = (be: WasmBackend): Float32Array => {
      const A = randF(be, 37 * 300, 1), B = randF(be, 300 * 129, 2), C = be.allocF32(37 * 129);
      be.gemm(false, true, 37, 129, 300, 1, A, 300, B, 300, 0, C, 129);
      return Float32Array.from(C);
    };
    assert.deepEqual(run(b1), run(b2));
    await b1.dispose(); await b2.dispose();
  });
});
