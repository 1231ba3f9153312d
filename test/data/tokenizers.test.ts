import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpeTokenizer, buildCodecs, CharTokenizer, normalizeText, SpaceTokenizer, WordTokenizer, type Tokenizer } from '../../src/data/index.js';
import { randomText, rng } from './helpers.js';

/** 600 random normalised strings from a fixed seed: scripts, marks, emoji, odd spaces, marker characters. */
function corpus(seed: number, n = 600): string[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => normalizeText(randomText(next), next() < 0.2 ? 'nfkc' : 'nfc'));
}

const texts = corpus(42);
const bpe = BpeTokenizer.learn(corpus(7, 400), { merges: 300, minPairFreq: 2 });
const TOKENIZERS: Tokenizer[] = [new SpaceTokenizer(), new CharTokenizer(), new WordTokenizer(), bpe];

test('normalizeText is idempotent on the random corpus (its output is the tokenizers\' domain)', () => {
  for (const t of texts) assert.equal(normalizeText(t), t);
  assert.ok(texts.some((t) => t.includes('\u2581')) && texts.some((t) => t.includes('\uffed')), 'corpus holds the marker characters');
  assert.ok(bpe.merges.length > 50, 'BPE learned merges on the random text');
});

for (const tok of TOKENIZERS) {
  test(`${tok.kind}: decode(encode(x)) === x for 600 random normalised strings (seed 42)`, () => {
    for (const x of texts) {
      const tokens = tok.encode(x);
      assert.ok(tokens.every((t) => t !== ''), `no empty tokens for ${JSON.stringify(x)}`);
      assert.equal(tok.decode(tokens), x, `round trip of ${JSON.stringify(x)} via ${JSON.stringify(tokens)}`);
    }
  });
}

test('word tokenizer: splits punctuation, marks attached tokens with ￭, keeps letters with marks and digits', () => {
  const w = new WordTokenizer();
  assert.deepEqual(w.encode('Hello, world! (x2)'), ['Hello', '￭,', 'world', '￭!', '(', '￭x2', '￭)']);
  assert.deepEqual(w.encode("don't stop"), ['don', "￭'", '￭t', 'stop']);
  assert.deepEqual(w.encode('Straße 5€ 日本語'), ['Straße', '5', '￭€', '日本語']);
  assert.deepEqual(w.encode('a ￭ b￭'), ['a', '￭', 'b', '￭￭']);
  assert.equal(w.decode(['a', '￭', 'b', '￭￭']), 'a ￭ b￭');
  assert.deepEqual(w.encode(''), []);
});

test('char and space tokenizers: code points, astral characters whole; pre-tokenized text', () => {
  assert.deepEqual(new CharTokenizer().encode('a 😀é'), ['a', ' ', '😀', 'é']);
  assert.deepEqual(new SpaceTokenizer().encode('Hello , world !'), ['Hello', ',', 'world', '!']);
  assert.deepEqual(new SpaceTokenizer().encode(''), []);
});

test('bpe: literal ▁ and ␛ in the text survive; every token starts a word with ▁ or continues one', () => {
  const t = new BpeTokenizer([['▁', 'a']]);
  assert.deepEqual(t.encode('a ▁a ␛'), ['▁a', '▁', '␛▁', 'a', '▁', '␛␛']);
  assert.equal(t.decode(t.encode('a ▁a ␛')), 'a ▁a ␛');
});

test('a BPE codec learned on the random corpus round-trips it through ids with no <unk>', () => {
  const pairs = texts.map((x) => ({ src: x, tgt: x }));
  const { src } = buildCodecs(pairs, { tokenizer: 'bpe', merges: 200, sharedVocab: true });
  for (const x of texts) {
    const ids = src.encode(x);
    assert.ok(!ids.includes(1), `no <unk> in ${JSON.stringify(x)}`);
    assert.equal(src.decode(ids), x);
  }
});
