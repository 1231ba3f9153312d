import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCodecs, codecPairToJSON } from '../../src/data/index.js';
import type { RecipeReport } from '../../src/recipes/index.js';
import { startLane } from '../../src/recipes/train-lane.js';
import { copyPairs, tempDir } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[]): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
}

/**
 * `s2s recipe g2p-cmudict --quick --ensemble`: the plan end to end on the quick split. Three
 * rounds each train two LSTMs at once, one left to right on this thread and one right to left on a
 * worker-thread lane (seeds 1–6); the three left-to-right runs decode the test words as one
 * ensemble and the right-to-left runs re-rank its beam, exactly as `s2s translate --model …
 * --rescore …` does.
 */
const MEMBERS = ['lstm-1', 'lstm-2-r2l', 'lstm-3', 'lstm-4-r2l', 'lstm-5', 'lstm-6-r2l'];
const FORWARD = MEMBERS.filter((n) => !n.endsWith('-r2l'));
const BACKWARD = MEMBERS.filter((n) => n.endsWith('-r2l'));

test('s2s recipe g2p-cmudict --quick --ensemble: three rounds of two lanes, six members, decoded and re-ranked as the CLI does', () => {
  const d = tempDir('s2s-recipe-g2p-ens-');
  try {
    const out = join(d.dir, 'g2p');
    const r = s2s(['recipe', 'g2p-cmudict', '--quick', '--ensemble', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as RecipeReport;
    assert.equal(report.threads, 2);
    assert.equal(report.command, 's2s recipe g2p-cmudict --quick --ensemble');
    const members = report.extra!['members'] as { name: string; direction: string; params: number; train: { steps: number; reason: string }; beam5: { PER: number } }[];
    assert.deepEqual(members.map((m) => m.name), MEMBERS);
    assert.deepEqual(members.map((m) => m.direction), MEMBERS.map((n) => (n.endsWith('-r2l') ? 'right-to-left' : 'left-to-right')));
    assert.deepEqual(members.map((m) => [m.train.steps, m.train.reason]), MEMBERS.map(() => [300, 'max-steps']));
    assert.equal(report.params, members.reduce((a, m) => a + m.params, 0));
    assert.equal(report.train.steps, 1800);
    // each member is its own run of the LSTM, with seeds 1..6, the even ones writing right to left
    type Config = { model: { arch: string }; training: { seed: number }; codecs: { tgt: { reverse?: boolean } } };
    const config = (name: string): Config => JSON.parse(readFileSync(join(out, 'ensemble', name, 'config.json'), 'utf8'));
    assert.deepEqual(MEMBERS.map((n) => [config(n).model.arch, config(n).training.seed, config(n).codecs.tgt.reverse === true]),
      [['lstm', 1, false], ['lstm', 2, true], ['lstm', 3, false], ['lstm', 4, true], ['lstm', 5, false], ['lstm', 6, true]]);
    for (const name of ['greedy', 'beam5', 'beam5-rescored']) assert.ok(report.scores[name]!['PER']! < QUICK_ENSEMBLE_PER_BOUND, `${name}: PER ${report.scores[name]!['PER']}`);
    // re-ranked, the ensemble's output stays near its best member (a pipeline check, not a quality bar;
    // measured: see QUICK_ENSEMBLE_PER_BOUND)
    const best = Math.min(...members.map((m) => m.beam5.PER));
    assert.ok(report.scores['beam5-rescored']!['PER']! < best + 10, `re-ranked ${report.scores['beam5-rescored']!['PER']} vs best member ${best}`);

    // the recipe's beam-5 output is `s2s translate` with the left-to-right runs, and its
    // re-ranked output the same with the right-to-left runs as --rescore
    const sources = readFileSync(join(out, 'data', 'test.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t')[0]!);
    const words = sources.filter((w, i) => i === 0 || w !== sources[i - 1]);
    const flag = (f: string, names: string[]): string[] => names.flatMap((n) => [f, join(out, 'ensemble', n)]);
    const translate = (args: string[]): string => {
      const t = spawnSync(process.execPath, [MAIN, 'translate', ...args, '--weights', 'last', '--beam', '5', '--threads', '1'], { input: words.join('\n') + '\n', encoding: 'utf8' });
      assert.equal(t.status, 0, t.stderr);
      return t.stdout;
    };
    const forward = flag('--model', FORWARD);
    assert.equal(translate(forward), readFileSync(join(out, 'test.beam5.txt'), 'utf8'));
    assert.equal(translate([...forward, ...flag('--rescore', BACKWARD)]), readFileSync(join(out, 'test.beam5-rescored.txt'), 'utf8'));
    for (const n of MEMBERS) assert.ok(existsSync(join(out, `test.${n}.beam5.txt`)));
    assert.match(readFileSync(join(out, 'row.md'), 'utf8'), /; re-ranked: WER [\d.]+ \/ PER [\d.]+ \|/);
  } finally {
    d.cleanup();
  }
});

/** The quick plan scored PER 32.5 greedy / 31.5 beam 5 / 27.2 re-ranked, its members 30.9–38.8 (`s2s recipe g2p-cmudict --quick --ensemble`). */
const QUICK_ENSEMBLE_PER_BOUND = 75;

test('s2s recipe --ensemble: refused with --peer, with --threads, and for a recipe without a plan (exit 2, one line)', () => {
  for (const [args, what] of [
    [['g2p-cmudict', '--quick', '--ensemble', '--peer'], /leave out --peer/],
    [['g2p-cmudict', '--quick', '--ensemble', '--threads', '2'], /leave out --threads/],
    [['dates', '--quick', '--ensemble'], /recipe 'dates' has no --ensemble plan \(g2p-cmudict has\)/],
  ] as const) {
    const r = s2s(['recipe', ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a training lane stops on request, saves its run and reports why', async () => {
  const d = tempDir('s2s-lane-');
  try {
    const train = copyPairs(300, 1);
    const codecs = buildCodecs(train, { tokenizer: 'space' });
    const runDir = join(d.dir, 'run');
    const lane = startLane({
      runDir, codecs: codecPairToJSON(codecs), train, valid: copyPairs(20, 2),
      model: { arch: 'lstm', emb: 16, hidden: 32, dropout: 0 }, options: { maxSteps: 1_000_000, batchTokens: 64, validEvery: 0, seed: 3 },
    });
    // asked before the worker has even built its trainer: the request waits for it
    lane.stop('SIGINT');
    const r = await lane.done;
    assert.equal(r.reason, 'SIGINT');
    assert.ok(r.steps < 1_000_000 && r.params > 0);
    assert.ok(existsSync(join(runDir, 'model.safetensors')) && existsSync(join(runDir, 'checkpoint.json')));
  } finally {
    d.cleanup();
  }
});

test('a training lane reports a user error of its run as a UserError', async () => {
  const d = tempDir('s2s-lane-');
  try {
    const train = copyPairs(20, 1);
    const lane = startLane({
      runDir: join(d.dir, 'run'), codecs: codecPairToJSON(buildCodecs(train, { tokenizer: 'space' })), train, valid: [],
      model: { arch: 'lstm', emb: 16, hidden: 32, layers: 0 }, options: { maxSteps: 5 },
    });
    await assert.rejects(lane.done, (e: Error) => e.name === 'UserError' && /layers/.test(e.message));
  } finally {
    d.cleanup();
  }
});
