import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpeTokenizer, buildCodecs, codecPairFromJSON, codecPairToJSON, loadCodecs, saveCodecs, targetRightToLeft, TextCodec, UNK_ID, Vocab, WordTokenizer } from '../../src/data/index.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);

const PAIRS = [
  { src: 'the cat sat on the mat', tgt: 'die Katze saß auf der Matte' },
  { src: 'the dog sat', tgt: 'der Hund saß' },
  { src: 'a cat, a dog!', tgt: 'eine Katze, ein Hund!' },
];

test('TextCodec: encode gives ids without <s>/</s>; decode skips specials; input is normalised', () => {
  const codec = new TextCodec(new WordTokenizer(), Vocab.fromCounts(new Map([['the', 2], ['cat', 1], ['￭,', 1]])));
  assert.deepEqual(codec.encode('the  cat, dog'), [4, 5, 6, UNK_ID]);
  assert.equal(codec.decode([2, 4, 5, 6, 0, 3, 0]), 'the cat,');
  assert.equal(codec.decode([]), '');
});

test('a right-to-left codec: ids last token first, text back in reading order; the direction is saved; a shared pair reverses only its target', () => {
  for (const opts of [{ tokenizer: 'bpe' as const, merges: 20 }, { tokenizer: 'word' as const, sharedVocab: true }]) {
    const pair = buildCodecs(PAIRS, opts);
    const r2l = targetRightToLeft(pair);
    assert.equal(r2l.tgt.reverse, true);
    assert.equal(r2l.src.reverse, false, 'the source side keeps its order');
    assert.equal(r2l.tgt.vocab, pair.tgt.vocab, 'one vocabulary: the same ids, another order');
    for (const p of PAIRS) {
      const ids = r2l.tgt.encode(p.tgt);
      assert.deepEqual(ids, pair.tgt.encode(p.tgt).reverse());
      assert.equal(r2l.tgt.decode(ids), p.tgt, 'decode reads ids in the codec\'s order');
      assert.deepEqual(r2l.tgt.tokenize(p.tgt), pair.tgt.tokenize(p.tgt).reverse());
      assert.deepEqual(r2l.src.encode(p.src), pair.src.encode(p.src));
    }
    const json = codecPairToJSON(r2l);
    assert.equal(json.tgt.reverse, true);
    assert.equal(json.src.reverse, undefined, 'left to right is the default and is not written');
    assert.equal(codecPairToJSON(pair).tgt.reverse, undefined, 'files written before directions existed read the same');
    const back = codecPairFromJSON(JSON.parse(JSON.stringify(json)));
    assert.equal(back.shared, pair.shared);
    assert.equal(back.tgt.reverse, true);
    assert.equal(back.src.reverse, false);
    assert.deepEqual(back.tgt.encode(PAIRS[0]!.tgt), r2l.tgt.encode(PAIRS[0]!.tgt));
    assert.equal(targetRightToLeft(r2l, false).tgt.encode(PAIRS[0]!.tgt).join(), pair.tgt.encode(PAIRS[0]!.tgt).join());
  }
});

test('buildCodecs: separate or shared; BPE falls back to pieces when the vocabulary drops a merge', () => {
  const sep = buildCodecs(PAIRS, { tokenizer: 'bpe', merges: 20 });
  assert.equal(sep.shared, false);
  assert.notEqual(sep.src, sep.tgt);
  assert.ok(!sep.tgt.vocab.has('cat'));
  const shared = buildCodecs(PAIRS, { tokenizer: 'word', sharedVocab: true });
  assert.equal(shared.src, shared.tgt);
  assert.ok(shared.src.vocab.has('Katze') && shared.src.vocab.has('cat'));
  // maxSize 10 keeps only the base characters (required) — every merged token must split back
  const tiny = buildCodecs(PAIRS, { tokenizer: 'bpe', merges: 30, vocabSize: 10 });
  for (const p of PAIRS) {
    const ids = tiny.tgt.encode(p.tgt);
    assert.ok(!ids.includes(UNK_ID), 'a character seen in training is never <unk>');
    assert.equal(tiny.tgt.decode(ids), p.tgt);
  }
  assert.ok(tiny.tgt.encode('Zebra ß').includes(UNK_ID), 'an unseen character (Z) is <unk>');
});

test('saveCodecs/loadCodecs: one JSON file, atomic, same ids after loading', async () => {
  const pair = buildCodecs(PAIRS, { tokenizer: 'bpe', merges: 25, minFreq: 1 });
  const path = join(tmp.dir, 'codecs.json');
  await saveCodecs(path, pair);
  assert.deepEqual(readdirSync(tmp.dir), ['codecs.json'], 'no temp file left behind');
  const loaded = await loadCodecs(path);
  assert.equal(loaded.shared, false);
  assert.ok(loaded.src.tokenizer instanceof BpeTokenizer);
  for (const p of PAIRS) {
    assert.deepEqual(loaded.src.encode(p.src), pair.src.encode(p.src));
    assert.deepEqual(loaded.tgt.encode(p.tgt), pair.tgt.encode(p.tgt));
    assert.equal(loaded.tgt.decode(loaded.tgt.encode(p.tgt)), p.tgt);
  }
  const sharedPath = join(tmp.dir, 'shared.json');
  await saveCodecs(sharedPath, buildCodecs(PAIRS, { tokenizer: 'char', sharedVocab: true }));
  const s = await loadCodecs(sharedPath);
  assert.equal(s.src, s.tgt);
  const bad = join(tmp.dir, 'bad.json');
  writeFileSync(bad, '{"format":"other"}');
  await assert.rejects(loadCodecs(bad), (e: unknown) => e instanceof UserError && e.message.startsWith(`${bad}: codecs: expected format s2s-codecs`));
  await assert.rejects(loadCodecs(join(tmp.dir, 'missing.json')), UserError);
});
