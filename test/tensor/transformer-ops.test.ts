// multiHeadAttention and biasActivation: values against plain-loop references written here, and
// finite-difference gradients, on every backend the suite finds.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { drawBits, dropKey, dropThreshold } from '../../src/kernels/js/attention.js';
import { gradcheck, assertClose } from '../helpers/gradcheck.js';
import { testBackends, skipped } from '../helpers/backends.js';

const backends = await testBackends();
for (const reason of skipped) it(`backend skipped: ${reason}`, { skip: reason }, () => {});

interface Case { B: number; T: number; S: number; H: number; dh: number; pad?: number[]; causal?: boolean; p?: number; seed?: number }

/** Attention written out the obvious way, in float64 (the dropout mask from the documented hash). */
function reference(c: Case, q: Float32Array, k: Float32Array, v: Float32Array): { out: Float64Array; w: Float64Array } {
  const { B, T, S, H, dh } = c;
  const D = H * dh;
  const out = new Float64Array(B * T * D);
  const w = new Float64Array(B * H * T * S);
  const thr = dropThreshold(c.p ?? 0);
  const key = dropKey(c.seed ?? 0);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) {
    const vis = (j: number): boolean => (c.pad === undefined || c.pad[b * S + j] === 0) && (!c.causal || j <= i + S - T);
    const s: number[] = [];
    for (let j = 0; j < S; j++) {
      let d = 0;
      for (let x = 0; x < dh; x++) d += q[(b * T + i) * D + h * dh + x]! * k[(b * S + j) * D + h * dh + x]!;
      s.push(vis(j) ? d / Math.sqrt(dh) : -Infinity);
    }
    const m = Math.max(...s);
    const e = s.map((x) => (x === -Infinity ? 0 : Math.exp(x - m)));
    const z = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < S; j++) {
      const row = ((b * H + h) * T + i) * S;
      const pj = z > 0 ? e[j]! / z : 0;
      w[row + j] = pj;
      const kept = thr === 0 || drawBits(key, row + j) >= thr;
      const pd = kept ? pj / (1 - (c.p ?? 0)) : 0;
      for (let x = 0; x < dh; x++) out[(b * T + i) * D + h * dh + x] += pd * v[(b * S + j) * D + h * dh + x]!;
    }
  }
  return { out, w };
}

function rand(n: number, rng: T.Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

function run(c: Case, q: Float32Array, k: Float32Array, v: Float32Array, needWeights = true): { out: number[]; w: number[] | null } {
  return T.tidy(() => {
    const D = c.H * c.dh;
    const r = T.multiHeadAttention({
      q: T.fromArray(q, [c.B, c.T, D]), k: T.fromArray(k, [c.B, c.S, D]), v: T.fromArray(v, [c.B, c.S, D]), heads: c.H,
      keyPadding: c.pad ? T.intTensor(c.pad, [c.B, c.S]) : null, causal: c.causal ?? false,
      dropout: c.p ? { p: c.p, seed: c.seed ?? 0 } : null, needWeights,
    });
    return { out: flat(r.out.toArray()), w: r.weights ? flat(r.weights.toArray()) : null };
  });
}

function flat(a: unknown): number[] {
  return (Array.isArray(a) ? a.flat(Infinity) : [a]) as number[];
}

const CASES: Array<[string, Case]> = [
  ['plain, 1 head', { B: 2, T: 3, S: 4, H: 1, dh: 5 }],
  ['3 heads, padding', { B: 2, T: 3, S: 5, H: 3, dh: 2, pad: [0, 0, 0, 1, 1, 0, 0, 0, 0, 0] }],
  ['causal, T = S', { B: 1, T: 4, S: 4, H: 2, dh: 3, causal: true }],
  ['causal, T < S (cached steps), padding', { B: 2, T: 2, S: 5, H: 3, dh: 1, causal: true, pad: [1, 0, 0, 0, 0, 0, 0, 0, 1, 1] }],
  ['causal, T > S: the first rows see nothing', { B: 1, T: 4, S: 2, H: 1, dh: 3, causal: true }],
  ['a row with every key padded', { B: 2, T: 2, S: 3, H: 2, dh: 2, pad: [1, 1, 1, 0, 1, 0] }],
  ['dropout, fixed seed', { B: 2, T: 3, S: 4, H: 3, dh: 2, p: 0.4, seed: 7 }],
  ['dropout + causal + padding, T = 1', { B: 3, T: 1, S: 3, H: 1, dh: 4, p: 0.3, seed: 123456789, causal: true, pad: [0, 0, 1, 0, 0, 0, 1, 0, 0] }],
];

for (const bk of backends) {
  describe(`multiHeadAttention and biasActivation on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    for (const [name, c] of CASES) {
      it(`attention values: ${name}`, () => {
        const rng = new T.Rng(11);
        const D = c.H * c.dh;
        const q = rand(c.B * c.T * D, rng), k = rand(c.B * c.S * D, rng), v = rand(c.B * c.S * D, rng);
        const ref = reference(c, q, k, v);
        const got = run(c, q, k, v);
        assertClose(got.out, ref.out, 2e-6, 2e-5, 'out');
        assertClose(got.w!, ref.w, 1e-6, 1e-5, 'weights');
        assert.equal(run(c, q, k, v, false).w, null);
      });

      it(`attention gradients: ${name}`, () => {
        const D = c.H * c.dh;
        gradcheck((q, k, v) => T.multiHeadAttention({
          q: q!, k: k!, v: v!, heads: c.H, keyPadding: c.pad ? T.intTensor(c.pad, [c.B, c.S]) : null,
          causal: c.causal ?? false, dropout: c.p ? { p: c.p, seed: c.seed ?? 0 } : null,
        }).out, [{ shape: [c.B, c.T, D] }, { shape: [c.B, c.S, D] }, { shape: [c.B, c.S, D] }], { atol: 3e-3 });
      });
    }

    it('attention gradients: awkward sizes (dh 7, S 17), self-attention with q = k = v', () => {
      gradcheck((q, k, v) => T.multiHeadAttention({ q: q!, k: k!, v: v!, heads: 3, causal: true }).out,
        [{ shape: [1, 5, 21] }, { shape: [1, 17, 21] }, { shape: [1, 17, 21] }], { atol: 3e-3 });
      gradcheck((x) => T.multiHeadAttention({ q: x!, k: x!, v: x!, heads: 2, dropout: { p: 0.25, seed: 3 } }).out,
        [{ shape: [2, 3, 4] }], { atol: 3e-3 });
    });

    it('attention with weights requested while training: weights are a copy, gradients unchanged', () => {
      T.tidy(() => {
        const rng = new T.Rng(5);
        const q = T.fromArray(rand(24, rng), [2, 3, 4], true), k = T.fromArray(rand(32, rng), [2, 4, 4], true);
        const r = T.multiHeadAttention({ q, k, v: k, heads: 2, needWeights: true });
        assert.deepEqual(r.weights!.shape, [2, 2, 3, 4]);
        const rows = flat(r.weights!.toArray());
        for (let i = 0; i < rows.length; i += 4) assert.ok(Math.abs(rows[i]! + rows[i + 1]! + rows[i + 2]! + rows[i + 3]! - 1) < 1e-6);
        r.weights!.dispose();
        T.sum(r.out).backward();
        assert.ok(q.grad !== null && k.grad !== null);
      });
    });

    // the mask is the same hash on every backend (the values tests above check that): statistics once
    it('attention dropout: same seed same mask, another seed another, about p dropped, unbiased', { skip: bk.name !== 'js' && 'backend-independent' }, () => {
      const c: Case = { B: 4, T: 16, S: 16, H: 2, dh: 4, p: 0.5, seed: 42 };
      const rng = new T.Rng(2);
      const q = rand(4 * 16 * 8, rng), k = rand(4 * 16 * 8, rng), v = rand(4 * 16 * 8, rng);
      const a = run(c, q, k, v).out, b = run(c, q, k, v).out, d = run({ ...c, seed: 43 }, q, k, v).out;
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, d);
      const key = dropKey(42), thr = dropThreshold(0.5);
      let dropped = 0;
      for (let i = 0; i < 4 * 2 * 16 * 16; i++) if (drawBits(key, i) < thr) dropped++;
      assert.ok(Math.abs(dropped / 2048 - 0.5) < 0.04, `dropped fraction ${dropped / 2048}`);
      // the mean over many seeds approaches the output without dropout
      const plain = run({ ...c, p: 0 }, q, k, v).out;
      const mean = new Float64Array(plain.length);
      for (let s = 0; s < 200; s++) run({ ...c, seed: s }, q, k, v).out.forEach((x, i) => { mean[i] += x / 200; });
      let err = 0, mag = 0;
      plain.forEach((x, i) => { err += (mean[i]! - x) ** 2; mag += x * x; });
      assert.ok(Math.sqrt(err / mag) < 0.1, `relative error of the dropout mean ${Math.sqrt(err / mag)}`);
    });

    it('attention input errors name the op and the shapes', () => {
      const z = (s: number[]): T.Tensor => T.zeros(s);
      assert.throws(() => T.multiHeadAttention({ q: z([2, 3, 4]), k: z([2, 5, 4]), v: z([2, 5, 3]), heads: 2 }), /multiHeadAttention: q \[2, 3, 4\], k \[2, 5, 4\] and v \[2, 5, 3\]/);
      assert.throws(() => T.multiHeadAttention({ q: z([2, 3, 4]), k: z([2, 5, 4]), v: z([2, 5, 4]), heads: 3 }), /heads 3 must be a positive integer dividing D = 4/);
      assert.throws(() => T.multiHeadAttention({ q: z([2, 3, 4]), k: z([2, 5, 4]), v: z([2, 5, 4]), heads: 2, keyPadding: T.intTensor([0, 0], [2, 1]) }), /keyPadding \[2, 1\] must be \[B, S\] = \[2, 5\]/);
      assert.throws(() => T.multiHeadAttention({ q: z([2, 3, 4]), k: z([2, 5, 4]), v: z([2, 5, 4]), heads: 2, dropout: { p: 1, seed: 0 } }), /dropout p must be in \[0, 1\)/);
    });

    for (const act of ['relu', 'gelu', 'none'] as const) {
      it(`biasActivation ${act}: values and gradients`, () => {
        const exact = (z: number): number => {
          if (act === 'relu') return Math.max(z, 0);
          if (act === 'none') return z;
          // Φ(z) by a different route than the kernel's: the erf Taylor series (|z/√2| ≤ 3 here)
          const u = z / Math.SQRT2;
          let term = u, s = u;
          for (let n = 1; n < 80; n++) { term *= -u * u / n; s += term / (2 * n + 1); }
          return 0.5 * z * (1 + (2 / Math.sqrt(Math.PI)) * s);
        };
        const rng = new T.Rng(9);
        const x = Float32Array.from({ length: 3 * 17 }, () => (rng.uniform() * 2 - 1) * 4);
        const b = Float32Array.from({ length: 17 }, () => rng.uniform() - 0.5);
        const got = T.tidy(() => flat(T.biasActivation(T.fromArray(x, [3, 17]), T.fromArray(b), act).toArray()));
        const want = Array.from(x, (xv, i) => exact(Math.fround(xv + b[i % 17]!)));
        assertClose(got, want, 1e-6, 1e-6, act);
        gradcheck((x, b) => T.biasActivation(x!, b!, act), [{ shape: [3, 5], avoidZero: 0.6 }, { shape: [5], low: -0.1, high: 0.1 }], { atol: 3e-3 });
        gradcheck((x, b) => T.biasActivation(x!, b!, act), [{ shape: [2, 1, 1], avoidZero: 0.6, low: -3, high: 3 }, { shape: [1], low: -0.1, high: 0.1 }], { atol: 3e-3 });
        // x used twice: both gradients accumulate into x
        gradcheck((x, b) => T.add(T.biasActivation(x!, b!, act), T.biasActivation(x!, b!, act)), [{ shape: [2, 3], avoidZero: 0.6 }, { shape: [3], low: -0.1, high: 0.1 }], { atol: 3e-3 });
      });
    }

    it('biasActivation input errors', () => {
      assert.throws(() => T.biasActivation(T.zeros([2, 3]), T.zeros([4]), 'relu'), /biasActivation: bias \[4\] does not match the last axis of x \[2, 3\]/);
      assert.throws(() => T.biasActivation(T.zeros([2, 3]), T.zeros([3]), 'tanh' as 'relu'), /act must be 'relu', 'gelu' or 'none', got 'tanh'/);
    });
  });
}
