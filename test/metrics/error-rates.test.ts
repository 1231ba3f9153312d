import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusCer, corpusExact, corpusPer, corpusRouge, corpusWer, formatErrorRate, levenshtein, lcsLength, positionIndependentErrors, rougeTokens } from '../../src/metrics/index.js';

const near = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

test('WER: word Levenshtein, corpus = total edits / total reference words', () => {
  assert.equal(levenshtein(['a', 'b', 'c'], ['a', 'x', 'c', 'd']), 2); // 1 sub + 1 ins
  // seg 1: "the cat sat" vs "the cat sat down" → 1; seg 2: "hello world" vs "hello" → 1 deletion
  // total 2 edits / (4 + 1) words = 40%
  const w = corpusWer(['the cat sat', 'hello world'], [['the cat sat down'], ['hello']]);
  assert.equal(w.errors, 2);
  assert.equal(w.refLength, 5);
  near(w.score, 40);
  assert.equal(formatErrorRate(w), 'WER = 40.00 (errors = 2 ref_len = 5)');
  near(corpusWer(['The'], [['the']]).score, 100); // case-sensitive by default
  near(corpusWer(['The'], [['the']], { lowercase: true }).score, 0);
  near(corpusWer([''], [['a b']]).score, 100);
});

test('CER: code points, spaces count, whitespace runs collapsed', () => {
  // "kitten" → "sitting": k→s, e→i, +g = 3 edits / 7 characters
  near(corpusCer(['kitten'], [['sitting']]).score, (100 * 3) / 7);
  // "a  b " normalises to "a b" (3 chars): equal to the reference
  near(corpusCer(['a  b '], [['a b']]).score, 0);
  // '😀' is one character: "😀x" vs "😀y" → 1 / 2
  near(corpusCer(['😀x'], [['😀y']]).score, 50);
});

test('PER: bag-of-words errors = max(hypLen, refLen) − matches', () => {
  // reordering is free: "b a" vs "a b" → 0
  assert.equal(positionIndependentErrors(['b', 'a'], ['a', 'b']), 0);
  // hyp "a a x y" (4), ref "a b c" (3): matches {a} = 1 → 3 − 1 + max(0, 4 − 3) = 3
  // = refLen · (1 − (matches − max(0, hyp − ref)) / refLen) = 3 · (1 − (1 − 1)/3) = 3
  assert.equal(positionIndependentErrors(['a', 'a', 'x', 'y'], ['a', 'b', 'c']), 3);
  near(corpusPer(['a a x y', 'b a'], [['a b c'], ['a b']]).score, (100 * 3) / 5);
});

test('exact match: equal to any reference, ends trimmed', () => {
  const e = corpusExact(['yes', 'No ', 'maybe', ''], [['no', 'yes'], ['No'], ['perhaps'], ['']]);
  assert.equal(e.matches, 3);
  near(e.score, 75);
  near(corpusExact(['NO'], [['no']], { lowercase: true }).score, 100);
});

test('ROUGE-1/2/L F1 as rouge-score without stemming', () => {
  assert.deepEqual(rougeTokens("The Café's 2nd-best!"), ['the', 'caf', 's', '2nd', 'best']); // é separates tokens
  assert.equal(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'd', 'b']), 3);
  // target "the cat sat on the mat" (6), prediction "the cat on the mat" (5)
  // ROUGE-1: overlap 5 → p = 5/5, r = 5/6 → F = 2·(5/6)/(1 + 5/6) = 10/11
  // ROUGE-2: pred bigrams the-cat, cat-on, on-the, the-mat; 3 in target (not cat-on) → p = 3/4, r = 3/5 → F = 2/3
  // ROUGE-L: LCS = 5 ("the cat on the mat") → same as ROUGE-1 = 10/11
  const r = corpusRouge(['the cat on the mat'], [['the cat sat on the mat']]);
  near(r.rouge1, (100 * 10) / 11);
  near(r.rouge2, (100 * 2) / 3);
  near(r.rougeL, (100 * 10) / 11);
  near(r.score, r.rougeL);
  near(corpusRouge(['the cat'], [['the cat']], 'rouge2').score, 100);
  // corpus = mean of segment F1s; several references → the best one per variant
  near(corpusRouge(['a b', 'x'], [['c d', 'a b'], ['y']], 'rouge1').score, 50);
  near(corpusRouge([''], [['a']]).rouge1, 0);
});
