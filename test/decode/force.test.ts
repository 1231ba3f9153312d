/**
 * Forced decoding (forcedScores): a search's own hypotheses forced back through the model score
 * what the search reported, for greedy and for every entry of a beam's n-best list; scores do not
 * depend on how hypotheses are batched. The n-best check is also the regression test for beam
 * search stopping at its first finished hypothesis and filling the n-best list with live ones cut
 * off before their EOS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, fromArray } from '../../src/tensor/index.js';
import { buildModel, type Seq2SeqModel } from '../../src/models/index.js';
import { beamSearch, forcedScores, greedy, maxSteps, type Scorer } from '../../src/decode/index.js';
import { digitPairs, DIGIT_VOCAB, tokenBatch } from '../models/helpers.js';
import { randomModel } from './helpers.js';

function randomTransformer(seed: number): Seq2SeqModel {
  const m = buildModel({ arch: 'transformer', srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 16, heads: 2, ffn: 32, layers: 2, dropout: 0 }, new Rng(seed));
  const r = new Rng(seed + 100);
  for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = (r.uniform() * 2 - 1) * 0.8;
  return m.eval();
}

/**
 * The model with EOS made e^boost times likelier at every step (rows renormalised): random
 * weights rarely end a sentence, and the n-best lists under test need hypotheses of varied
 * lengths that end. Encoding, the decoder state and its reordering are the model's own.
 */
function endsSooner(model: Seq2SeqModel, boost: number): Scorer {
  return {
    encode: (src, srcLen, B, S) => model.encode(src, srcLen, B, S),
    startState: (enc) => model.startState(enc as never),
    selectState: (state, rows) => model.selectState(state as never, rows),
    step(state, prev) {
      const r = model.step(state as never, prev);
      const V = r.logProbs.shape[r.logProbs.shape.length - 1]!;
      const lp = Float32Array.from(r.logProbs.f32.subarray(0, r.logProbs.size));
      for (let o = 0; o < lp.length; o += V) {
        lp[o + 3] += boost;
        let z = 0;
        for (let v = 0; v < V; v++) z += Math.exp(lp[o + v]!);
        for (let v = 0; v < V; v++) lp[o + v] -= Math.log(z);
      }
      return { logProbs: fromArray(lp, [...r.logProbs.shape]), attention: r.attention, state: r.state };
    },
  };
}

const LENGTHS = { maxLenA: 1.5, maxLenB: 4 };

const models: [string, () => Scorer][] = [
  ['GRU, general attention', () => endsSooner(randomModel('general', 3), 1.5)],
  ['GRU, no attention', () => endsSooner(randomModel('none', 4), 1.5)],
  ['Transformer', () => endsSooner(randomTransformer(5), 1.5)],
];

for (const [name, make] of models) {
  test(`forced scores equal the search's scores: greedy and every n-best entry (${name})`, () => {
    const model = make();
    const batch = tokenBatch(digitPairs(new Rng(11), 24, 'copy', 1, 9));
    const g = greedy(model, batch, LENGTHS);
    const gf = forcedScores(model, batch, g.map((h) => h.tokens));
    g.forEach((h, i) => {
      // a hypothesis cut at the length limit has no EOS, which forcing adds: skip those
      if (h.tokens.length >= maxSteps(batch.srcLen[i]!, LENGTHS)) return;
      assert.ok(Math.abs(gf[i]! - h.score) < 1e-4, `greedy, sentence ${i}: forced ${gf[i]} against ${h.score}`);
    });

    const k = 5;
    const nbest = beamSearch(model, batch, { ...LENGTHS, beam: k, nBest: k });
    let checked = 0;
    nbest.forEach((hyps, i) => {
      const limit = maxSteps(batch.srcLen[i]!, LENGTHS);
      const one = tokenBatch(hyps.map(() => ({ src: Array.from(batch.src.subarray(i * batch.S, i * batch.S + batch.srcLen[i]!)), tgt: [] })));
      const f = forcedScores(model, one, hyps.map((h) => h.tokens));
      hyps.forEach((h, j) => {
        if (h.tokens.length >= limit) return;
        checked++;
        assert.ok(Math.abs(f[j]! - h.score) < 1e-4, `sentence ${i}, hypothesis ${j} (${h.tokens.join(' ')}): forced ${f[j]} against the beam's ${h.score}`);
      });
    });
    assert.ok(checked >= nbest.length * 2, `only ${checked} hypotheses ended before the length limit`);
  });
}

test('forced scores: a batch scores each row as it scores alone; lengths may differ; bad ids are an error', () => {
  const model = randomModel('bahdanau', 7);
  const pairs = digitPairs(new Rng(12), 6, 'reverse', 1, 7);
  const batch = tokenBatch(pairs);
  const targets = pairs.map((p, i) => p.tgt.slice(0, 1 + (i % p.tgt.length)));
  const together = forcedScores(model, batch, targets);
  pairs.forEach((p, i) => {
    const alone = forcedScores(model, tokenBatch([p]), [targets[i]!])[0]!;
    assert.ok(Math.abs(together[i]! - alone) < 1e-4, `row ${i}: ${together[i]} in the batch, ${alone} alone`);
    assert.ok(together[i]! < 0 && Number.isFinite(together[i]!));
  });
  // an empty target scores EOS alone
  const eosOnly = forcedScores(model, tokenBatch([pairs[0]!]), [[]])[0]!;
  assert.ok(eosOnly < 0 && Number.isFinite(eosOnly));
  assert.throws(() => forcedScores(model, tokenBatch([pairs[0]!]), [[DIGIT_VOCAB + 3]]), /outside the vocabulary/);
  assert.throws(() => forcedScores(model, batch, targets.slice(1)), /5 targets for a batch of 6/);
});
