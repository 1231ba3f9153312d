/** The Transformer's layers in src/nn: positions, LayerNorm, FeedForward, MultiHeadAttention against formulas written out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, fromArray, noGrad, tidy } from '../../src/tensor/index.js';
import { FeedForward, LayerNorm, MultiHeadAttention, Positions, sinusoidalTable } from '../../src/nn/index.js';

test('sinusoidal positions: PE[p, 2i] = sin(p/10000^(2i/d)), PE[p, 2i+1] = cos(…); rows from any start', () => {
  const d = 6;
  const t = sinusoidalTable(4, d);
  for (let p = 0; p < 4; p++) {
    for (let i = 0; i < d; i += 2) {
      const a = p / Math.pow(10000, i / d);
      assert.ok(Math.abs(t[p * d + i]! - Math.sin(a)) < 1e-6 && Math.abs(t[p * d + i + 1]! - Math.cos(a)) < 1e-6);
    }
  }
  const pos = new Positions('sinusoidal', d, 8, new Rng(1));
  assert.deepEqual(pos.namedParameters(), []);
  assert.deepEqual(Array.from(pos.forward(2, 2).f32), Array.from(t.subarray(2 * d, 4 * d)));
  assert.deepEqual(Array.from(pos.forward(100, 1).f32), Array.from(sinusoidalTable(101, d).subarray(100 * d)), 'the table grows');
  const learned = new Positions('learned', d, 8, new Rng(1));
  assert.deepEqual(learned.namedParameters().map(([n, p]) => [n, p.shape]), [['weight', [8, d]]]);
  assert.deepEqual(Array.from(learned.forward(3, 2).f32), Array.from(learned.weight!.f32.subarray(3 * d, 5 * d)));
});

test('LayerNorm, FeedForward and MultiHeadAttention compute their formulas', () => {
  const rng = new Rng(4);
  const x = Array.from({ length: 2 * 3 * 4 }, () => rng.uniform() * 2 - 1);
  noGrad(() => tidy(() => {
    const ln = new LayerNorm(4);
    const y = ln.forward(fromArray(Float32Array.from(x), [2, 3, 4])).f32;
    for (let r = 0; r < 6; r++) {
      const row = x.slice(r * 4, r * 4 + 4);
      const m = row.reduce((a, b) => a + b, 0) / 4;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      row.forEach((xi, j) => assert.ok(Math.abs(y[r * 4 + j]! - (xi - m) / Math.sqrt(v + 1e-5)) < 1e-5));
    }
    const ff = new FeedForward(4, 5, 'relu', 0, rng);
    const fy = ff.forward(fromArray(Float32Array.from(x), [2, 3, 4])).f32;
    const W1 = ff.fc1.weight.f32, b1 = ff.fc1.bias!.f32, W2 = ff.fc2.weight.f32, b2 = ff.fc2.bias!.f32;
    for (let r = 0; r < 6; r++) {
      const h = Array.from({ length: 5 }, (_, k) => Math.max(0, b1[k]! + [0, 1, 2, 3].reduce((a, j) => a + x[r * 4 + j]! * W1[j * 5 + k]!, 0)));
      for (let o = 0; o < 4; o++) assert.ok(Math.abs(fy[r * 4 + o]! - (b2[o]! + h.reduce((a, hk, k) => a + hk * W2[k * 4 + o]!, 0))) < 1e-5);
    }
    // two heads of width 2 over 3 keys, by hand: out = out_proj(concat_h softmax(q_h k_hᵀ / √2) v_h)
    const mha = new MultiHeadAttention(4, 2, rng);
    const q = fromArray(Float32Array.from(x.slice(0, 8)), [1, 2, 4]);
    const kv = fromArray(Float32Array.from(x.slice(8, 20)), [1, 3, 4]);
    const got = mha.forward(q, kv).out.f32;
    const proj = (l: { weight: { f32: Float32Array }; bias: { f32: Float32Array } | null }, rows: number[][]): number[][] =>
      rows.map((r) => Array.from({ length: 4 }, (_, o) => l.bias!.f32[o]! + r.reduce((a, xi, j) => a + xi * l.weight.f32[j * 4 + o]!, 0)));
    const rowsOf = (a: number[], n: number): number[][] => Array.from({ length: n }, (_, i) => a.slice(i * 4, i * 4 + 4));
    const Q = proj(mha.q_proj, rowsOf(x.slice(0, 8), 2));
    const K = proj(mha.k_proj, rowsOf(x.slice(8, 20), 3));
    const V = proj(mha.v_proj, rowsOf(x.slice(8, 20), 3));
    const heads = Q.map((qi) => [0, 1].flatMap((h) => {
      const s = K.map((kj) => (qi[2 * h]! * kj[2 * h]! + qi[2 * h + 1]! * kj[2 * h + 1]!) / Math.sqrt(2));
      const mx = Math.max(...s);
      const e = s.map((z) => Math.exp(z - mx));
      const z = e.reduce((a, b) => a + b, 0);
      return [0, 1].map((c) => e.reduce((a, ej, j) => a + (ej / z) * V[j]![2 * h + c]!, 0));
    }));
    const want = proj(mha.out_proj, heads).flat();
    want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-5, `${i}: ${got[i]} vs ${w}`));
  }));
});
