/**
 * Right-to-left runs and n-best rescoring: `s2s train --right-to-left` learns to write its output
 * last token first while reading and writing text in reading order; `s2s translate --rescore RUN`
 * re-ranks a beam's n-best list by the search's score plus the rescorer's (the library's
 * rescoreTranslations gives the same); the mistakes are refused in one line with exit code 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnsemble, loadRun, rescoreTranslations } from '../../src/train/index.js';
import { UserError } from '../../src/util/errors.js';
import { copyPairs, tempDir, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('train --right-to-left writes its output last token first; translate --rescore re-ranks the n-best list with it', async () => {
  const d = tempDir('s2s-rescore-');
  try {
    const pairs = copyPairs(240, 5);
    writeTsv(join(d.dir, 'train.tsv'), pairs.slice(40));
    writeTsv(join(d.dir, 'valid.tsv'), pairs.slice(0, 40));
    const l2r = join(d.dir, 'l2r');
    const r2l = join(d.dir, 'r2l');
    const common = ['train', '--train', join(d.dir, 'train.tsv'), '--valid', join(d.dir, 'valid.tsv'), '--backend', 'js', '--emb', '16', '--hidden', '32',
      '--dropout', '0', '--batch-tokens', '200', '--lr', '0.02', '--max-steps', '400', '--valid-every', '400', '--valid-decode', '40', '--seed', '3'];
    const a = s2s([...common, '--out', l2r]);
    assert.equal(a.code, 0, a.stderr);
    const r = s2s([...common, '--out', r2l, '--right-to-left']);
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(readFileSync(join(r2l, 'config.json'), 'utf8'));
    assert.equal(config.codecs.tgt.reverse, true, 'the direction is part of the run');
    assert.equal(config.codecs.src.reverse, undefined);

    // The right-to-left run learned the copy task: its text reads left to right like the data.
    const valid = pairs.slice(0, 40);
    const input = valid.map((p) => p.src).join('\n') + '\n';
    const out = s2s(['translate', '--model', r2l, '--backend', 'js', '--beam', '1'], input);
    assert.equal(out.code, 0, out.stderr);
    const hyps = out.stdout.trimEnd().split('\n');
    const exact = hyps.filter((h, i) => h === valid[i]!.tgt).length;
    assert.ok(exact >= 20, `right to left: ${exact} of 40 copies exact; ${hyps.slice(0, 3).join(' | ')}`);
    // --json shows its tokens in reading order too
    const json = s2s(['translate', '--model', r2l, '--backend', 'js', '--json'], 'a b c d\n');
    const line = JSON.parse(json.stdout);
    assert.equal(line.hypotheses[0].tokens.join(' '), line.hypotheses[0].text);

    // --rescore: the CLI equals the library's rescoreTranslations over the whole beam, cut to --n-best
    const lines = valid.slice(0, 12).map((p) => p.src);
    const cli = s2s(['translate', '--model', l2r, '--rescore', r2l, '--beam', '4', '--n-best', '2', '--json', '--backend', 'js'], lines.join('\n') + '\n');
    assert.equal(cli.code, 0, cli.stderr);
    const fwd = await loadRun(l2r, { backend: 'js' });
    const rescorer = await loadRun(r2l);
    const lib = rescoreTranslations(fwd.translate(lines, { beam: 4, nBest: 4 }), rescorer);
    const got = cli.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(got.length, lines.length);
    got.forEach((g, i) => {
      assert.equal(g.hypotheses.length, 2);
      assert.deepEqual(g.hypotheses.map((h: { text: string }) => h.text), lib[i]!.hypotheses.slice(0, 2).map((h) => h.text));
      assert.ok(Math.abs(g.hypotheses[0].score - lib[i]!.hypotheses[0]!.score) < 1e-3);
      assert.ok(g.hypotheses[0].score >= g.hypotheses[1].score, 'best first');
    });
    // A rescorer's score is added: the left-to-right run rescoring its own list doubles every
    // score and keeps the order (a hypothesis forced back scores what the search said).
    const own = fwd.translate(lines, { beam: 4, nBest: 4 });
    rescoreTranslations(own, fwd, { weight: 1 }).forEach((t, i) => {
      assert.deepEqual(t.hypotheses.map((h) => h.text), own[i]!.hypotheses.map((h) => h.text));
      t.hypotheses.forEach((h, j) => assert.ok(Math.abs(h.score - 2 * own[i]!.hypotheses[j]!.score) < 1e-3, `${h.score} against 2 × ${own[i]!.hypotheses[j]!.score}`));
    });
    // two rescorers are an ensemble of them
    const two = s2s(['translate', '--model', l2r, '--rescore', r2l, '--rescore', r2l, '--beam', '4', '--backend', 'js'], lines.join('\n') + '\n');
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(two.stdout.trimEnd().split('\n'), got.map((g) => g.hypotheses[0].text));

    // Mistakes: one line each, exit 2.
    const mixed = s2s(['translate', '--model', l2r, '--model', r2l, '--backend', 'js'], 'a b\n');
    assert.equal(mixed.code, 2, mixed.stderr);
    assert.match(mixed.stderr, /r2l writes right to left and .*l2r left to right; an ensemble's models must write in one direction .*--rescore .*r2l/);
    assert.equal(mixed.stderr.trim().split('\n').length, 1);
    await assert.rejects(loadEnsemble([l2r, r2l]), (e: unknown) => e instanceof UserError && /must write in one direction/.test(e.message));
    const greedyRescore = s2s(['translate', '--model', l2r, '--rescore', r2l, '--beam', '1', '--backend', 'js'], 'a b\n');
    assert.equal(greedyRescore.code, 2);
    assert.match(greedyRescore.stderr, /--rescore re-ranks the n-best list of a beam search; give --beam 2 or more/);
    const sampled = s2s(['translate', '--model', l2r, '--rescore', r2l, '--sample', '--backend', 'js'], 'a b\n');
    assert.equal(sampled.code, 2);
    const turned = s2s(['train', '--resume', '--out', r2l, '--right-to-left=false', '--max-steps', '410']);
    assert.equal(turned.code, 2, turned.stderr);
    assert.match(turned.stderr, /r2l was trained right to left; a resumed run keeps its direction/);
  } finally {
    d.cleanup();
  }
});
