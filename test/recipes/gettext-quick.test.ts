import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecipeReport } from '../../src/recipes/index.js';
import { buildCodecs } from '../../src/data/index.js';
import { mtScores, piecesToText, tokenizedTsv } from '../../src/recipes/gettext-mt.js';
import { LENGTH_PENALTIES, type LengthPenaltyChoice } from '../../src/recipes/pipeline.js';
import { tempDir } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

test('gettext-mt scores: BLEU and chrF of each output against its reference', () => {
  const refs = ['Die Datei konnte nicht geöffnet werden', 'Alle Änderungen wurden gespeichert'];
  assert.deepEqual(mtScores(refs, refs), { BLEU: 100, chrF: 100 });
  const s = mtScores(['Die Datei konnte nicht gespeichert werden', 'Alle Änderungen wurden gespeichert'], refs);
  assert.ok(s['BLEU']! < 100 && s['chrF']! > 0 && s['chrF']! < 100);
});

test('gettext-mt peer data: BPE pieces separated by spaces, joined back into the same text', () => {
  const pairs = [
    { src: 'Could not open the file', tgt: 'Die Datei konnte nicht geöffnet werden' },
    { src: 'All changes were saved', tgt: 'Alle Änderungen wurden gespeichert' },
    { src: 'Open the file again', tgt: 'Datei erneut öffnen' },
  ];
  const codecs = buildCodecs(pairs, { tokenizer: 'bpe', merges: 20 });
  const lines = tokenizedTsv(pairs, codecs).split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[3], '');
  lines.slice(0, 3).forEach((line, i) => {
    const [src, tgt] = line.split('\t');
    assert.deepEqual(src!.split(' '), codecs.src.tokenize(pairs[i]!.src));
    // more pieces than words: the merges did not rebuild every word
    assert.ok(tgt!.split(' ').length > pairs[i]!.tgt.split(' ').length, tgt);
    assert.equal(piecesToText(tgt!, codecs.tgt), pairs[i]!.tgt);
  });
  // the peer writes <unk> for a piece it never saw; it is dropped, as s2s drops special ids
  const pieces = codecs.tgt.tokenize('Datei öffnen');
  assert.equal(piecesToText([pieces[0], '<unk>', ...pieces.slice(1)].join(' '), codecs.tgt), 'Datei öffnen');
});

/**
 * The gettext-mt pipeline end to end on a slice of the shared corpus (skipped where the corpus is
 * not next to the checkout). The bound is loose: 300 steps of a small model, so the test checks
 * that the pipeline runs and produces scored German, not how well it translates.
 */
test('s2s recipe gettext-mt --quick: BPE, training, test decoding and BLEU/chrF end to end', { skip: existsSync(join(CORPUS, 'gettext-en-de.train.tsv')) ? false : `no corpus at ${CORPUS}` }, () => {
  const d = tempDir('s2s-recipe-gt-');
  try {
    const out = join(d.dir, 'mt');
    const r = spawnSync(process.execPath, [MAIN, 'recipe', 'gettext-mt', '--quick', '--threads', '1', '--input', CORPUS, '--out', out, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as RecipeReport;
    assert.deepEqual([report.data.train, report.data.valid, report.data.test], [3000, 100, 200]);
    assert.equal(report.train.steps, 300);
    for (const name of ['greedy', 'beam5']) {
      const s = report.scores[name]!;
      assert.ok(s['chrF']! > 4 && s['chrF']! <= 100, `${name}: chrF ${s['chrF']}`);
      assert.ok(s['BLEU']! >= 0 && s['BLEU']! <= 100, `${name}: BLEU ${s['BLEU']}`);
      assert.equal(readFileSync(join(out, `test.${name}.txt`), 'utf8').split('\n').length, 201);
    }
    // beam 5 with the length penalty whose validation BLEU was best; α 0 is plain beam 5
    const lp = report.extra!['lengthPenalty'] as LengthPenaltyChoice;
    assert.deepEqual(lp.valid.map((v) => v.alpha), [...LENGTH_PENALTIES]);
    assert.equal(lp.valid.find((v) => v.alpha === lp.alpha)!.score, Math.max(...lp.valid.map((v) => v.score)));
    assert.ok(report.scores['beam5-lp']!['chrF']! > 4);
    assert.equal(readFileSync(join(out, 'test.beam5-lp.txt'), 'utf8').split('\n').length, 201);
    if (lp.alpha === 0) assert.deepEqual(report.scores['beam5-lp'], report.scores['beam5']);
  } finally {
    d.cleanup();
  }
});
