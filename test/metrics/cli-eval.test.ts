import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/metrics/cli-eval.test.js → dist/src/cli/main.js
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 's2s-eval-'));
const file = (name: string, lines: string[]) => {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => l + '\n').join(''));
  return p;
};
const hyp = file('hyp.txt', ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.']);
const ref1 = file('ref1.txt', ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.']);
const ref2 = file('ref2.txt', ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.']);
const short = file('short.txt', ['one line']);

function s2s(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, 'eval', ...args], { encoding: 'utf8' });
}

test('prints sacreBLEU text lines', () => {
  const r = s2s('--metric', 'bleu,chrf,ter', '--hyp', hyp, '--ref', ref1, '--ref', ref2);
  assert.equal(r.status, 0, r.stderr);
  // the same three lines sacreBLEU's CLI prints (-f text -w 2), apart from the version field
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    'BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)',
    'chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 59.73',
    'TER|nrefs:2|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0 = 40.00',
  ]);
});

test('--json prints one object with every metric', () => {
  const r = s2s('--metric', 'bleu,wer,exact', '--hyp', hyp, '--ref', ref1, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.segments, 3);
  assert.deepEqual(out.metrics.map((m: { name: string }) => m.name), ['BLEU', 'WER', 'Exact']);
  assert.equal(out.metrics[2].score, 100 / 3); // only the first line matches exactly
  assert.equal(out.metrics[0].signature, 'nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
});

test('user errors exit 2 with one line', () => {
  const missing = s2s('--hyp', join(dir, 'nope.txt'), '--ref', ref1);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^error: .*nope\.txt: no such file \(the hypothesis file of s2s eval\); check the path\n$/);

  const unknown = s2s('--metric', 'bleu,meteor', '--hyp', hyp, '--ref', ref1);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown metric 'meteor'; valid metrics: bleu, chrf, chrf\+\+, ter/);

  const mismatch = s2s('--hyp', hyp, '--ref', ref1, '--ref', short);
  assert.equal(mismatch.status, 2);
  assert.ok(mismatch.stderr.includes(`${hyp} has 3 lines but ${short} has 1`), mismatch.stderr);

  const noRef = s2s('--hyp', hyp);
  assert.equal(noRef.status, 2);
  assert.match(noRef.stderr, /--ref is required/);

  const badTok = s2s('--hyp', hyp, '--ref', ref1, '--tokenize', 'moses');
  assert.equal(badTok.status, 2);
  assert.match(badTok.stderr, /--tokenize must be one of 13a\|none\|intl\|char/);
});
