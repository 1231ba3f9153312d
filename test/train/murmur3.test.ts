import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur3 } from '../../src/util/murmur3.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('murmur3 matches MurmurHash3_x86_32 test vectors (seed 0)', () => {
  // Reference values of MurmurHash3_x86_32 with seed 0 (Austin Appleby's SMHasher implementation).
  assert.equal(murmur3([bytes('')]), 0);
  assert.equal(murmur3([bytes('hello')]), 0x248bfa47);
  assert.equal(murmur3([bytes('The quick brown fox jumps over the lazy dog')]), 0x2e4ff723);
});

test('murmur3 is the same however the bytes are split into chunks and aligned', () => {
  const all = new Uint8Array(1031);
  for (let i = 0; i < all.length; i++) all[i] = (i * 131 + 7) & 255;
  const whole = murmur3([all]);
  for (const cuts of [[1], [3, 4], [17, 255], [1, 2, 3, 1000], [1030]]) {
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (const c of cuts) {
      chunks.push(all.subarray(at, c));
      at = c;
    }
    chunks.push(all.subarray(at));
    assert.equal(murmur3(chunks), whole, `cuts ${cuts.join(',')}`);
  }
  // an unaligned view of the same bytes
  const shifted = new Uint8Array(all.length + 1);
  shifted.set(all, 1);
  assert.equal(murmur3([shifted.subarray(1)]), whole);
  const changed = all.slice();
  changed[500] ^= 1;
  assert.notEqual(murmur3([changed]), whole);
});
