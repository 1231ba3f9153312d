/**
 * Continuous mode: a sine-continuation task. The source is 12 samples of sin(ωt + φ) with random
 * frequency and phase; the target is the next 6 samples. The model must reach a low MSE on
 * held-out waves when generating autoregressively (feeding back its own predictions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, Rng, clipGradNorm, setBackend, tidy } from '../../src/tensor/index.js';
import { createBackend } from '../../src/kernels/index.js';
import { buildModel, type ContinuousBatch } from '../../src/models/index.js';
import { generateValues } from '../../src/decode/index.js';

// wasm (1 thread) when it loads, else js
setBackend(await createBackend({ threads: 1 }));

const S = 12;
const T = 6;

function waves(rng: Rng, B: number): ContinuousBatch {
  const srcVals = new Float32Array(B * S);
  const tgtVals = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const w = 0.3 + 0.5 * rng.uniform();
    const phi = 2 * Math.PI * rng.uniform();
    for (let t = 0; t < S + T; t++) {
      const v = Math.sin(w * t + phi);
      if (t < S) srcVals[b * S + t] = v;
      else tgtVals[b * T + t - S] = v;
    }
  }
  return { B, S, T, srcVals, srcLen: new Array<number>(B).fill(S), tgtVals };
}

test('continuous mode learns to continue a sine wave (autoregressive MSE < 0.01)', () => {
  const model = buildModel({ kind: 'continuous', inputDim: 1, outputDim: 1, arch: 'gru', attention: 'general', emb: 16, hidden: 32, bidirectional: true, dropout: 0 }, new Rng(1));
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const rng = new Rng(2);
  const held = waves(new Rng(3), 100);
  const mse = (): number => {
    const pred = generateValues(model, held, { steps: T, outputDim: 1 });
    let s = 0;
    for (let i = 0; i < pred.length; i++) s += (pred[i]! - held.tgtVals[i]!) ** 2;
    return s / pred.length;
  };
  const start = mse();
  let last = start;
  for (let step = 1; step <= 1500; step++) {
    const batch = waves(rng, 32);
    model.train();
    tidy(() => {
      opt.zeroGrad();
      model.loss(batch).loss.backward();
      clipGradNorm(model.parameters(), 5);
      opt.step();
    });
    if (step % 50 === 0) {
      model.eval();
      last = mse();
      if (last < 0.005) break;
    }
  }
  assert.ok(last < 0.01, `autoregressive MSE ${last} (untrained: ${start})`);
});

test('continuous mode: masked MSE ignores padded target steps', () => {
  const model = buildModel({ kind: 'continuous', inputDim: 1, outputDim: 1, arch: 'lstm', attention: 'none', emb: 4, hidden: 8, dropout: 0 }, new Rng(1));
  const b = waves(new Rng(4), 2);
  const base = tidy(() => model.loss({ ...b, tgtLen: [T, 3] }).loss.item());
  const changed = Float32Array.from(b.tgtVals);
  for (let t = 3; t < T; t++) changed[T + t] = 100; // row 1, steps beyond its length
  const after = tidy(() => model.loss({ ...b, tgtVals: changed, tgtLen: [T, 3] }).loss.item());
  assert.equal(after, base);
  assert.equal(tidy(() => model.loss({ ...b, tgtLen: [T, 3] }).tokens), T + 3);
});
