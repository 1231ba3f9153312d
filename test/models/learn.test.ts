/**
 * Every encoder arch × attention learns to copy and to reverse digit strings (10 digits) to ≥ 99%
 * exact match (greedy decoding of a fixed held-out set of 200 strings) with a tiny Adam loop.
 *
 * Runs on the wasm backend (1 thread) when it loads, else on js (slower, same results bar float
 * rounding order). Each run stops as soon as it reaches 99% (checked every 50 steps); the assert is
 * on the accuracy measured last, so a run that never gets there fails.
 *
 * "Small size" per attention:
 * - bahdanau, dot, general: strings of length 3–8, emb 16, hidden 32, batch 32, Adam lr 0.02,
 *   ≤ 1000 steps (0.5–2 s each).
 * - none (a fixed-length context vector: the decoder only sees the bridged encoder final state):
 *   strings of length 3–5, emb 16, hidden 64, bidirectional encoder, batch 64, Adam lr 0.01 halved
 *   every 300 steps, ≤ 2000 steps. With a constant lr gru and rnn plateau at 85–97% (the accuracy
 *   oscillates); the decay takes them past 99%.
 *   Measured (wasm, 1 thread, 2-core AMD EPYC shared with other jobs; deterministic except time),
 *   steps to 99% / exact match / time:
 *     lstm copy     750 / 0.995 / 2.7 s        gru copy     650 / 0.995 / 4.2–5.4 s
 *     lstm reverse  650 / 1.000 / 3.2 s        gru reverse  650 / 0.990 / 3–4.2 s
 *     rnn  copy     300 / 0.990 / 0.9 s        rnn reverse  650 / 0.990 / 1.4–3.4 s
 *   Over model seeds 1–3 (data seeds 7–9) every combination reached 99% within 350–850 steps.
 *   The same recipe with lr halved every 1000 steps also gets gru and rnn copy on length 3–8 to
 *   99% (2700 and 2000 steps, 12–34 s): too slow for the default run.
 *   Set S2S_LEARN_LOG=1 to print each run's accuracy, steps and time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, setBackend } from '../../src/tensor/index.js';
import { createBackend } from '../../src/kernels/index.js';
import { buildModel } from '../../src/models/index.js';
import type { CellKind, AttentionKind } from '../../src/nn/index.js';
import { DIGIT_VOCAB, digitPairs, fitDigits } from './helpers.js';

const be = await createBackend({ threads: 1 });
setBackend(be);

const ARCHS: CellKind[] = ['lstm', 'gru', 'rnn'];
const ATTENTIONS: AttentionKind[] = ['bahdanau', 'dot', 'general', 'none'];

for (const attention of ATTENTIONS) {
  for (const arch of ARCHS) {
    for (const task of ['copy', 'reverse'] as const) {
      const none = attention === 'none';
      const maxLen = none ? 5 : 8;
      test(`${arch} × ${attention} learns to ${task} digit strings of length 3–${maxLen} (${be.name})`, () => {
        const model = buildModel({
          arch, attention, srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 16, hidden: none ? 64 : 32, bidirectional: true, dropout: 0,
        }, new Rng(1));
        const held = digitPairs(new Rng(99), 200, task, 3, maxLen);
        const t0 = performance.now();
        const r = none
          ? fitDigits(model, task, held, { steps: 2000, lr: 0.01, lrHalfLife: 300, batchSize: 64, evalEvery: 50, target: 0.99, minLen: 3, maxLen })
          : fitDigits(model, task, held, { steps: 1000, lr: 0.02, batchSize: 32, evalEvery: 50, target: 0.99, minLen: 3, maxLen });
        if (process.env.S2S_LEARN_LOG === '1') console.log(`${arch} × ${attention} ${task}: ${r.acc} after ${r.steps} steps, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        assert.ok(r.acc >= 0.99, `exact match ${r.acc} after ${r.steps} steps (need 0.99)`);
      });
    }
  }
}
