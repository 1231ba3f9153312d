/**
 * Seq2Seq structure and consistency: the step interface reproduces the teacher-forced loss for
 * every decoder path, selectState reorders rows, config errors name the field and the choices,
 * and the checkpoint names match docs/models.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, noGrad, tidy } from '../../src/tensor/index.js';
import { buildModel, resolveConfig, SEQ2SEQ_DEFAULTS, type Seq2SeqBatch, type Seq2SeqConfig } from '../../src/models/index.js';
import { UserError } from '../../src/util/errors.js';
import { DIGIT_VOCAB, digitPairs, tokenBatch } from './helpers.js';

function stepwiseLoss(cfg: Partial<Seq2SeqConfig>, batch: Seq2SeqBatch): { viaLoss: number; viaSteps: number } {
  const model = buildModel({ srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 6, hidden: 8, dropout: 0.3, ...cfg }, new Rng(2));
  model.eval();
  return noGrad(() => tidy(() => {
    const viaLoss = model.loss(batch).loss.item();
    const { B, S, T } = batch;
    let state = model.startState(model.encode(batch.src, batch.srcLen, B, S));
    let total = 0;
    let n = 0;
    for (let t = 0; t < T; t++) {
      const r = model.step(state, Int32Array.from({ length: B }, (_, b) => batch.tgtIn[b * T + t]!));
      const lp = r.logProbs.toArray();
      const V = r.logProbs.shape[1]!;
      for (let b = 0; b < B; b++) {
        const y = batch.tgtOut[b * T + t]!;
        if (y === 0) continue;
        total -= lp[b * V + y]!;
        n++;
      }
      state = r.state;
    }
    return { viaLoss, viaSteps: total / n };
  }));
}

const variants: [string, Partial<Seq2SeqConfig>][] = [
  ['lstm none, 2→1 layers', { arch: 'lstm', attention: 'none', layers: 2, decoderLayers: 1 }],
  ['gru bahdanau, bidirectional', { arch: 'gru', attention: 'bahdanau', bidirectional: true }],
  ['rnn dot, 1→2 layers', { arch: 'rnn', attention: 'dot', layers: 1, decoderLayers: 2, bidirectional: false }],
  ['lstm general, tied', { arch: 'lstm', attention: 'general', tieEmbeddings: true }],
  ['lstm general, no input feeding (all steps at once)', { arch: 'lstm', attention: 'general', inputFeeding: false, decoderLayers: 2 }],
  ['gru bahdanau, no input feeding', { arch: 'gru', attention: 'bahdanau', inputFeeding: false }],
  ['gru encoder → lstm decoder, dot', { arch: 'gru', decoderArch: 'lstm', attention: 'dot' }],
];

for (const [name, cfg] of variants) {
  test(`Seq2Seq: step-by-step decoding reproduces the teacher-forced loss (${name})`, () => {
    const batch = tokenBatch(digitPairs(new Rng(4), 5, 'reverse', 2, 6));
    const { viaLoss, viaSteps } = stepwiseLoss(cfg, batch);
    assert.ok(Math.abs(viaLoss - viaSteps) <= 1e-5 * Math.abs(viaLoss), `loss ${viaLoss} vs steps ${viaSteps}`);
  });
}

test('Seq2Seq.selectState: stepping a reordered state gives the reordered log-probabilities', () => {
  const model = buildModel({ srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 6, hidden: 8, attention: 'general' }, new Rng(3));
  const batch = tokenBatch(digitPairs(new Rng(5), 3, 'copy'));
  noGrad(() => tidy(() => {
    const st0 = model.startState(model.encode(batch.src, batch.srcLen, batch.B, batch.S));
    const r1 = model.step(st0, Int32Array.from([2, 2, 2]));
    const rows = Int32Array.from([2, 0, 0, 1]);
    const prev = Int32Array.from([5, 6, 7, 8]);
    const a = model.step(model.selectState(r1.state, rows), prev);
    const V = DIGIT_VOCAB;
    // the same rows stepped one at a time from the unselected state
    for (let i = 0; i < rows.length; i++) {
      const p = Int32Array.from([0, 0, 0]);
      p[rows[i]!] = prev[i]!;
      const full = model.step(r1.state, p).logProbs.toArray();
      const got = a.logProbs.toArray().slice(i * V, (i + 1) * V);
      const want = full.slice(rows[i]! * V, (rows[i]! + 1) * V);
      got.forEach((g, v) => assert.ok(Math.abs(g - want[v]!) < 1e-5, `row ${i} token ${v}: ${g} vs ${want[v]}`));
      const att = a.attention!.slice(i * batch.S, (i + 1) * batch.S);
      const len = batch.srcLen[rows[i]!]!;
      assert.ok(Math.abs(att.reduce((x, y) => x + y, 0) - 1) < 1e-5, 'attention sums to 1');
      assert.ok(att.slice(len).every((x) => x === 0), 'no attention on padding');
    }
  }));
});

test('resolveConfig: defaults, derived fields, errors that name the field and the valid choices', () => {
  const c = resolveConfig({ srcVocab: 10, tgtVocab: 12 });
  assert.equal(c.decoderArch, SEQ2SEQ_DEFAULTS.arch);
  assert.equal(c.decoderLayers, SEQ2SEQ_DEFAULTS.layers);
  assert.equal(c.inputFeeding, true);
  assert.equal(resolveConfig({ srcVocab: 10, tgtVocab: 12, attention: 'none' }).inputFeeding, false);
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c, 'JSON round trip');
  assert.throws(() => resolveConfig({ srcVocab: 10, tgtVocab: 12, arch: 'transformer' as never }), (e: unknown) =>
    e instanceof UserError && /arch is "transformer"; valid choices: lstm, gru, rnn/.test(e.message));
  assert.throws(() => resolveConfig({ srcVocab: 10, tgtVocab: 12, attention: 'luong' as never }), /valid choices: none, bahdanau, dot, general/);
  assert.throws(() => resolveConfig({ srcVocab: 10, tgtVocab: 12, hidden: 5 }), /hidden must be even/);
  assert.throws(() => resolveConfig({ tgtVocab: 12 }), /srcVocab must be a positive integer/);
  assert.throws(() => resolveConfig({ srcVocab: 10, tgtVocab: 12, hiden: 4 } as never), /unknown field 'hiden'/);
  assert.throws(() => resolveConfig({ kind: 'continuous', inputDim: 1, outputDim: 1, tieEmbeddings: true }), /tieEmbeddings needs kind "tokens"/);
});

test('checkpoint names and shapes (the table in docs/models.md)', () => {
  const model = buildModel({ srcVocab: 100, tgtVocab: 120, emb: 16, hidden: 32, layers: 2, decoderLayers: 2, arch: 'lstm', attention: 'bahdanau', bidirectional: true }, new Rng(1));
  const names = model.namedParameters().map(([n, t]) => `${n} [${t.shape.join(', ')}]`);
  assert.deepEqual(names, [
    'encoder.embed.weight [100, 16]',
    'encoder.layers.0.fwd.weight_ih [16, 64]',
    'encoder.layers.0.fwd.weight_hh [16, 64]',
    'encoder.layers.0.fwd.bias [64]',
    'encoder.layers.0.bwd.weight_ih [16, 64]',
    'encoder.layers.0.bwd.weight_hh [16, 64]',
    'encoder.layers.0.bwd.bias [64]',
    'encoder.layers.1.fwd.weight_ih [32, 64]',
    'encoder.layers.1.fwd.weight_hh [16, 64]',
    'encoder.layers.1.fwd.bias [64]',
    'encoder.layers.1.bwd.weight_ih [32, 64]',
    'encoder.layers.1.bwd.weight_hh [16, 64]',
    'encoder.layers.1.bwd.bias [64]',
    'bridge.0.h.weight [32, 32]',
    'bridge.0.h.bias [32]',
    'bridge.0.c.weight [32, 32]',
    'bridge.0.c.bias [32]',
    'bridge.1.h.weight [32, 32]',
    'bridge.1.h.bias [32]',
    'bridge.1.c.weight [32, 32]',
    'bridge.1.c.bias [32]',
    'decoder.weight_feed [32, 128]',
    'decoder.embed.weight [120, 16]',
    'decoder.layers.0.fwd.weight_ih [16, 128]',
    'decoder.layers.0.fwd.weight_hh [32, 128]',
    'decoder.layers.0.fwd.bias [128]',
    'decoder.layers.1.fwd.weight_ih [32, 128]',
    'decoder.layers.1.fwd.weight_hh [32, 128]',
    'decoder.layers.1.fwd.bias [128]',
    'decoder.attention.W_1 [32, 32]',
    'decoder.attention.W_2 [32, 32]',
    'decoder.attention.v [32, 1]',
    'decoder.attention.W_c [64, 32]',
    'decoder.generator.weight [32, 120]',
    'decoder.generator.bias [120]',
  ]);
});
