/**
 * Every encoder arch × attention learns to copy and to reverse digit strings (10 digits) to ≥ 99%
 * exact match (greedy decoding of a fixed held-out set of 200 strings) with a tiny Adam loop.
 *
 * Runs on the wasm backend (1 thread) when it loads, else on js. Each run stops as soon as it
 * reaches 99% (checked every 50 steps); the assert is on the accuracy measured last, so a run that
 * never gets there fails.
 *
 * Robust to float rounding, not tuned to one float sequence: every recipe halves its lr on a fixed
 * schedule (with a constant lr the accuracy oscillates near the top and a 1-ulp kernel change once
 * left gru × dot reverse at 88.5%) and has a 3000-step cap, ≥ 3.7× what any checked variant needed;
 * the budget costs nothing when training goes well.
 *
 * "Small size" per attention:
 * - bahdanau, dot, general: strings of length 3–8, emb 16, hidden 32, batch 32, Adam lr 0.02 halved
 *   every 500 steps, ≤ 3000 steps.
 * - none (a fixed-length context vector: the decoder only sees the bridged encoder final state):
 *   strings of length 3–5, emb 16, hidden 64, bidirectional encoder, batch 64, Adam lr 0.01 halved
 *   every 300 steps, ≤ 3000 steps.
 *
 * Measured (2-core AMD EPYC shared with other jobs): the default run takes ~16 s in all (0.2–1.5 s
 * per attention combination, 0.3–1.9 s per `none` one). Steps to 99% for each combination under 11
 * variants — default (wasm, 1 thread, model seed 1, data seed 7); wasm 2 threads; js; every gemm,
 * unary and cell output nudged by 1 ulp (S2S_LEARN_PERTURB=ulp); model/data seeds 2/7, 1/8, 2/8,
 * 3/9, 4/10; ulp with 2/8 and 3/9 — min–max (default):
 *                   copy              reverse
 *   lstm × bahdanau  250–350 (300)     200–400 (250)
 *   gru  × bahdanau  200–400 (250)     200–350 (250)
 *   rnn  × bahdanau  250–400 (250)     250–500 (350)
 *   lstm × dot       350–450 (350)     300–550 (350)
 *   gru  × dot       300–450 (350)     250–550 (350)
 *   rnn  × dot       200–600 (300)     200–650 (350)
 *   lstm × general   250–450 (300)     200–400 (250)
 *   gru  × general   250–400 (400)     250–400 (250)
 *   rnn  × general   200–450 (450)     250–400 (250)
 *   lstm × none      500–800 (750)     500–750 (650)
 *   gru  × none      550–800 (650)     500–800 (650)
 *   rnn  × none      300–650 (300)     300–750 (650)
 * Every run reached 99% (worst: 800 of 3000 steps). The matrix was taken while the gemm kernels
 * were being reworked; the default run's steps moved by up to ±100 between engine snapshots (all
 * within the ranges above). Also passed: seeds 5/11 and js with seeds 2/8 (earlier snapshot). The old recipe (attention: constant lr,
 * ≤ 1000 steps) failed 1–2 combinations in each of ulp, seeds 2/8 and 3/9: the sweep does catch
 * fragile recipes. The same `none` recipe with lr halved every 1000 steps also gets gru and rnn
 * copy on length 3–8 to 99% (2700 and 2000 steps, 12–34 s): too slow for the default run.
 *
 * Test-only knobs: S2S_LEARN_BACKEND=js|wasm, S2S_LEARN_THREADS=n (default 1), S2S_LEARN_SEED
 * (model init, default 1), S2S_LEARN_DATA_SEED (training stream, default 7; held-out set
 * 92 + it), S2S_LEARN_PERTURB=ulp, S2S_LEARN_LOG=1 (print each run's accuracy, steps and time).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, setBackend } from '../../src/tensor/index.js';
import { createBackend, disposeBackend, type Backend } from '../../src/kernels/index.js';
import { buildModel } from '../../src/models/index.js';
import type { CellKind, AttentionKind } from '../../src/nn/index.js';
import { DIGIT_VOCAB, digitPairs, fitDigits, ulpPerturbedBackend, type FitOptions } from './helpers.js';

// Test-only knobs for the robustness sweeps in the header (defaults: the deterministic run).
const env = process.env;
const BACKEND = env.S2S_LEARN_BACKEND as 'js' | 'wasm' | undefined;
const THREADS = Number(env.S2S_LEARN_THREADS ?? 1);
const MODEL_SEED = Number(env.S2S_LEARN_SEED ?? 1);
const DATA_SEED = Number(env.S2S_LEARN_DATA_SEED ?? 7);
const LOG = env.S2S_LEARN_LOG === '1';

let be: Backend = await createBackend({ backend: BACKEND, threads: THREADS });
const base = be;
after(() => disposeBackend(base));
if (env.S2S_LEARN_PERTURB === 'ulp') be = ulpPerturbedBackend(be);
setBackend(be);
const beName = `${be.name}${be.threads > 1 ? ` ×${be.threads}` : ''}${be === base ? '' : ' ±ulp'}`;

const ARCHS: CellKind[] = ['lstm', 'gru', 'rnn'];
const ATTENTIONS: AttentionKind[] = ['bahdanau', 'dot', 'general', 'none'];

interface Recipe {
  maxLen: number;
  hidden: number;
  fit: Omit<FitOptions, 'minLen' | 'maxLen' | 'seed'>;
}

function recipe(attention: AttentionKind): Recipe {
  if (attention === 'none') {
    return { maxLen: 5, hidden: 64, fit: { steps: 3000, lr: 0.01, lrHalfLife: 300, batchSize: 64, evalEvery: 50, target: 0.99 } };
  }
  return { maxLen: 8, hidden: 32, fit: { steps: 3000, lr: 0.02, lrHalfLife: 500, batchSize: 32, evalEvery: 50, target: 0.99 } };
}

for (const attention of ATTENTIONS) {
  for (const arch of ARCHS) {
    for (const task of ['copy', 'reverse'] as const) {
      const r = recipe(attention);
      test(`${arch} × ${attention} learns to ${task} digit strings of length 3–${r.maxLen} (${beName})`, () => {
        const model = buildModel({
          arch, attention, srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 16, hidden: r.hidden, bidirectional: true, dropout: 0,
        }, new Rng(MODEL_SEED));
        const held = digitPairs(new Rng(92 + DATA_SEED), 200, task, 3, r.maxLen);
        const t0 = performance.now();
        const res = fitDigits(model, task, held, { ...r.fit, seed: DATA_SEED, minLen: 3, maxLen: r.maxLen });
        if (LOG) console.log(`LEARN ${arch} × ${attention} ${task}: ${res.acc} after ${res.steps}/${r.fit.steps} steps, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        assert.ok(res.acc >= 0.99, `exact match ${res.acc} after ${res.steps} steps (need 0.99)`);
      });
    }
  }
}
