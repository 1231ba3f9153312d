// The Transformer kernels (attention, layer norm, bias + activation) of the wasm backend against the
// js reference, on awkward sizes, with 1 and 2 threads (the pool paths run from 8 elements).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { JsBackend } from '../../src/kernels/js/index.js';
import { WasmBackend } from '../../src/kernels/wasm/index.js';
import { ActKind, type F32, type I32 } from '../../src/kernels/backend.js';
import { randF, clone, close, rng } from './helpers.js';

const js = new JsBackend();
const SIZES = [1, 3, 17, 255, 1031];

interface Mha { B: number; T: number; S: number; H: number; dh: number; pad?: boolean; causal?: boolean; p?: number }

const MHA: Mha[] = [
  { B: 1, T: 1, S: 1, H: 1, dh: 1 },
  { B: 2, T: 3, S: 17, H: 3, dh: 3, pad: true },
  { B: 3, T: 17, S: 17, H: 1, dh: 17, causal: true, pad: true },
  { B: 2, T: 5, S: 255, H: 2, dh: 8, causal: true, p: 0.3 },
  { B: 1, T: 2, S: 1031, H: 1, dh: 3, pad: true, p: 0.1 },
  { B: 4, T: 20, S: 20, H: 4, dh: 64, pad: true, p: 0.1 },
  { B: 2, T: 1, S: 7, H: 3, dh: 255, causal: true },
  { B: 2, T: 6, S: 3, H: 2, dh: 5, causal: true }, // T > S: rows with no visible key
  { B: 2, T: 401, S: 400, H: 1, dh: 2, causal: true, pad: true, p: 0.2 }, // [S, T] blocks too big for the scratch: the per-query dk/dv path
];

for (const threads of [1, 2]) {
  describe(`wasm Transformer kernels, threads = ${threads}`, () => {
    let be: WasmBackend;
    before(async () => { be = await WasmBackend.create({ threads, minParallelElems: 8 }); });
    after(async () => { await be.dispose(); });

    test('mhaForward / mhaBackward: padding, causal, dropout, awkward S and dh', () => {
      let seed = 1;
      for (const c of MHA) {
        const { B, T, S, H, dh } = c;
        const D = H * dh;
        const q = randF(be, B * T * D, seed++, -2, 2), k = randF(be, B * S * D, seed++, -2, 2), v = randF(be, B * S * D, seed++);
        let pad: I32 | null = null;
        if (c.pad) {
          pad = be.allocI32(B * S);
          const r = rng(seed++);
          for (let i = 0; i < B * S; i++) pad[i] = r() < 0.3 ? 1 : 0;
          for (let j = 0; j < S; j++) pad[j] = 1; // batch row 0: every key padded
        }
        const what = JSON.stringify(c);
        const p = c.p ?? 0, causal = c.causal ?? false;
        const out = be.allocF32(B * T * D), probs = be.allocF32(B * H * T * S);
        be.mhaForward(B, T, S, H, dh, q, k, v, pad, causal, p, 77, out, probs);
        const rOut = new Float32Array(B * T * D), rProbs = new Float32Array(B * H * T * S);
        js.mhaForward(B, T, S, H, dh, clone(q), clone(k), clone(v), pad && Int32Array.from(pad), causal, p, 77, rOut, rProbs);
        close(probs, rProbs, 1e-5, 1e-7, `probs ${what}`);
        close(out, rOut, 1e-5, 1e-6, `out ${what}`);
        // without probs the output is the same
        const out2 = be.allocF32(B * T * D);
        be.mhaForward(B, T, S, H, dh, q, k, v, pad, causal, p, 77, out2, null);
        assert.deepEqual(out2, out, `out without probs ${what}`);

        const dOut = randF(be, B * T * D, seed++);
        const dq = be.allocF32(B * T * D), dk = be.allocF32(B * S * D), dv = be.allocF32(B * S * D);
        dk.fill(NaN); dv.fill(NaN); dq.fill(NaN); // overwritten, never read
        be.mhaBackward(B, T, S, H, dh, q, k, v, pad, causal, p, 77, probs, dOut, dq, dk, dv);
        const rq = new Float32Array(B * T * D), rk = new Float32Array(B * S * D), rv = new Float32Array(B * S * D);
        js.mhaBackward(B, T, S, H, dh, clone(q), clone(k), clone(v), pad && Int32Array.from(pad), causal, p, 77, clone(probs), clone(dOut), rq, rk, rv);
        close(dq, rq, 1e-4, 1e-5, `dq ${what}`);
        close(dk, rk, 1e-4, 1e-5, `dk ${what}`);
        close(dv, rv, 1e-4, 1e-5, `dv ${what}`);
        for (const a of [q, k, v, out, out2, probs, dOut, dq, dk, dv] as F32[]) be.free(a);
        if (pad) be.free(pad);
      }
    });

    test('layerNorm / layerNormBackward (dGamma, dBeta accumulate)', () => {
      let seed = 100;
      for (const n of SIZES) for (const rows of [1, 5]) {
        const x = randF(be, rows * n, seed++, -3, 5), g = randF(be, n, seed++, 0.5, 1.5), b = randF(be, n, seed++);
        const out = be.allocF32(rows * n), mean = be.allocF32(rows), rstd = be.allocF32(rows);
        be.layerNorm(rows, n, x, g, b, 1e-5, out, mean, rstd);
        const rOut = new Float32Array(rows * n), rMean = new Float32Array(rows), rRstd = new Float32Array(rows);
        js.layerNorm(rows, n, clone(x), clone(g), clone(b), 1e-5, rOut, rMean, rRstd);
        close(mean, rMean, 1e-6, 1e-6, `mean n=${n}`);
        close(rstd, rRstd, 1e-5, 0, `rstd n=${n}`);
        close(out, rOut, 1e-5, 2e-5, `out n=${n}`);
        const dy = randF(be, rows * n, seed++), dx = be.allocF32(rows * n);
        const dg = randF(be, n, seed++), db = randF(be, n, seed++);
        const rdx = new Float32Array(rows * n), rdg = clone(dg), rdb = clone(db);
        be.layerNormBackward(rows, n, x, g, mean, rstd, dy, dx, dg, db);
        js.layerNormBackward(rows, n, clone(x), clone(g), clone(mean), clone(rstd), clone(dy), rdx, rdg, rdb);
        close(dx, rdx, 1e-4, 2e-5, `dx n=${n}`);
        close(dg, rdg, 1e-4, 2e-5, `dGamma n=${n}`);
        close(db, rdb, 1e-5, 1e-5, `dBeta n=${n}`);
        for (const a of [x, g, b, out, mean, rstd, dy, dx, dg, db]) be.free(a);
      }
    });

    test('biasAct / biasActBackward: relu, gelu, none; dx written or accumulated, dBias accumulates', () => {
      let seed = 200;
      for (const act of [ActKind.Relu, ActKind.Gelu, ActKind.None]) for (const n of SIZES) for (const rows of [1, 3]) {
        const what = `act=${act} n=${n} rows=${rows}`;
        const x = randF(be, rows * n, seed++, -6, 6), b = randF(be, n, seed++);
        const out = be.allocF32(rows * n), rOut = new Float32Array(rows * n);
        be.biasAct(rows, n, x, b, act, out);
        js.biasAct(rows, n, clone(x), clone(b), act, rOut);
        close(out, rOut, 2e-6, 1e-6, `out ${what}`);
        for (const acc of [false, true]) {
          const dy = randF(be, rows * n, seed++), dx = randF(be, rows * n, seed++), db = randF(be, n, seed++);
          const rdx = clone(dx), rdb = clone(db);
          be.biasActBackward(rows, n, x, b, act, dy, dx, acc, db);
          js.biasActBackward(rows, n, clone(x), clone(b), act, clone(dy), rdx, acc, rdb);
          close(dx, rdx, 2e-6, 1e-6, `dx ${what} acc=${acc}`);
          close(db, rdb, 1e-5, 1e-5, `dBias ${what}`);
          // dx or dBias left out
          const db2 = clone(db);
          be.biasActBackward(rows, n, x, b, act, dy, null, false, db);
          js.biasActBackward(rows, n, clone(x), clone(b), act, clone(dy), null, false, rdb);
          close(db, rdb, 1e-5, 1e-5, `dBias only ${what}`);
          be.biasActBackward(rows, n, x, b, act, dy, dx, true, null);
          js.biasActBackward(rows, n, clone(x), clone(b), act, clone(dy), rdx, true, null);
          close(dx, rdx, 2e-6, 2e-6, `dx only ${what}`);
          assert.ok(db2.length === n);
          for (const a of [dy, dx, db]) be.free(a);
        }
        for (const a of [x, b, out]) be.free(a);
      }
    });
  });
}
