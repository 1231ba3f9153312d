/**
 * Ensemble decoding (EnsembleScorer): one member is that model, two copies give the same outputs,
 * and two different members give the log of the mean of their probabilities (fairseq's averaging),
 * which a hand-made pair of scorers tells apart from averaging log-probabilities.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, fromArray, type Tensor } from '../../src/tensor/index.js';
import { beamSearch, greedy, sample, stateTensors, EnsembleScorer, meanOfProbabilities, type Hypothesis, type Scorer } from '../../src/decode/index.js';
import { decodeIds } from '../../src/train/index.js';
import { digitPairs, tokenBatch } from '../models/helpers.js';
import { randomModel } from './helpers.js';

/** A scorer that gives every row the same distribution at every step (vocabulary of 6: pad, unk, bos, eos, x = 4, y = 5). */
class FixedScorer implements Scorer<{ rows: number }, number> {
  constructor(private readonly probs: readonly number[]) {}
  encode(_src: Int32Array, _srcLen: number[], B: number): number {
    return B;
  }
  startState(B: number): { rows: number } {
    return { rows: B };
  }
  step(state: { rows: number }, prev: Int32Array): { logProbs: Tensor; attention: null; state: { rows: number } } {
    assert.equal(prev.length, state.rows);
    const lp = new Float32Array(state.rows * 6);
    for (let r = 0; r < state.rows; r++) this.probs.forEach((p, v) => (lp[r * 6 + v] = Math.log(p)));
    return { logProbs: fromArray(lp, [state.rows, 6]), attention: null, state };
  }
  selectState(_state: { rows: number }, rows: Int32Array): { rows: number } {
    return { rows: rows.length };
  }
}

const batch = tokenBatch(digitPairs(new Rng(21), 9, 'copy'));
const LEN = { maxLenA: 1, maxLenB: 4 };

function assertSameHyps(a: Hypothesis[], b: Hypothesis[], what: string): void {
  assert.equal(a.length, b.length);
  a.forEach((h, i) => {
    assert.deepEqual(b[i]!.tokens, h.tokens, `${what}: sentence ${i}`);
    assert.equal(b[i]!.score, h.score, `${what}: sentence ${i} score`);
    assert.deepEqual(b[i]!.attention, h.attention, `${what}: sentence ${i} attention`);
  });
}

test('an ensemble of one model is that model: the same hypotheses, scores and attention (greedy, beam n-best, sampling)', () => {
  const model = randomModel('general', 3);
  const one = new EnsembleScorer([model]);
  assertSameHyps(greedy(model, batch, { ...LEN, attention: true }), greedy(one, batch, { ...LEN, attention: true }), 'greedy');
  const b1 = beamSearch(model, batch, { ...LEN, beam: 4, nBest: 3, lengthPenalty: 0.6, attention: true });
  const b2 = beamSearch(one, batch, { ...LEN, beam: 4, nBest: 3, lengthPenalty: 0.6, attention: true });
  b1.forEach((hyps, i) => assertSameHyps(hyps, b2[i]!, `beam sentence ${i}`));
  assertSameHyps(sample(model, batch, { ...LEN, rng: new Rng(5) }), sample(one, batch, { ...LEN, rng: new Rng(5) }), 'sample');
});

test('an ensemble of two copies of a model gives the same outputs and scores as the model, and frees its states', () => {
  const model = randomModel('bahdanau', 4);
  const copy = randomModel('bahdanau', 4);
  const two = new EnsembleScorer([model, copy]);
  assertSameHyps(greedy(model, batch, { ...LEN, attention: true }), greedy(two, batch, { ...LEN, attention: true }), 'greedy');
  const b1 = beamSearch(model, batch, { ...LEN, beam: 5, nBest: 2, attention: true });
  // every member state's tensors, seen through a spy on the ensemble: all freed once the search returns
  const seen: Tensor[] = [];
  const spy = Object.create(two) as EnsembleScorer;
  spy.step = (s, p) => {
    const r = two.step(s, p);
    seen.push(...r.state.tensors);
    return r;
  };
  const b2 = beamSearch(spy, batch, { ...LEN, beam: 5, nBest: 2, attention: true });
  assert.ok(seen.length > 0);
  assert.deepEqual(seen.filter((t) => !t.disposed && !t.persistent), [], 'no member state outlives the search');
  b1.forEach((hyps, i) => assertSameHyps(hyps, b2[i]!, `beam sentence ${i}`));
  // through the translator's batching too, and with the ensemble put in training mode first (decoding switches it off and back)
  two.train(true);
  assert.equal(model.training, true);
  const d1 = decodeIds(model, [[4, 5, 6], [7, 8, 9, 10, 11]], { beam: 3, nBest: 2 });
  const d2 = decodeIds(two, [[4, 5, 6], [7, 8, 9, 10, 11]], { beam: 3, nBest: 2 });
  d1.forEach((hyps, i) => assertSameHyps(hyps, d2[i]!, `decodeIds sentence ${i}`));
  assert.equal(two.training, true, 'the mode is restored');
  two.eval();
  assert.equal(copy.training, false);
});

test('two different members: log of the mean of the probabilities, not the mean of the log-probabilities', () => {
  // x = 4, y = 5, z = EOS (3). Mean of probabilities: x 0.41, y 0.25, z 0.34 → x;
  // the mean of log-probabilities (a geometric mean) would pick y (0.126, 0.229, 0.177 for x, y, z).
  const a = new FixedScorer([1e-9, 1e-9, 1e-9, 0.05, 0.8, 0.15]);
  const b = new FixedScorer([1e-9, 1e-9, 1e-9, 0.63, 0.02, 0.35]);
  const ens = new EnsembleScorer([a, b]);
  const st = ens.startState(ens.encode(new Int32Array(2), [1, 1], 2, 1));
  const r = ens.step(st, Int32Array.from([2, 2]));
  assert.deepEqual(r.logProbs.shape, [2, 6]);
  const expected = [1e-9, 1e-9, 1e-9, (0.05 + 0.63) / 2, (0.8 + 0.02) / 2, (0.15 + 0.35) / 2].map(Math.log);
  for (let row = 0; row < 2; row++) {
    for (let v = 0; v < 6; v++) assert.ok(Math.abs(r.logProbs.data[row * 6 + v]! - expected[v]!) < 1e-6, `row ${row} token ${v}: ${r.logProbs.data[row * 6 + v]} vs ${expected[v]}`);
  }
  const src = { B: 1, S: 1, src: Int32Array.from([4]), srcLen: [1] };
  const g = greedy(ens, src, { maxLen: 2 })[0]!;
  assert.deepEqual(g.tokens, [4, 4], 'the ensemble takes x (the mean of probabilities) at both steps');
  assert.ok(Math.abs(g.score - 2 * Math.log(0.41)) < 1e-6, `score ${g.score}: x twice, then the length limit`);
  // stable where the probabilities underflow, and −∞ only where every member gives −∞
  const out = meanOfProbabilities([Float32Array.from([-1000, -Infinity, -Infinity, 0]), Float32Array.from([-1000 - Math.log(3), -5, -Infinity, 0])]);
  assert.ok(Math.abs(out[0]! - (-1000 + Math.log((1 + 1 / 3) / 2))) < 1e-3);
  assert.ok(Math.abs(out[1]! - (-5 + Math.log(0.5))) < 1e-6);
  assert.equal(out[2], -Infinity);
  assert.equal(out[3], 0);
});

test('members with different target vocabularies are refused at the first step', () => {
  const a = new FixedScorer([0.1, 0.1, 0.1, 0.1, 0.3, 0.3]);
  const b: Scorer<{ rows: number }, number> = {
    encode: (_s, _l, B) => B,
    startState: (B) => ({ rows: B }),
    step: (state) => ({ logProbs: fromArray(new Float32Array(state.rows * 5), [state.rows, 5]), attention: null, state }),
    selectState: (_s, rows) => ({ rows: rows.length }),
  };
  const ens = new EnsembleScorer([a, b]);
  assert.throws(() => ens.step(ens.startState(ens.encode(new Int32Array(1), [1], 1, 1)), Int32Array.from([2])), /member 1 gives log-probabilities of shape \[1, 5\], member 0 \[1, 6\]; the members must share one target vocabulary/);
  assert.throws(() => new EnsembleScorer([]), /at least one member/);
});
