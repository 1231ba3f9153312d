import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOS_ID, EOS_ID, PAD_ID, SPECIALS, UNK_ID, Vocab } from '../../src/data/index.js';
import { UserError } from '../../src/util/errors.js';

const counts = new Map([['the', 10], ['a', 10], ['cat', 3], ['dog', 2], ['emu', 1]]);

test('specials come first, in a fixed order', () => {
  assert.deepEqual([...SPECIALS], ['<pad>', '<unk>', '<s>', '</s>']);
  assert.deepEqual([PAD_ID, UNK_ID, BOS_ID, EOS_ID], [0, 1, 2, 3]);
  const v = Vocab.fromCounts(counts);
  assert.deepEqual(v.decode([0, 1, 2, 3]), ['<pad>', '<unk>', '<s>', '</s>']);
  // by count, ties in code-unit order: a(10) the(10) cat(3) dog(2) emu(1)
  assert.deepEqual(v.toJSON().tokens.slice(4), ['a', 'the', 'cat', 'dog', 'emu']);
  assert.equal(v.size, 9);
  assert.deepEqual(v.encode(['the', 'cat', 'zebra']), [5, 6, UNK_ID]);
});

test('minFreq and maxSize (specials counted in the size); required tokens are always kept', () => {
  assert.deepEqual(Vocab.fromCounts(counts, { minFreq: 3 }).toJSON().tokens.slice(4), ['a', 'the', 'cat']);
  assert.deepEqual(Vocab.fromCounts(counts, { maxSize: 6 }).toJSON().tokens.slice(4), ['a', 'the']);
  const r = Vocab.fromCounts(counts, { maxSize: 6, minFreq: 5, required: ['emu', 'yak'] });
  assert.deepEqual(r.toJSON().tokens.slice(4), ['emu', 'yak'], 'two required fill the budget of 2');
});

test('a token spelled like a special is an ordinary token; toJSON/fromJSON round trip', () => {
  const v = Vocab.fromCounts(new Map([['<s>', 4], ['x', 1]]));
  assert.equal(v.id('<s>'), 4);
  assert.notEqual(v.id('<s>'), BOS_ID);
  const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  assert.deepEqual(back.toJSON(), v.toJSON());
  assert.equal(back.id('x'), 5);
  assert.throws(() => Vocab.fromJSON({ tokens: ['x'] }), UserError);
  assert.throws(() => v.token(99), RangeError);
});
