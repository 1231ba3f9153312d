import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignSplit, fnv1a32, parseSplit, splitBucket } from '../../src/data/index.js';
import { UserError } from '../../src/util/errors.js';

test('fnv1a32 matches the published FNV-1a test vectors (seed 0)', () => {
  // Expected values from the FNV reference test suite (isthe.com/chongo/src/fnv/test_fnv.c).
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  // UTF-8 bytes are hashed: "é" is C3 A9, so it equals hashing those two bytes as Latin-1 would not.
  assert.notEqual(fnv1a32('é'), fnv1a32('\u00c3\u00a9'));
  assert.notEqual(fnv1a32('foobar', 1), fnv1a32('foobar'));
});

test('split: a source keeps its split when more data is added, and fractions come out near the target', () => {
  const f = parseSplit('0.8,0.1,0.1');
  const small = Array.from({ length: 2000 }, (_, i) => `sentence number ${i}`);
  const big = [...Array.from({ length: 8000 }, (_, i) => `other text ${i}`), ...small];
  const before = new Map(small.map((s) => [s, assignSplit(s, f)]));
  for (const s of big) if (before.has(s)) assert.equal(assignSplit(s, f), before.get(s));
  const counts = { train: 0, valid: 0, test: 0 };
  for (const s of big) counts[assignSplit(s, f)]++;
  // 10,000 items: binomial sd of the train count is 40, so ±300 is far outside chance
  assert.ok(Math.abs(counts.train - 8000) < 300, JSON.stringify(counts));
  assert.ok(Math.abs(counts.valid - 1000) < 200, JSON.stringify(counts));
  assert.ok(splitBucket('x') >= 0 && splitBucket('x') < 1);
  const other = big.filter((s) => assignSplit(s, f, 7) !== assignSplit(s, f)).length;
  assert.ok(other > 1000, 'another seed gives another split');
});

test('parseSplit: three fractions summing to 1; anything else is a UserError', () => {
  assert.deepEqual(parseSplit('0.9,0.05,0.05'), { train: 0.9, valid: 0.05, test: 0.05 });
  assert.deepEqual(parseSplit('1,0,0'), { train: 1, valid: 0, test: 0 });
  for (const bad of ['0.9,0.1', '0.5,0.5,0.5', 'a,b,c', '0.9,,0.1', '1.1,-0.1,0']) {
    assert.throws(() => parseSplit(bad), (e: unknown) => e instanceof UserError && e.message.includes(`--split '${bad}'`), bad);
  }
});
