import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chrfSegmentStats, chrfWords, corpusChrf, formatChrf, refsFromStreams, sentenceChrf } from '../../src/metrics/index.js';

const near = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

test('published value: sacreBLEU README corpus, chrF2 = 59.73 with two references', () => {
  const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  const refs = refsFromStreams([
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ]);
  const c = corpusChrf(hyps, refs);
  assert.equal(formatChrf(c), 'chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 59.73');
  assert.equal(corpusChrf(hyps, refs, { wordOrder: 2 }).name, 'chrF2++');
});

test('published values: sacreBLEU test_chrf.py effective-order cases (β = 3)', () => {
  const cases: [string[], string[], number][] = [
    [['a'], ['a'], 100],
    [[''], ['reference'], 0],
    [['a b c'], ['a b c'], 100],
    [['a b c'], ['abc'], 100], // whitespace is removed before counting characters
    [[''], ['c'], 0],
    [['a', 'b'], ['a', 'c'], 50],
    // 'aa' vs 'ab': 1-grams p = r = 1/2; 2-grams 'aa' vs 'ab' p = r = 0; orders 3–6 absent on
    // both sides and left out → avg p = avg r = 1/4 → F = 25
    [['aa'], ['ab'], 25],
  ];
  for (const [h, r, expected] of cases) near(corpusChrf(h, r.map((x) => [x]), { beta: 3 }).score, expected, 1e-4);
});

test('published values: sacreBLEU test_chrf.py eps-smoothing and keep-whitespace cases', () => {
  const eps: [string, string, number][] = [
    ['aa', 'ab', 8.3333],
    ['a', 'a', 16.6667],
    ['a b c', 'a b c', 50.0],
    ['abcdefg', 'hijklmnop', 0],
    [
      ' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .',
      'risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .',
      63.36173,
    ],
  ];
  for (const [h, r, expected] of eps) near(corpusChrf([h], [[r]], { beta: 3, epsSmoothing: true }).score, expected, 1e-4);
  near(
    corpusChrf(['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'], [['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.']], {
      beta: 3,
      whitespace: true,
    }).score,
    67.3481606,
    1e-4,
  );
  near(
    sentenceChrf('Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.', ['Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.'], {
      epsSmoothing: true,
    }).score,
    39.14078509,
    1e-4,
  );
});

test('hand-derived chrF2: "cat" vs "hat"', () => {
  // 1-grams c,a,t vs h,a,t: 2 matches of 3 → p = r = 2/3; 2-grams ca,at vs ha,at: p = r = 1/2;
  // 3-grams cat vs hat: p = r = 0 (both sides have one, so the order counts); 4–6: absent.
  // avg p = avg r = (2/3 + 1/2 + 0)/3 = 7/18 → F2 = 7/18 = 38.89
  const s = chrfSegmentStats('cat', ['hat']);
  assert.deepEqual(s.slice(0, 9), [3, 3, 2, 2, 2, 1, 1, 1, 0]);
  near(sentenceChrf('cat', ['hat']).score, (100 * 7) / 18);
});

test('Unicode: characters are code points, not UTF-16 units', () => {
  // '😀a' is 2 code points: 1-grams 2, 2-grams 1 on each side → identical → 100
  near(corpusChrf(['😀a'], [['😀a']]).score, 100);
  assert.deepEqual(chrfSegmentStats('😀a', ['😀b']).slice(0, 6), [2, 2, 1, 1, 1, 0]);
});

test('several references: the reference with the best F is used', () => {
  near(corpusChrf(['the cat'], [['a dog', 'the cat']]).score, 100);
  near(corpusChrf(['the cat'], [['the cat', 'a dog']]).score, 100);
});

test('chrF++ splits one punctuation mark off word edges (sacreBLEU issue #124 behaviour)', () => {
  assert.deepEqual(chrfWords('(hi) world. x ,a'), ['(hi', ')', 'world', '.', 'x', ',', 'a']);
});
