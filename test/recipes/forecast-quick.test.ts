import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecipeReport } from '../../src/recipes/index.js';
import { tempDir } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/**
 * `s2s recipe forecast --quick`: continuous mode end to end — seeded series, windows, MSE training
 * for a fixed number of steps, autoregressive forecasts of the test windows, scores against the
 * baselines. The bound is loose: the model must beat the naive forecast (which ignores the cycle;
 * MSE 1.33 here against 0.38 for the quick model, 0.13 for seasonal naive, measured with --threads 2), not the seasonal one.
 */
test('s2s recipe forecast --quick: training in continuous mode, forecasts scored against naive and seasonal naive', () => {
  const d = tempDir('s2s-recipe-forecast-');
  try {
    const out = join(d.dir, 'f');
    const r = spawnSync(process.execPath, [MAIN, 'recipe', 'forecast', '--quick', '--threads', '2', '--out', out, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as RecipeReport;
    assert.equal(report.recipe, 'forecast');
    // 6 series of 1200 steps: test forecasts start at 960, 984, …, 1176 (10 a series)
    assert.equal(report.data.test, 60);
    assert.equal(report.train.steps, 60);
    const { greedy, naive, seasonalNaive } = report.scores as Record<string, Record<string, number>>;
    for (const s of [greedy!, naive!, seasonalNaive!]) assert.ok(Number.isFinite(s['MSE']) && Number.isFinite(s['MAE']) && s['MAE']! ** 2 <= s['MSE']! + 1e-9, JSON.stringify(s));
    assert.ok(greedy!['MSE']! < naive!['MSE']!, `model MSE ${greedy!['MSE']} < naive ${naive!['MSE']}`);
    assert.ok(seasonalNaive!['MSE']! < naive!['MSE']!, 'the seasonal baseline knows the cycle');
    const lines = readFileSync(join(out, 'test.forecasts.tsv'), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 60);
    assert.equal(lines[0]!.split('\t').length, 2 + 24);
    assert.match(readFileSync(join(out, 'row.md'), 'utf8'), /\| forecast \(quick\) \| .*seasonal naive \(period 24\) MSE \d/);
    // its log.jsonl has the lines of s2s train: a train line every 10 steps, a valid line every 30 — and s2s plot curves draws it
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; mse?: number });
    assert.deepEqual(log.filter((l) => l.type === 'train').map((l) => l.step), [10, 20, 30, 40, 50, 60]);
    assert.deepEqual(log.filter((l) => l.type === 'valid').map((l) => l.step), [30, 60]);
    const plot = spawnSync(process.execPath, [MAIN, 'plot', 'curves', out, '--metric', 'mse', '--out', join(out, 'curves.svg')], { encoding: 'utf8' });
    assert.equal(plot.status, 0, plot.stderr);
    assert.match(plot.stderr, /6 train \+ 2 valid points/);
  } finally {
    d.cleanup();
  }
});
