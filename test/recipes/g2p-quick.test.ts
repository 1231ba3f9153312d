import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecipeReport } from '../../src/recipes/index.js';
import { tempDir } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/**
 * The g2p-cmudict pipeline end to end, as a user runs it: `s2s recipe g2p-cmudict --quick`
 * builds the split from the npm dictionary, trains a small model for a fixed number of steps,
 * decodes the test words greedily and with beam 5, and scores them. The bound is loose (an
 * untrained model scores PER ≥ 95), so the test checks that the pipeline learns, not how well.
 */
test('s2s recipe g2p-cmudict --quick: data, training, test decoding and scores end to end', () => {
  const d = tempDir('s2s-recipe-g2p-');
  try {
    const out = join(d.dir, 'g2p');
    const r = spawnSync(process.execPath, [MAIN, 'recipe', 'g2p-cmudict', '--quick', '--threads', '2', '--out', out, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as RecipeReport;
    assert.equal(report.recipe, 'g2p-cmudict');
    assert.deepEqual([report.data.train, report.data.valid, report.data.test], [2500, 100, 400]);
    assert.ok(report.train.steps > 0 && report.train.tokPerS > 0);
    for (const name of ['greedy', 'beam5']) {
      const s = report.scores[name]!;
      assert.ok(s['PER']! < QUICK_PER_BOUND, `${name}: PER ${s['PER']} (bound ${QUICK_PER_BOUND})`);
      assert.ok(s['WER']! <= 100 && s['WER']! >= s['PER']! / 2, `${name}: WER ${s['WER']}`);
      const hyps = readFileSync(join(out, `test.${name}.txt`), 'utf8').split('\n');
      assert.equal(hyps.length, 401);
      assert.ok(hyps.slice(0, 400).every((h) => /^[A-Z]+( [A-Z]+)*$/.test(h) || h === ''), 'outputs are phoneme strings');
    }
    assert.ok(existsSync(join(out, 'report.json')) && existsSync(join(out, 'row.md')) && existsSync(join(out, 'data', 'codecs.json')));
    assert.match(readFileSync(join(out, 'row.md'), 'utf8'), /\| g2p-cmudict \(quick\) \| 2,500 \/ 100 \/ 400/);
  } finally {
    d.cleanup();
  }
});

/** Quick mode reaches PER ~40–50 on the 400 test words; an untrained model is above 95. */
const QUICK_PER_BOUND = 75;
