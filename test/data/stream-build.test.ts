import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  baseUnits,
  BpeTokenizer,
  buildCodecs,
  buildCodecsFromStream,
  CharTokenizer,
  codecPairToJSON,
  normalizeText,
  pairHash,
  readTsv,
  SpaceTokenizer,
  TextCodec,
  Vocab,
  WordTokenizer,
  type BuildCodecsOptions,
  type CodecPair,
  type TextPair,
  type Tokenizer,
} from '../../src/data/index.js';
import { randomText, rng, tempDir } from './helpers.js';

const tmp = tempDir('s2s-stream-build-');
after(tmp.cleanup);

/**
 * The codec learner as it was before streaming (all texts in memory, BPE learned from the texts,
 * tokens counted by encoding every text): the reference the streaming learner must match.
 */
function referenceBuild(pairs: TextPair[], options: BuildCodecsOptions): CodecPair {
  const form = options.normalize ?? 'nfc';
  const learn = (texts: string[]): TextCodec => {
    const kind = options.tokenizer ?? 'bpe';
    const tokenizer: Tokenizer =
      kind === 'bpe' ? BpeTokenizer.learn(texts, { merges: options.merges ?? 8000 }) : kind === 'char' ? new CharTokenizer() : kind === 'word' ? new WordTokenizer() : new SpaceTokenizer();
    const counts = new Map<string, number>();
    const required = new Set<string>();
    for (const text of texts) for (const t of tokenizer.encode(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    if (kind === 'bpe') for (const text of texts) for (const w of text.split(' ')) if (w !== '') for (const u of baseUnits(w)) required.add(u);
    return new TextCodec(tokenizer, Vocab.fromCounts(counts, { minFreq: options.minFreq, maxSize: options.vocabSize, required }), form);
  };
  const src = pairs.map((p) => normalizeText(p.src, form));
  const tgt = pairs.map((p) => normalizeText(p.tgt, form));
  if (options.sharedVocab) {
    const c = learn([...src, ...tgt]);
    return { src: c, tgt: c, shared: true };
  }
  return { src: learn(src), tgt: learn(tgt), shared: false };
}

function corpus(n: number, seed: number): TextPair[] {
  const next = rng(seed);
  const words = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'Katze', 'saß', 'über', 'Hund', 'a,', 'b!', 'the.'];
  const sentence = (): string => Array.from({ length: 1 + Math.floor(next() * 8) }, () => words[Math.floor(words.length * next() ** 2)]).join(' ');
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? { src: randomText(next, 25), tgt: randomText(next, 25) } : { src: sentence(), tgt: sentence() }));
}

test('buildCodecsFromStream / buildCodecs give the same codecs as learning from all texts at once', async () => {
  const pairs = corpus(600, 7);
  const file = join(tmp.dir, 'train.tsv');
  // what prepare streams back: cleaned pairs (no tabs, normalised)
  const clean = pairs.map((p) => ({ src: normalizeText(p.src), tgt: normalizeText(p.tgt) })).filter((p) => p.src !== '' && p.tgt !== '');
  writeFileSync(file, clean.map((p) => `${p.src}\t${p.tgt}`).join('\n') + '\n');
  const configs: BuildCodecsOptions[] = [
    { tokenizer: 'bpe', merges: 120 },
    { tokenizer: 'bpe', merges: 80, sharedVocab: true, vocabSize: 60 },
    { tokenizer: 'bpe', merges: 50, minFreq: 3, normalize: 'nfkc' },
    { tokenizer: 'word', vocabSize: 40 },
    { tokenizer: 'char', sharedVocab: true, minFreq: 2 },
    { tokenizer: 'space' },
  ];
  for (const options of configs) {
    const want = JSON.stringify(codecPairToJSON(referenceBuild(pairs, options)));
    assert.equal(JSON.stringify(codecPairToJSON(buildCodecs(pairs, options))), want, `buildCodecs ${JSON.stringify(options)}`);
    assert.equal(JSON.stringify(codecPairToJSON(await buildCodecsFromStream(pairs, options))), want, `from an iterable ${JSON.stringify(options)}`);
    const fromFile = JSON.stringify(codecPairToJSON(await buildCodecsFromStream(readTsv(file), options)));
    assert.equal(fromFile, JSON.stringify(codecPairToJSON(referenceBuild(clean, options))), `from a file ${JSON.stringify(options)}`);
  }
});

test('pairHash: 64 bits, differs for (ab, c) / (a, bc) and for near-identical pairs', () => {
  assert.notDeepEqual(pairHash('ab', 'c'), pairHash('a', 'bc'));
  const seen = new Set<string>();
  for (let i = 0; i < 20000; i++) seen.add(pairHash(`item ${i}`, `Eintrag ${i}`).join(':'));
  assert.equal(seen.size, 20000);
  const [a, b] = pairHash('x', 'y');
  assert.ok(Number.isInteger(a) && a >= 0 && a < 2 ** 32 && Number.isInteger(b) && b >= 0 && b < 2 ** 32);
});
