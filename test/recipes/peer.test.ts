import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { peerReport } from '../../src/recipes/peer.js';
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
