import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCodecs } from '../../src/data/index.js';
import { pickPeerLengthPenalty } from '../../src/recipes/gettext-mt.js';
import { peerReport } from '../../src/recipes/peer.js';
import { pickLengthPenalty } from '../../src/recipes/pipeline.js';
import { tempDir } from '../train/helpers.js';

test('peerReport: every output file the peer names is scored by the recipe, with its training facts', async () => {
  const d = tempDir('s2s-peer-report-');
  try {
    const file = (name: string, lines: string[]): string => {
      const path = join(d.dir, `test.${name}.txt`);
      writeFileSync(path, lines.map((l) => l + '\n').join(''));
      return path;
    };
    const printed = {
      train_seconds: 3600.4, steps: 2701, epochs: 5, tgt_tok_per_s: 4177.6, settings: 'emb 256, hidden 256',
      outputs: { 'greedy@20': file('greedy@20', ['a', 'b x']), greedy: file('greedy', ['a', 'b']) },
    };
    // the score sees the file's lines (no trailing empty line): here, the share of lines equal to their reference
    const refs = ['a', 'b'];
    const r = await peerReport(printed, (lines) => ({ n: lines.length, exact: (100 * lines.filter((l, i) => l === refs[i]).length) / refs.length }));
    assert.deepEqual(r.scores, { 'greedy@20': { n: 2, exact: 50 }, greedy: { n: 2, exact: 100 } });
    assert.deepEqual(r.train, { seconds: 3600, steps: 2701, epochs: 5, tokPerS: 4178 });
    assert.equal(r.settings, 'emb 256, hidden 256');
    // a peer that printed no outputs or facts gives empty scores and NaN facts, not a crash
    const empty = await peerReport({}, () => ({}));
    assert.deepEqual(empty.scores, {});
    assert.ok(Number.isNaN(empty.train.steps));
  } finally {
    d.cleanup();
  }
});

test('pickLengthPenalty: the α with the best validation score, the smaller one on a tie', () => {
  assert.deepEqual(pickLengthPenalty(new Map([[1, 30], [0, 28], [2, 31], [1.5, 31]])), {
    alpha: 1.5,
    valid: [{ alpha: 0, score: 28 }, { alpha: 1, score: 30 }, { alpha: 1.5, score: 31 }, { alpha: 2, score: 31 }],
  });
  assert.equal(pickLengthPenalty(new Map([[0, 5]])).alpha, 0);
  assert.throws(() => pickLengthPenalty(new Map()), /no length penalty/);
});

test('gettext-mt peer: α picked on its validation outputs, per decoding; the picked test scores become beam5-lp', async () => {
  const d = tempDir('s2s-peer-lp-');
  try {
    const pairs = [
      { src: 'Could not open the file', tgt: 'Die Datei konnte nicht geöffnet werden' },
      { src: 'All changes were saved', tgt: 'Alle Änderungen wurden gespeichert' },
    ];
    const codecs = buildCodecs(pairs, { tokenizer: 'bpe', merges: 30 });
    const pieces = (text: string): string => codecs.tgt.tokenize(text).join(' ');
    const file = (name: string, lines: string[]): string => {
      const path = join(d.dir, name);
      writeFileSync(path, lines.map((l) => l + '\n').join(''));
      return path;
    };
    const refs = pairs.map((p) => p.tgt);
    // at the end α 1 matches the references; at the 20th minute α 0 does
    const printed = {
      valid_outputs: {
        'beam5-lp0': file('v0', ['Die Datei', 'Alle']), 'beam5-lp1': file('v1', refs.map(pieces)),
        'beam5-lp0@20': file('v0@20', refs.map(pieces)), 'beam5-lp1@20': file('v1@20', ['Datei', 'Alle']),
      },
    };
    const scores = { beam5: { BLEU: 1 }, 'beam5-lp0': { BLEU: 10 }, 'beam5-lp1': { BLEU: 11 }, 'beam5-lp0@20': { BLEU: 20 }, 'beam5-lp1@20': { BLEU: 21 } };
    const choices = await pickPeerLengthPenalty(printed, scores, refs, codecs.tgt);
    assert.deepEqual(Object.keys(choices).sort(), ['beam5-lp', 'beam5-lp@20']);
    assert.equal(choices['beam5-lp']!.alpha, 1);
    assert.deepEqual(choices['beam5-lp']!.valid.map((v) => [v.alpha, Math.round(v.score)]), [[0, 0], [1, 100]]);
    assert.equal(choices['beam5-lp@20']!.alpha, 0);
    assert.deepEqual(scores, { beam5: { BLEU: 1 }, 'beam5-lp': { BLEU: 11 }, 'beam5-lp@20': { BLEU: 20 } });
  } finally {
    d.cleanup();
  }
});
