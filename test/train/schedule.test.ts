import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCodecs } from '../../src/data/index.js';
import { trainRun, RUN_FILES } from '../../src/train/index.js';
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
