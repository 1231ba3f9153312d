import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUnits, BpeTokenizer, learnBpeMerges, normalizeText } from '../../src/data/index.js';
import { randomText, rng } from './helpers.js';

// The toy corpus of Sennrich et al. (2016), "Neural Machine Translation of Rare Words with
// Subword Units", §3.2: low ×5, lower ×2, newest ×6, widest ×3.
const TOY = [...Array(5).fill('low'), ...Array(2).fill('lower'), ...Array(6).fill('newest'), ...Array(3).fill('widest')];

test('bpe learns the hand-computed merges on the paper\'s toy corpus', () => {
  // Worked by hand with our units (each word starts with ▁) and tie rule (highest count, then
  // smaller left symbol, then smaller right, in code-unit order; ▁ U+2581 sorts after ASCII):
  //  1 es (9, ties st 9)  2 es+t (9)  3 lo (7, ties ▁l, ow)  4 lo+w (7, ties ▁+lo)  5 ▁+low (7)
  //  6 ew (6, ties ne, ▁n, w+est)  7 ew+est (6)  8 n+ewest (6)  9 ▁+newest (6)  10 d+est (3)
  const merges = learnBpeMerges(TOY, { merges: 10 });
  assert.deepEqual(merges, [
    ['e', 's'], ['es', 't'], ['l', 'o'], ['lo', 'w'], ['▁', 'low'],
    ['e', 'w'], ['ew', 'est'], ['n', 'ewest'], ['▁', 'newest'], ['d', 'est'],
  ]);
  const bpe = new BpeTokenizer(merges);
  // lowest: e+s, es+t, l+o, lo+w, ▁+low apply; newer: only e+w does (no ▁+n merge was learned)
  assert.deepEqual(bpe.encode('lowest newer'), ['▁low', 'est', '▁', 'n', 'ew', 'e', 'r']);
  assert.deepEqual(bpe.split('▁low'), ['▁', 'low']);
  assert.equal(bpe.split('x'), undefined);
});

test('bpe stops when no pair occurs twice (minPairFreq 2)', () => {
  const merges = learnBpeMerges(TOY, { merges: 1000 });
  // After the 10 above: ▁+w i d / w+i etc. (3 each) and ▁low+e, e+r (2 each) remain mergeable;
  // the learner must stop once every remaining pair has count 1, well short of 1000.
  assert.ok(merges.length > 10 && merges.length < 20, `learned ${merges.length}`);
  assert.deepEqual(learnBpeMerges(['a b c'], { merges: 5 }), [], 'all pairs occur once');
});

/** Re-counts every pair from scratch for each merge: slow, obviously right, same tie rule. */
function naiveMerges(texts: string[], n: number): [string, string][] {
  const freq = new Map<string, number>();
  for (const t of texts) for (const w of t.split(' ')) if (w) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq].map(([w, f]) => ({ syms: baseUnits(w), f }));
  const merges: [string, string][] = [];
  while (merges.length < n) {
    const counts = new Map<string, { a: string; b: string; c: number }>();
    for (const { syms, f } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = JSON.stringify([syms[i], syms[i + 1]]);
        const e = counts.get(k) ?? { a: syms[i]!, b: syms[i + 1]!, c: 0 };
        e.c += f;
        counts.set(k, e);
      }
    }
    let best: { a: string; b: string; c: number } | undefined;
    for (const e of counts.values()) {
      if (!best || e.c > best.c || (e.c === best.c && (e.a < best.a || (e.a === best.a && e.b < best.b)))) best = e;
    }
    if (!best || best.c < 2) break;
    merges.push([best.a, best.b]);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.syms.length; ) {
        if (i + 1 < w.syms.length && w.syms[i] === best.a && w.syms[i + 1] === best.b) {
          out.push(best.a + best.b);
          i += 2;
        } else out.push(w.syms[i++]!);
      }
      w.syms = out;
    }
  }
  return merges;
}

test('incremental learner agrees with a from-scratch recount on a random corpus (seed 3)', () => {
  const next = rng(3);
  const words = ['the', 'then', 'there', 'other', 'aaaa', 'banana', 'ananas', 'ñandú', '日本', '😀😀'];
  const texts = Array.from({ length: 300 }, () => {
    const n = 1 + Math.floor(next() * 6);
    return normalizeText(Array.from({ length: n }, () => (next() < 0.8 ? words[Math.floor(next() * words.length)] : randomText(next, 6))).join(' '));
  });
  const fast = learnBpeMerges(texts, { merges: 150 });
  assert.deepEqual(fast, naiveMerges(texts, 150));
  assert.ok(fast.length > 40);
  const bpe = new BpeTokenizer(fast);
  for (const t of texts) assert.equal(bpe.decode(bpe.encode(t)), t);
});
