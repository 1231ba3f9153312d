import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCodecs } from '../../src/data/index.js';
import { BudgetDecay } from '../../src/tensor/index.js';
import { createSchedule, resolveTrainOptions, trainRun, RUN_FILES } from '../../src/train/index.js';
import { copyPairs, tempDir, TINY_MODEL } from './helpers.js';

test("--schedule inverse_sqrt drives the optimizer's lr per update as fairseq does, and a resumed run keeps it", async () => {
  const d = tempDir('s2s-isqrt-');
  try {
    const pairs = copyPairs(80, 4);
    const codecs = buildCodecs(pairs, { tokenizer: 'space' });
    const lrs: number[] = [];
    const options = { schedule: 'inverse_sqrt', warmup: 4, warmupInitLr: 0.002, lr: 0.01, batchTokens: 100, validEvery: 0, maxSteps: 4, validDecode: 0 } as const;
    await trainRun({ out: d.dir, codecs, train: pairs.slice(10), valid: pairs.slice(0, 10), model: TINY_MODEL, options, progress: false, say: () => {}, onStep: (s) => lrs.push(s.lr) });
    await trainRun({ out: d.dir, train: pairs.slice(10), valid: pairs.slice(0, 10), resume: true, options: { maxSteps: 7 }, progress: false, say: () => {}, onStep: (s) => lrs.push(s.lr) });
    // n = update − 1: 0.002 + n·0.002 for n < 4, then 0.01·√4/√n
    const want = [0.002, 0.004, 0.006, 0.008, 0.01, 0.01 * 2 / Math.sqrt(5), 0.01 * 2 / Math.sqrt(6)];
    assert.equal(lrs.length, want.length);
    lrs.forEach((lr, i) => assert.ok(Math.abs(lr - want[i]!) < 1e-12, `update ${i + 1}: ${lr} vs ${want[i]}`));
    const saved = JSON.parse(readFileSync(join(d.dir, RUN_FILES.config), 'utf8')).training;
    assert.equal(saved.schedule, 'inverse_sqrt');
    assert.equal(saved.warmupInitLr, 0.002);
  } finally {
    d.cleanup();
  }
});

test('--schedule linear falls from --lr to 0 over --max-steps after the warm-up, and cosine along a half cosine', async () => {
  for (const [schedule, fall] of [['linear', (p: number) => 1 - p], ['cosine', (p: number) => 0.5 * (1 + Math.cos(Math.PI * p))]] as const) {
    const d = tempDir('s2s-budget-');
    try {
      const pairs = copyPairs(80, 4);
      const codecs = buildCodecs(pairs, { tokenizer: 'space' });
      const lrs: number[] = [];
      const options = { schedule, warmup: 2, lr: 0.01, batchTokens: 100, validEvery: 0, maxSteps: 8, validDecode: 0 } as const;
      await trainRun({ out: d.dir, codecs, train: pairs.slice(10), valid: pairs.slice(0, 10), model: TINY_MODEL, options, progress: false, say: () => {}, onStep: (s) => lrs.push(s.lr) });
      // update s: lr · min(1, s/2) · fall(s/8)
      const want = Array.from({ length: 8 }, (_, i) => 0.01 * Math.min(1, (i + 1) / 2) * fall((i + 1) / 8));
      assert.equal(lrs.length, want.length);
      lrs.forEach((lr, i) => assert.ok(Math.abs(lr - want[i]!) < 1e-12, `${schedule} update ${i + 1}: ${lr} vs ${want[i]}`));
      assert.equal(lrs[7], 0);
    } finally {
      d.cleanup();
    }
  }
});

test('--schedule linear over --max-time spends the budget by the clock: the lr falls as the seconds pass', async () => {
  const d = tempDir('s2s-budget-time-');
  try {
    const pairs = copyPairs(200, 4);
    const codecs = buildCodecs(pairs, { tokenizer: 'space' });
    const lrs: number[] = [];
    const options = { schedule: 'linear', lr: 0.01, batchTokens: 60, validEvery: 0, maxTime: 1, validDecode: 0 } as const;
    await trainRun({ out: d.dir, codecs, train: pairs.slice(10), valid: pairs.slice(0, 10), model: TINY_MODEL, options, progress: false, say: () => {}, onStep: (s) => lrs.push(s.lr) });
    assert.ok(lrs.length >= 3, `${lrs.length} steps in a second`);
    for (let i = 1; i < lrs.length; i++) assert.ok(lrs[i]! <= lrs[i - 1]!, `update ${i + 1}: ${lrs[i]} > ${lrs[i - 1]}`);
    assert.ok(lrs[0]! > 0.008, `first update ${lrs[0]}`);
    assert.ok(lrs[lrs.length - 1]! < 0.002, `last update ${lrs[lrs.length - 1]}`);
  } finally {
    d.cleanup();
  }
});

test('a budget schedule without a budget is refused with a message that names the flags', () => {
  assert.throws(
    () => createSchedule(resolveTrainOptions({ schedule: 'cosine' }), false),
    /--schedule cosine decays the lr to 0 over the budget; give --max-steps, --max-time or --max-epochs/,
  );
  assert.equal(new BudgetDecay({ lr: 0.5, shape: 'linear' }).lrAt(1, 0.25), 0.375);
  assert.equal(new BudgetDecay({ lr: 0.5, shape: 'cosine' }).lrAt(10, 1.5), 0);
});
