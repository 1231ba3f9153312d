import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bleuFromStats,
  bleuSegmentStats,
  closestRefLength,
  corpusBleu,
  formatBleu,
  refsFromStreams,
  sentenceBleu,
} from '../../src/metrics/index.js';

const near = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

// sacreBLEU's README / test_bleu.py corpus: two reference streams, turned into refs[i] = [r1, r2].
const HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const REFS = refsFromStreams([
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
]);

test('published sacreBLEU values (test_bleu.py test_corpus_bleu, README)', () => {
  near(corpusBleu(HYPS, REFS).score, 48.530827, 1e-6);
  near(corpusBleu(HYPS, REFS, { tokenize: '13a' }).score, 48.530827, 1e-6);
  near(corpusBleu(HYPS, REFS, { tokenize: 'none' }).score, 49.1919566, 1e-6);
  near(corpusBleu(HYPS, REFS, { tokenize: 'intl' }).score, 43.91623493, 1e-6);
  near(corpusBleu(HYPS, REFS, { smooth: 'none' }).score, 48.530827, 1e-6);
  // empty hypotheses are scored, not dropped
  assert.equal(corpusBleu(['', '', ''], REFS).score, 0);
  // README: `BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)`
  // hyp lengths 6 + 4 + 7 = 17; closest refs 6 (of 6, 7) + 5 (of 5, 5) + 7 (of 6, 7) = 18
  const b = corpusBleu(HYPS, REFS);
  assert.equal(formatBleu(b, false), 'BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)');
  assert.equal(b.signature, 'nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
  assert.equal(
    formatBleu(b),
    'BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)',
  );
});

test('published sacreBLEU values: compute_bleu from statistics (test_scoring) and counts (test_statistics)', () => {
  // counts [9,7,5,3] / totals [10,8,6,4], sys_len = ref_len = 11 → 0.8375922397 (×100)
  near(bleuFromStats([11, 11, 9, 7, 5, 3, 10, 8, 6, 4]).score, 83.75922397, 1e-7);
  const s = bleuSegmentStats('am I am a character sequence', ['I am a symbol string sequence a a'], { tokenize: 'none' });
  assert.deepEqual(s.slice(2), [4, 2, 1, 0, 6, 5, 4, 3]);
});

test('published sacreBLEU sentence_bleu values (test_sentence_bleu.py, issue #98)', () => {
  const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
  const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
  const cases: [Parameters<typeof sentenceBleu>[2], number][] = [
    [{ smooth: 'exp' }, 8.493],
    [{ smooth: 'none' }, 0.0],
    [{ smooth: 'floor' }, 4.51688],
    [{ smooth: 'floor', smoothValue: 0.5 }, 10.1],
    [{ smooth: 'add-k' }, 14.882],
    [{ smooth: 'add-k', smoothValue: 2 }, 21.389],
    [{ tokenize: 'none' }, 7.347],
    [{ tokenize: 'intl' }, 8.493],
    [{ tokenize: 'char' }, 40.8759],
    [{ tokenize: 'char', lowercase: true }, 42.0267],
  ];
  for (const [opts, expected] of cases) near(sentenceBleu(SYS, [REF], opts).score, expected, 1e-3);
  // issue #141: no match at any order → 0 whatever the smoothing
  for (const smooth of ['exp', 'none', 'floor', 'add-k'] as const) assert.equal(sentenceBleu('this is a cat', ['okay thanks'], { smooth }).score, 0);
});

test('brevity penalty and clipped precisions, derived by hand', () => {
  // hyp  The dog bit the man .       (6 tokens)
  // ref  The dog had bit the man .   (7 tokens)
  // 1-grams 6/6; 2-grams 4/5 ("dog bit" missing); 3-grams 2/4 ("bit the man", "the man .");
  // 4-grams 1/3 ("bit the man ."); BP = exp(1 − 7/6)
  const b = corpusBleu(['The dog bit the man.'], [['The dog had bit the man.']]);
  assert.deepEqual(b.counts, [6, 4, 2, 1]);
  assert.deepEqual(b.totals, [6, 5, 4, 3]);
  near(b.bp, Math.exp(1 - 7 / 6));
  near(b.score, 100 * Math.exp(1 - 7 / 6) * Math.pow(1 * 0.8 * 0.5 * (1 / 3), 1 / 4));
  assert.equal(formatBleu(b, false), 'BLEU = 51.15 100.0/80.0/50.0/33.3 (BP = 0.846 ratio = 0.857 hyp_len = 6 ref_len = 7)');
});

test('exp smoothing when higher orders have no match', () => {
  // hyp a b c d / ref a x c y: 1-grams 2/4 = 50%; 2-, 3-, 4-grams 0/3, 0/2, 0/1.
  // The k-th zero order gets 100 / (2^k · total): 100/(2·3) = 16.67, 100/(4·2) = 12.5, 100/(8·1) = 12.5
  const b = corpusBleu(['a b c d'], [['a x c y']]);
  near(b.precisions[0]!, 50);
  near(b.precisions[1]!, 100 / 6);
  near(b.precisions[2]!, 12.5);
  near(b.precisions[3]!, 12.5);
  near(b.score, Math.pow(50 * (100 / 6) * 12.5 * 12.5, 1 / 4)); // BP = 1 → 19.00
  assert.equal(formatBleu(b, false), 'BLEU = 19.00 50.0/16.7/12.5/12.5 (BP = 1.000 ratio = 1.000 hyp_len = 4 ref_len = 4)');
});

test('several references: clipping by the max count in one reference, closest length', () => {
  // hyp "the the the the"; refs "the cat" (2 tokens), "the the dog" (3 tokens)
  // "the" may match at most twice (ref 2 has two) → 2/4; "the the" at most once → 1/3;
  // 3-grams 0/2 → 100/(2·2) = 25; 4-grams 0/1 → 100/(4·1) = 25.
  // closest ref length to 4 is 3 → hyp is longer, BP = 1
  const b = corpusBleu(['the the the the'], [['the cat', 'the the dog']]);
  assert.deepEqual(b.counts, [2, 1, 0, 0]);
  assert.equal(b.refLen, 3);
  near(b.score, Math.pow(50 * (100 / 3) * 25 * 25, 1 / 4)); // 31.95
  assert.equal(b.signature.split('|')[0], 'nrefs:2');
  // ties in length distance go to the shorter reference
  assert.equal(closestRefLength(4, [5, 3]), 3);
  assert.equal(closestRefLength(4, [3, 5]), 3);
  assert.equal(closestRefLength(4, [7, 4, 2]), 4);
  // a per-segment reference count that varies shows as nrefs:var
  assert.equal(corpusBleu(['a', 'b'], [['a'], ['b', 'c']]).signature.split('|')[0], 'nrefs:var');
});

test('very short segments: one word', () => {
  // corpus BLEU (effective order off): orders 2–4 have no n-grams → precision 0 → score 0
  const c = corpusBleu(['Hello'], [['Hello']]);
  assert.equal(c.score, 0);
  assert.equal(formatBleu(c, false), 'BLEU = 0.00 100.0/0.0/0.0/0.0 (BP = 1.000 ratio = 1.000 hyp_len = 1 ref_len = 1)');
  // sentence BLEU uses effective order: only 1-grams count → 100
  near(sentenceBleu('Hello', ['Hello']).score, 100);
  // test_bleu.py effective-order cases (floor smoothing, no tokenization): "test" vs "a test" → BP = e^(1−2)
  near(sentenceBleu('test', ['a test'], { smooth: 'floor', smoothValue: 0.01, tokenize: 'none' }).score, 36.78794411714425, 1e-8);
  near(sentenceBleu('a little test', ['a test'], { smooth: 'floor', smoothValue: 0.01, tokenize: 'none' }).score, 3.218297948685433, 1e-8);
});

test('long segments: 200 words', () => {
  const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
  const ref = words.join(' ');
  near(corpusBleu([ref], [[ref]]).score, 100);
  // first 180 words only: every n-gram matches, BP = exp(1 − 200/180) → 89.48
  const b = corpusBleu([words.slice(0, 180).join(' ')], [[ref]]);
  near(b.score, 100 * Math.exp(1 - 200 / 180));
  // block w50..w59 moved after w80: 3 junctions (w49|w60, w80|w50, w59|w81) are new; an n-gram
  // spanning a junction is wrong, n−1 per junction → 2-grams 199−3, 3-grams 198−6, 4-grams 197−9
  const moved = [...words.slice(0, 50), ...words.slice(60, 81), ...words.slice(50, 60), ...words.slice(81)].join(' ');
  const m = corpusBleu([moved], [[ref]]);
  assert.deepEqual(m.counts, [200, 196, 192, 188]);
  near(m.score, 100 * Math.pow((196 / 199) * (192 / 198) * (188 / 197), 1 / 4)); // 97.71
});

test('lowercase and tokenizer options appear in the signature', () => {
  assert.equal(corpusBleu(['A'], [['a']], { lowercase: true, tokenize: 'intl' }).signature, 'nrefs:1|case:lc|eff:no|tok:intl|smooth:exp|version:2.6.0');
  assert.equal(sentenceBleu('a', ['a'], { smooth: 'floor' }).signature, 'nrefs:1|case:mixed|eff:yes|tok:13a|smooth:floor[0.10]|version:2.6.0');
});
