import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseWord, g2pEntries, g2pSplits, spellOut, stripStress } from '../../src/recipes/g2p-data.js';
import { g2pScore } from '../../src/recipes/g2p-score.js';
import { markdownRow, RECIPES, type RecipeReport } from '../../src/recipes/index.js';
import { checkRecipeOut, RECIPE_MARKER, recipeThreads } from '../../src/cli/recipe.js';
import { tempDir } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('g2p data: stress removed, alternatives grouped under their word, odd spellings left out', () => {
  assert.equal(baseWord('read(2)'), 'read');
  assert.equal(stripStress('AH0 B AW1 T'), 'AH B AW T');
  assert.equal(stripStress('P AE1 R IH0 S # place, french'), 'P AE R IH S');
  assert.equal(spellOut("o'neil"), "o ' n e i l");
  const e = g2pEntries({ 'read(2)': 'R EH1 D', read: 'R IY1 D', 'a.d.': 'EY2 D IY1', 'either(2)': 'IY1 DH ER0', either: 'IY1 DH ER0', 'c3po': 'S IY1', "'bout": 'B AW1 T' });
  assert.deepEqual([...e.entries()], [["'bout", ['B AW T']], ['either', ['IY DH ER']], ['read', ['R IY D', 'R EH D']]]);
});

test('g2p split: by word, deterministic, disjoint; a smaller split is a prefix of a larger one', () => {
  const dict: Record<string, string> = {};
  for (let i = 0; i < 300; i++) {
    const w = 'w' + String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
    dict[w] = 'W AH1 N';
    if (i % 3 === 0) dict[`${w}(2)`] = 'W AA1 N';
  }
  const entries = g2pEntries(dict);
  const a = g2pSplits(entries, { test: 50, valid: 20 }, 1);
  const b = g2pSplits(entries, { test: 50, valid: 20 }, 1);
  assert.deepEqual(a, b);
  const words = (xs: { src: string }[]): Set<string> => new Set(xs.map((x) => x.src));
  const [tr, va, te] = [words(a.train), words(a.valid), words(a.test)];
  assert.equal(te.size, 50);
  assert.equal(va.size, 20);
  assert.equal(tr.size, 230);
  for (const w of te) assert.ok(!tr.has(w) && !va.has(w), w);
  for (const w of va) assert.ok(!tr.has(w), w);
  // every pronunciation is a training pair and a test reference
  assert.equal(a.train.length, [...tr].reduce((n, w) => n + entries.get(w.replace(/ /g, ''))!.length, 0));
  assert.ok(a.test.some((t) => t.refs.length === 2));
  const small = g2pSplits(entries, { test: 10, valid: 5, train: 30 }, 1);
  assert.deepEqual(small.test, a.test.slice(0, 10));
  const other = g2pSplits(entries, { test: 50, valid: 20 }, 2);
  assert.notDeepEqual(other.test, a.test);
});

test('g2p score: a word is right when it matches any reference; PER against the closest one', () => {
  const refs = [['R IY D', 'R EH D'], ['K AE T'], ['D AO G']];
  const s = g2pScore(['R EH D', 'K AE', 'D AO G Z'], refs);
  assert.equal(s.wordErrors, 2);
  assert.equal(s.WER, (100 * 2) / 3);
  // 0 edits (to R EH D, 3 phonemes) + 1 deletion (3) + 1 insertion (3)
  assert.equal(s.phonemeErrors, 2);
  assert.equal(s.phonemes, 9);
  // the closest reference's length is the one counted: 'AH B' is 2 edits from 'AH B AH T' and 1 from 'AH'
  const t = g2pScore(['AH B'], [['AH B AH T', 'AH']]);
  assert.equal(t.phonemeErrors, 1);
  assert.equal(t.phonemes, 1);
  assert.throws(() => g2pScore(['a'], []), /1 outputs for 0 words/);
});

test('recipe runner: the registry lists g2p-cmudict; a report is one table row', () => {
  assert.ok(RECIPES.some((r) => r.name === 'g2p-cmudict'));
  const report: RecipeReport = {
    recipe: 'x', quick: false, data: { train: 1000, valid: 10, test: 20 }, model: 'm', params: 5, threads: 1,
    train: { seconds: 120, steps: 10, epochs: 1, tokPerS: 1234 }, scores: { greedy: { WER: 30.123 }, beam5: { WER: 29 } },
    anchors: ['a'], command: 's2s recipe x',
  };
  assert.equal(markdownRow(report), '| x | 1,000 / 10 / 20 | m | 1 | 2.0 min, 10 steps, 1 ep, 1,234 tok/s | WER 30.1 | WER 29.0 | — | — | — | a | `s2s recipe x` |');
  // the beam-5 cells also show a length penalty picked on valid, for s2s and for the peer
  const lp: RecipeReport = {
    ...report, scores: { ...report.scores, 'beam5-lp': { BLEU: 41.21 } },
    peer: { scores: { greedy: { BLEU: 36 }, beam5: { BLEU: 39.12 }, 'beam5-lp': { BLEU: 39.5 } }, train: { seconds: 3600, steps: 9, epochs: 1, tokPerS: 5 }, settings: '' },
  };
  const cells = markdownRow(lp).split(' | ');
  assert.equal(cells[6], 'WER 29.0; length penalty picked on valid: BLEU 41.2');
  assert.equal(cells[9], 'BLEU 39.1; length penalty picked on valid: BLEU 39.5');
});

test('recipe runner: --out must be new, empty or this recipe\'s own output', () => {
  const d = tempDir('s2s-recipe-out-');
  try {
    checkRecipeOut(join(d.dir, 'new'), 'g2p-cmudict');
    const theirs = join(d.dir, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'notes.txt'), 'mine\n');
    assert.throws(() => checkRecipeOut(theirs, 'g2p-cmudict'), /not a recipe's output/);
    const ours = join(d.dir, 'ours');
    mkdirSync(ours);
    writeFileSync(join(ours, RECIPE_MARKER), JSON.stringify({ format: 's2s-recipe', recipe: 'g2p-cmudict' }));
    checkRecipeOut(ours, 'g2p-cmudict');
    assert.throws(() => checkRecipeOut(ours, 'dates'), /output of recipe 'g2p-cmudict'/);
    const r = spawnSync(process.execPath, [MAIN, 'recipe', 'g2p-cmudict', '--quick', '--out', theirs], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(readFileSync(join(theirs, 'notes.txt'), 'utf8'), 'mine\n');
    const u = spawnSync(process.execPath, [MAIN, 'recipe', 'nope'], { encoding: 'utf8' });
    assert.equal(u.status, 2);
    assert.match(u.stderr, /unknown recipe 'nope'; recipes: g2p-cmudict/);
  } finally {
    d.cleanup();
  }
});

test('seed-lstm: scores by source-length bucket, empty buckets left out', async () => {
  const { bucketScores, bucketTable } = await import('../../src/recipes/seed-lstm.js');
  const test = [{ src: 'a', tgt: 'x' }, { src: 'a b c', tgt: 'y z' }, { src: 'a b c d', tgt: 'w' }];
  const rows = bucketScores(test, ['x', 'y z', 'q']);
  assert.deepEqual(rows.map((r) => [r.bucket, r.n]), [['1–2', 1], ['3–5', 2]]);
  assert.equal(rows[0]!.scores['chrF'], 100);
  const table = bucketTable({ 'no-attention beam5': rows, 'attention beam5': rows });
  // a one-word sentence has no 4-grams: BLEU 0 (sacreBLEU's default, no smoothing), chrF 100
  assert.match(table, /\| 1–2 \| 1 \| 0\.0 \/ 100\.0 \| 0\.0 \/ 100\.0 \|/);
});

test('recipe runner threads: all cores alone, half each beside the peer, one with --ensemble, --threads as given', () => {
  assert.equal(recipeThreads(undefined, false, false, 2), 2);
  assert.equal(recipeThreads(undefined, true, false, 2), 1);
  assert.equal(recipeThreads(undefined, true, false, 8), 4);
  assert.equal(recipeThreads(undefined, true, false, 1), 1);
  assert.equal(recipeThreads(undefined, false, true, 8), 1);
  assert.equal(recipeThreads(2, true, false, 2), 2);
});
