/**
 * Decoding through the Scorer interface: beam beats greedy where it must (a hand-built scorer),
 * beam size 1 equals greedy (JoeyNMT's invariant), batching does not change results, attention
 * has the documented shape, sampling honours top-k and its seed, and memory stays flat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, backend, fromArray, type Tensor } from '../../src/tensor/index.js';
import { beamSearch, greedy, sample, lengthPenalty, type Scorer } from '../../src/decode/index.js';
import { digitPairs, tokenBatch } from '../models/helpers.js';
import { randomModel } from './helpers.js';

/**
 * A scorer over the vocabulary {pad, unk, bos, eos, A=4, B=5} whose best first token leads
 * nowhere: P(A | bos) = 0.6, P(B | bos) = 0.4; after A every continuation has probability ≤ 0.25;
 * after B, EOS has probability 0.9. Greedy picks A (best path 0.6 · 0.25 = 0.15); the best
 * sequence is B EOS (0.4 · 0.9 = 0.36).
 */
class TrapScorer implements Scorer<{ prefix: number[][] }, number> {
  encode(_src: Int32Array, _srcLen: number[], B: number): number {
    return B;
  }
  startState(B: number): { prefix: number[][] } {
    return { prefix: Array.from({ length: B }, () => []) };
  }
  step(state: { prefix: number[][] }, prev: Int32Array): { logProbs: Tensor; attention: null; state: { prefix: number[][] } } {
    const V = 6;
    const rows = state.prefix.map((p, i) => [...p, prev[i]!]);
    const lp = new Float32Array(rows.length * V).fill(Math.log(1e-6));
    rows.forEach((r, i) => {
      const last = r[r.length - 1]!;
      const set = (v: number, p: number): void => void (lp[i * V + v] = Math.log(p));
      if (last === 2) { set(4, 0.6); set(5, 0.4); }
      else if (r[1] === 4) { set(3, 0.25); set(4, 0.25); set(5, 0.25); set(1, 0.25); }
      else { set(3, 0.9); set(5, 0.1); }
    });
    return { logProbs: fromArray(lp, [rows.length, V]), attention: null, state: { prefix: rows } };
  }
  selectState(state: { prefix: number[][] }, rows: Int32Array): { prefix: number[][] } {
    return { prefix: Array.from(rows, (r) => state.prefix[r]!.slice()) };
  }
}

const trapBatch = { B: 2, S: 1, src: Int32Array.from([4, 4]), srcLen: [1, 1] };

test('beam search beats greedy on a scorer whose greedy first choice is a trap', () => {
  const g = greedy(new TrapScorer(), trapBatch, { maxLen: 4 });
  assert.equal(g[0]!.tokens[0], 4, 'greedy takes A');
  assert.ok(g[0]!.score < Math.log(0.16));
  const b = beamSearch(new TrapScorer(), trapBatch, { beam: 2, maxLen: 4 });
  for (const hyps of b) {
    assert.deepEqual(hyps[0]!.tokens, [5]);
    assert.ok(Math.abs(hyps[0]!.score - Math.log(0.36)) < 1e-5, `score ${hyps[0]!.score}`);
  }
  // beam 1 falls into the trap like greedy
  assert.deepEqual(beamSearch(new TrapScorer(), trapBatch, { beam: 1, maxLen: 4 })[0]![0]!.tokens, g[0]!.tokens);
});

test('beam search: nBest sorted best first, length penalty as GNMT', () => {
  const hyps = beamSearch(new TrapScorer(), trapBatch, { beam: 3, nBest: 3, maxLen: 3 })[0]!;
  assert.equal(hyps.length, 3);
  for (let i = 1; i < hyps.length; i++) assert.ok(hyps[i - 1]!.score >= hyps[i]!.score);
  assert.equal(lengthPenalty(3, 0), 1);
  assert.ok(Math.abs(lengthPenalty(3, 0.6) - Math.pow(8 / 6, 0.6)) < 1e-12);
});

for (const attention of ['none', 'general', 'bahdanau'] as const) {
  test(`beam size 1 equals greedy (${attention})`, () => {
    const model = randomModel(attention, 1);
    const batch = tokenBatch(digitPairs(new Rng(8), 12, 'copy'));
    for (const alpha of [0, 1]) {
      const g = greedy(model, batch, { maxLenA: 1, maxLenB: 4, attention: true });
      const b = beamSearch(model, batch, { beam: 1, lengthPenalty: alpha, maxLenA: 1, maxLenB: 4, attention: true });
      g.forEach((h, i) => {
        const bh = b[i]![0]!;
        assert.deepEqual(bh.tokens, h.tokens, `sentence ${i}`);
        if (alpha === 0) assert.ok(Math.abs(bh.score - h.score) < 1e-9, `sentence ${i}: ${bh.score} vs ${h.score}`);
        assert.deepEqual(bh.attention, h.attention);
      });
    }
  });
}

test('decoding a batch equals decoding each sentence alone (padding is invisible)', () => {
  const model = randomModel('general', 2);
  const pairs = digitPairs(new Rng(9), 6, 'copy', 1, 8);
  const batch = tokenBatch(pairs);
  const g = greedy(model, batch, { maxLenA: 1, maxLenB: 3 });
  const b = beamSearch(model, batch, { beam: 3, nBest: 2, maxLenA: 1, maxLenB: 3 });
  pairs.forEach((p, i) => {
    const one = tokenBatch([p]);
    const g1 = greedy(model, one, { maxLenA: 1, maxLenB: 3 })[0]!;
    assert.deepEqual(g[i]!.tokens, g1.tokens);
    assert.ok(Math.abs(g[i]!.score - g1.score) < 1e-4);
    const b1 = beamSearch(model, one, { beam: 3, nBest: 2, maxLenA: 1, maxLenB: 3 })[0]!;
    assert.deepEqual(b[i]!.map((h) => h.tokens), b1.map((h) => h.tokens));
  });
});

test('hypotheses carry attention [tgtLen][srcLen] whose rows sum to 1', () => {
  const model = randomModel('bahdanau', 3);
  const pairs = digitPairs(new Rng(10), 4, 'copy');
  for (const hyps of [greedy(model, tokenBatch(pairs), { attention: true }), beamSearch(model, tokenBatch(pairs), { beam: 4, attention: true }).map((h) => h[0]!)]) {
    hyps.forEach((h, i) => {
      assert.equal(h.attention.length, h.tokens.length);
      for (const row of h.attention) {
        assert.equal(row.length, pairs[i]!.src.length);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
      }
    });
  }
  assert.deepEqual(greedy(randomModel('none', 3), tokenBatch(pairs), { attention: true })[0]!.attention, []);
  // Not asked for: no rows (they would cost output length × source length).
  assert.deepEqual(greedy(model, tokenBatch(pairs))[0]!.attention, []);
  assert.deepEqual(beamSearch(model, tokenBatch(pairs), { beam: 4 })[0]![0]!.attention, []);
});

test('sampling: top-k 1 is greedy; a seed fixes the draw; frequencies follow the distribution', () => {
  const model = randomModel('general', 4);
  const batch = tokenBatch(digitPairs(new Rng(11), 5, 'reverse'));
  const g = greedy(model, batch);
  const s1 = sample(model, batch, { topK: 1, rng: new Rng(1) });
  assert.deepEqual(s1.map((h) => h.tokens), g.map((h) => h.tokens));
  const a = sample(model, batch, { temperature: 1.5, rng: new Rng(7) });
  const b = sample(model, batch, { temperature: 1.5, rng: new Rng(7) });
  assert.deepEqual(a, b);
  // first token under the trap scorer: A with p = 0.6
  const many = { B: 400, S: 1, src: new Int32Array(400).fill(4), srcLen: new Array<number>(400).fill(1) };
  const first = sample(new TrapScorer(), many, { rng: new Rng(3), maxLen: 1 }).map((h) => h.tokens[0]);
  const pA = first.filter((t) => t === 4).length / 400;
  assert.ok(Math.abs(pA - 0.6) < 0.08, `P(A) ≈ ${pA}`);
  const top2 = sample(new TrapScorer(), many, { rng: new Rng(3), maxLen: 2, topK: 2 });
  // after A the four continuations tie at 0.25; top-2 keeps the lowest ids, unk (1) and EOS (3)
  const afterA = top2.filter((h) => h.tokens[0] === 4);
  assert.ok(afterA.length > 0 && afterA.every((h) => h.tokens.length === 1 || h.tokens[1] === 1));
  assert.ok(afterA.some((h) => h.tokens.length === 1) && afterA.some((h) => h.tokens[1] === 1));
});

test('decoding frees every tensor it makes (memory stays flat)', () => {
  const model = randomModel('general', 5);
  const batch = tokenBatch(digitPairs(new Rng(12), 8, 'copy'));
  greedy(model, batch);
  beamSearch(model, batch, { beam: 3 });
  const before = backend().memoryStats().liveBytes;
  for (let i = 0; i < 3; i++) {
    greedy(model, batch);
    beamSearch(model, batch, { beam: 4, nBest: 2 });
    sample(model, batch, { rng: new Rng(i) });
  }
  assert.equal(backend().memoryStats().liveBytes, before);
});
