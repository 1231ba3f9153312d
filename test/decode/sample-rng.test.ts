/**
 * Sampling with one RNG per sentence (rngFor): a sentence's draw depends on its own seed only,
 * not on the sentences it is batched with — what lets the server batch sampled requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/index.js';
import { sample } from '../../src/decode/index.js';
import { buildModel } from '../../src/models/index.js';
import { DIGIT_VOCAB, digitPairs, tokenBatch } from '../models/helpers.js';

test('sample with rngFor: each sentence alone = the same sentence in a batch, given its own seed', () => {
  const model = buildModel({ srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 8, hidden: 12, attention: 'general', arch: 'gru' }, new Rng(3));
  const r = new Rng(103);
  for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = (r.uniform() * 2 - 1) * 0.8; // peaked, varied distributions
  model.eval();
  const pairs = digitPairs(new Rng(21), 6, 'copy');
  const seeds = [5, 17, 5, 99, 1, 42];
  const rngs = seeds.map((s) => new Rng(s));
  const batched = sample(model, tokenBatch(pairs), { temperature: 1.3, rngFor: (b) => rngs[b]! });
  const again = seeds.map((s) => new Rng(s));
  const batched2 = sample(model, tokenBatch(pairs), { temperature: 1.3, rngFor: (b) => again[b]! });
  assert.deepEqual(batched, batched2);
  pairs.forEach((p, i) => {
    const own = new Rng(seeds[i]!);
    const alone = sample(model, tokenBatch([p]), { temperature: 1.3, rngFor: () => own })[0]!;
    assert.deepEqual(alone.tokens, batched[i]!.tokens, `sentence ${i}`);
    assert.ok(Math.abs(alone.score - batched[i]!.score) < 1e-5);
  });
  // Sentences 0 and 2 share seed 5 but not their source: the draws differ only through the model.
  assert.notDeepEqual(pairs[0]!.src, pairs[2]!.src);
  assert.throws(() => sample(model, tokenBatch(pairs), {}), /give rng or rngFor/);
});
