/**
 * Finite-difference gradient checks of the whole Seq2Seq and Transformer losses: every arch × attention on a tiny
 * config with padding, a bidirectional 2-layer encoder and a 1-layer decoder (bridge layer
 * mismatch), plus tied embeddings, no input feeding, a deeper decoder and continuous mode; the
 * Transformer pre-norm (sinusoidal, tied) and post-norm (learned positions, untied, smoothing).
 * A few seeded entries of every parameter are checked against central differences of the loss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, noGrad, tidy } from '../../src/tensor/index.js';
import {
  buildModel, type ContinuousBatch, type PartialModelConfig, type Seq2Seq, type Seq2SeqBatch, type Seq2SeqConfig, type Seq2SeqModel,
} from '../../src/models/index.js';

const tokenBatchFixture: Seq2SeqBatch = {
  B: 3, S: 4, T: 4,
  src: Int32Array.from([4, 5, 6, 7, 5, 6, 0, 0, 6, 0, 0, 0]),
  srcLen: [4, 2, 1],
  tgtIn: Int32Array.from([2, 4, 5, 6, 2, 7, 0, 0, 2, 5, 4, 0]),
  tgtOut: Int32Array.from([4, 5, 6, 3, 7, 3, 0, 0, 5, 4, 3, 0]),
};

function continuousFixture(): ContinuousBatch {
  const rng = new Rng(5);
  const B = 2, S = 3, T = 3;
  return {
    B, S, T,
    srcVals: Float32Array.from({ length: B * S * 2 }, () => rng.uniform() * 2 - 1),
    srcLen: [3, 2],
    tgtVals: Float32Array.from({ length: B * T * 1 }, () => rng.uniform() * 2 - 1),
    tgtLen: [3, 2],
  };
}

/** Loss with dropout off (dropout 0 in the configs) as a float64 number. */
function lossValue(model: Seq2SeqModel, batch: Seq2SeqBatch | ContinuousBatch, smoothing: number): number {
  return noGrad(() => tidy(() => lossOf(model, batch, smoothing).item()));
}

function lossOf(model: Seq2SeqModel, batch: Seq2SeqBatch | ContinuousBatch, smoothing: number) {
  return ('srcVals' in batch ? (model as Seq2Seq).loss(batch, { smoothing }) : model.loss(batch, { smoothing })).loss;
}

function checkModel(cfg: PartialModelConfig, batch: Seq2SeqBatch | ContinuousBatch, smoothing = 0, perParam = 3): void {
  const model = buildModel({ dropout: 0, ...cfg } as PartialModelConfig, new Rng(11));
  // larger weights than the ±0.1 init make every path's gradient big enough to measure in float32
  const wr = new Rng(3);
  for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = (wr.uniform() * 2 - 1) * 0.5;
  tidy(() => lossOf(model, batch, smoothing).backward());
  const pick = new Rng(17);
  const eps = 1e-2;
  const where = JSON.stringify(cfg);
  for (const [name, p] of model.namedParameters()) {
    const g = p.grad ?? new Float32Array(p.size);
    const x = p.data as Float32Array;
    const x0 = Float32Array.from(x.subarray(0, p.size));
    // 1. the directional derivative along a random ±1 direction (sensitive to small per-entry gradients)
    const dir = Float32Array.from({ length: p.size }, () => (pick.uniform() < 0.5 ? -1 : 1));
    for (let i = 0; i < p.size; i++) x[i] = x0[i]! + eps * dir[i]!;
    const fp = lossValue(model, batch, smoothing);
    for (let i = 0; i < p.size; i++) x[i] = x0[i]! - eps * dir[i]!;
    const fm = lossValue(model, batch, smoothing);
    x.set(x0);
    const numDir = (fp - fm) / (2 * eps);
    let anaDir = 0;
    for (let i = 0; i < p.size; i++) anaDir += g[i]! * dir[i]!;
    assertGrad(numDir, anaDir, `${where}: directional d loss / d ${name}`);
    // 2. a few single entries
    for (let k = 0; k < Math.min(perParam, p.size); k++) {
      const i = pick.int(p.size);
      x[i] = x0[i]! + eps;
      const xp = x[i]!;
      const fp1 = lossValue(model, batch, smoothing);
      x[i] = x0[i]! - eps;
      const xm = x[i]!;
      const fm1 = lossValue(model, batch, smoothing);
      x[i] = x0[i]!;
      assertGrad((fp1 - fm1) / (xp - xm), g[i]!, `${where}: d loss / d ${name}[${i}]`);
    }
  }
}

/** The loss is float32 (ulp ≈ 2.4e-7 at 2), so central differences carry ≈ 1.2e-5 of rounding noise at ε = 1e-2. */
function assertGrad(num: number, ana: number, what: string): void {
  if (process.env.GC_DEBUG) console.log(what, ana.toExponential(2), num.toExponential(2));
  const tol = 3e-5 + 3e-2 * Math.max(Math.abs(num), Math.abs(ana));
  assert.ok(Math.abs(num - ana) <= tol, `${what}: analytic ${ana}, numeric ${num}`);
}

const base: Partial<Seq2SeqConfig> = { srcVocab: 8, tgtVocab: 9, emb: 3, hidden: 4, layers: 2, decoderLayers: 1, bidirectional: true };

for (const arch of ['lstm', 'gru', 'rnn'] as const) {
  for (const attention of ['none', 'bahdanau', 'dot', 'general'] as const) {
    test(`Seq2Seq loss gradient: ${arch} × ${attention}`, () => {
      checkModel({ ...base, arch, attention }, tokenBatchFixture);
    });
  }
}

test('Seq2Seq loss gradient: GRU encoder → LSTM decoder, 2 decoder layers, label smoothing', () => {
  checkModel({ ...base, arch: 'gru', decoderArch: 'lstm', layers: 1, decoderLayers: 2, attention: 'general' }, tokenBatchFixture, 0.1);
});

test('Seq2Seq loss gradient: attention without input feeding (all steps at once)', () => {
  for (const attention of ['bahdanau', 'dot', 'general'] as const) {
    checkModel({ ...base, arch: 'lstm', attention, inputFeeding: false, decoderLayers: 2 }, tokenBatchFixture);
  }
});

test('Seq2Seq loss gradient: tied embeddings (with and without out_proj)', () => {
  checkModel({ ...base, arch: 'lstm', attention: 'dot', tieEmbeddings: true }, tokenBatchFixture);
  checkModel({ ...base, arch: 'gru', attention: 'none', tieEmbeddings: true, emb: 4 }, tokenBatchFixture);
});

test('Seq2Seq loss gradient: continuous mode (masked MSE)', () => {
  for (const attention of ['none', 'general'] as const) {
    checkModel({ kind: 'continuous', inputDim: 2, outputDim: 1, emb: 3, hidden: 4, layers: 1, bidirectional: true, arch: 'lstm', attention }, continuousFixture(), 0, 4);
  }
});

test('Transformer loss gradient: pre-norm, sinusoidal, tied; post-norm, learned positions, untied, label smoothing', () => {
  const t = { arch: 'transformer', srcVocab: 8, tgtVocab: 9, emb: 4, heads: 2, ffn: 6, layers: 1, decoderLayers: 2, activation: 'gelu' } as const;
  checkModel(t, tokenBatchFixture);
  // emb 6: post-norm LayerNorms over 4 values with these ±0.5 weights curve too much for ε = 1e-2
  // (d loss / d decoder.embed_tokens.weight: central differences 4.48e-3 at ε = 1e-2, 5.007e-3 at 3e-3 and 1e-3, analytic 5.040e-3)
  checkModel({ ...t, emb: 6, postNorm: true, positions: 'learned' as const, maxPositions: 6, tieEmbeddings: false }, tokenBatchFixture, 0.1);
});
