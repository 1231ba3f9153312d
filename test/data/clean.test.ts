import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeText, PairCleaner, wordCount } from '../../src/data/index.js';

test('normalizeText: NFC by default, NFKC on request, whitespace folded and trimmed', () => {
  assert.equal(normalizeText('Cafe\u0301'), 'Caf\u00e9'); // e + combining acute → é (NFC composes)
  assert.equal(normalizeText('\u00a0 a\t\tb \n c\u3000'), 'a b c');
  assert.equal(normalizeText('\ufb01ne'), '\ufb01ne', 'NFC keeps the ﬁ ligature');
  assert.equal(normalizeText('\ufb01ne', 'nfkc'), 'fine', 'NFKC expands it');
  assert.equal(normalizeText('   '), '');
});

test('PairCleaner: filters by length and ratio, de-duplicates keeping the first, counts each reason', () => {
  const c = new PairCleaner({ minLen: 2, maxLen: 4, maxRatio: 2 });
  const input = [
    ['a b', 'x y'], // kept
    ['  a   b ', 'x\ty'], // same pair after folding: duplicate
    ['a b', 'x y z'], // kept (different target)
    ['', 'x y'], // empty
    ['a', 'x y'], // too short
    ['a b c d e', 'x y'], // too long
    ['a b c d', 'x y'], // 4 words vs 2: ratio 2, kept (not more than 2×)
    ['a b c d', 'x'], // too short (target)
    ['a b', 'v w x y'], // ratio exactly 2: kept
    ['a b c', 'x y z w'], // kept
  ];
  const kept = input.map(([src, tgt]) => c.clean({ src: src!, tgt: tgt! })).filter((p) => p !== null);
  assert.deepEqual(kept, [
    { src: 'a b', tgt: 'x y' },
    { src: 'a b', tgt: 'x y z' },
    { src: 'a b c d', tgt: 'x y' },
    { src: 'a b', tgt: 'v w x y' },
    { src: 'a b c', tgt: 'x y z w' },
  ]);
  assert.deepEqual(c.dropped, { empty: 1, tooShort: 2, tooLong: 1, ratio: 0, duplicate: 1 });
  assert.equal(c.kept, 5);
  const r = new PairCleaner({ maxRatio: 1.5 });
  assert.equal(r.clean({ src: 'a b c d', tgt: 'x y' }), null);
  assert.equal(r.dropped.ratio, 1);
  assert.equal(wordCount(''), 0);
});

test('PairCleaner: dedupe can be turned off; the key cannot confuse (ab, c) with (a, bc)', () => {
  const c = new PairCleaner();
  assert.notEqual(c.clean({ src: 'ab', tgt: 'c' }), null);
  assert.notEqual(c.clean({ src: 'a', tgt: 'bc' }), null);
  const all = new PairCleaner({ dedupe: false });
  all.clean({ src: 'a', tgt: 'b' });
  assert.notEqual(all.clean({ src: 'a', tgt: 'b' }), null);
});
