/**
 * The decoder's fused teacher-forced run (Decoder.run → decoderSequence) equals T calls of its
 * step path (Decoder.core, Attention.step) — loss and every parameter gradient — for every cell,
 * every attention type and stacked layers, in training mode with dropout (the fused run draws its
 * between-layer dropout masks in the step path's order, so both consume the RNG alike).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Tensor, concat, crossEntropy, gatherRows, intTensor, slice, tidy, runBackward } from '../../src/tensor/index.js';
import { buildModel, type Seq2Seq, type Seq2SeqBatch, type Seq2SeqConfig } from '../../src/models/index.js';
import { batchMajorRows, timeMajorIds } from '../../src/models/encoder.js';
import { assertClose } from '../helpers/gradcheck.js';
import { DIGIT_VOCAB, digitPairs, tokenBatch } from './helpers.js';

/** The teacher-forced loss through Decoder.core step by step (what Decoder.run did before fusing). */
function stepLoss(m: Seq2Seq, batch: Seq2SeqBatch): Tensor {
  const { B, S, T } = batch;
  const d = m.decoder;
  let st = m.startState(m.encode(batch.src, batch.srcLen, B, S));
  const x = d.embedInput(timeMajorIds(batch.tgtIn, B, T));
  const xp = x instanceof Tensor ? d.cells[0]!.projectInput(x) : d.cells[0]!.projectEmbedded(x);
  const outs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const r = d.core(slice(xp, 0, t * B, (t + 1) * B), st);
    outs.push(r.out);
    st = { ...st, h: r.h, c: r.c, feed: r.feed };
  }
  // the model's boundary order: rows b·T + t, as the batch gives its targets
  const logits = d.output(d.drop(gatherRows(concat(outs, 0), batchMajorRows(B, T))));
  return crossEntropy(logits, intTensor(batch.tgtOut, [B * T]), { ignoreIndex: 0, reduction: 'mean' });
}

function lossAndGrads(cfg: Partial<Seq2SeqConfig>, batch: Seq2SeqBatch, fused: boolean): { loss: number; grads: Map<string, number[]> } {
  const m = buildModel({ srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 6, hidden: 8, dropout: 0.3, ...cfg }, new Rng(3));
  m.train();
  return tidy(() => {
    const loss = fused ? m.loss(batch).loss : stepLoss(m, batch);
    loss.gradBuffer().fill(1);
    runBackward();
    const grads = new Map<string, number[]>();
    for (const [name, p] of m.namedParameters()) grads.set(name, p.grad ? Array.from(p.grad) : new Array<number>(p.size).fill(0));
    return { loss: loss.item(), grads };
  });
}

const variants: [string, Partial<Seq2SeqConfig>][] = [
  ['gru general', { arch: 'gru', attention: 'general' }],
  ['rnn dot', { arch: 'rnn', attention: 'dot', bidirectional: false }],
  ['lstm bahdanau', { arch: 'lstm', attention: 'bahdanau' }],
  ['lstm general, 2 layers', { arch: 'lstm', attention: 'general', layers: 2 }],
  ['gru bahdanau, 3 decoder layers', { arch: 'gru', attention: 'bahdanau', decoderLayers: 3 }],
  ['rnn → lstm general, 2 layers', { arch: 'rnn', decoderArch: 'lstm', attention: 'general', layers: 2 }],
];

for (const [name, cfg] of variants) {
  test(`Decoder: the fused run equals the step path, loss and gradients, with dropout (${name})`, () => {
    const batch = tokenBatch(digitPairs(new Rng(4), 5, 'reverse', 2, 6));
    const a = lossAndGrads(cfg, batch, true);
    const b = lossAndGrads(cfg, batch, false);
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(b.loss), `loss ${a.loss} vs ${b.loss}`);
    assert.equal(a.grads.size, b.grads.size);
    for (const [p, g] of b.grads) assertClose(a.grads.get(p)!, g, 1e-6, 1e-4, `gradient of ${p}`);
  });
}
