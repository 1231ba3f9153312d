import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOS, EOS, exampleCost, makeBatch, planEpoch, type Example } from '../../src/train/batching.js';

function corpus(n: number): Example[] {
  const out: Example[] = [];
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const sl = 1 + Math.floor(next() * 30);
    // Target length follows the source's, as in real parallel text.
    const tl = Math.max(1, sl + Math.floor(next() * 7) - 3);
    out.push({ src: Array.from({ length: sl }, (_, k) => 4 + ((i + k) % 50)), tgt: Array.from({ length: tl }, (_, k) => 4 + ((i * 3 + k) % 50)) });
  }
  return out;
}

test('batching: token budget respected, every example exactly once per epoch', () => {
  const ex = corpus(1000);
  for (const epoch of [0, 1, 2]) {
    const batches = planEpoch(ex, { batchTokens: 200, shuffle: true }, 7, epoch);
    const seen = new Array<number>(ex.length).fill(0);
    for (const b of batches) {
      const maxCost = Math.max(...b.map((i) => exampleCost(ex[i]!)));
      assert.ok(b.length * maxCost <= 200 || b.length === 1, `batch of ${b.length} × ${maxCost} > 200`);
      for (const i of b) seen[i]!++;
    }
    assert.ok(seen.every((c) => c === 1));
  }
});

test('batching: bucketing keeps padding low', () => {
  const ex = corpus(2000);
  const batches = planEpoch(ex, { batchTokens: 400, shuffle: true }, 1, 0);
  // Padding as the model sees it: the encoder runs B × S, the decoder B × T.
  let real = 0;
  let padded = 0;
  for (const b of batches) {
    const S = Math.max(...b.map((i) => ex[i]!.src.length));
    const T = Math.max(...b.map((i) => ex[i]!.tgt.length + 1));
    padded += (S + T) * b.length;
    for (const i of b) real += ex[i]!.src.length + ex[i]!.tgt.length + 1;
  }
  assert.ok(real / padded > 0.85, `only ${(real / padded).toFixed(2)} of the padded tokens are real`);
});

test('batching: seeded — same (seed, epoch) same plan; another epoch or seed another order', () => {
  const ex = corpus(500);
  const a = planEpoch(ex, { batchTokens: 300, shuffle: true }, 3, 0);
  const b = planEpoch(ex, { batchTokens: 300, shuffle: true }, 3, 0);
  assert.deepEqual(a, b);
  assert.notDeepEqual(planEpoch(ex, { batchTokens: 300, shuffle: true }, 3, 1), a);
  assert.notDeepEqual(planEpoch(ex, { batchTokens: 300, shuffle: true }, 4, 0), a);
});

test('batching: --batch-size caps sentences; no shuffle keeps a length-sorted order', () => {
  const ex = corpus(101);
  const batches = planEpoch(ex, { batchSize: 10, shuffle: false }, 0, 0);
  assert.equal(batches.length, 11);
  assert.ok(batches.every((b) => b.length <= 10));
  const flat = batches.flat();
  for (let i = 1; i < flat.length; i++) assert.ok(ex[flat[i - 1]!]!.tgt.length <= ex[flat[i]!]!.tgt.length);
});

test('makeBatch: pads with 0, tgtIn = BOS + y, tgtOut = y + EOS', () => {
  const ex: Example[] = [
    { src: [5, 6, 7], tgt: [8] },
    { src: [9], tgt: [10, 11, 12] },
  ];
  const b = makeBatch(ex, [0, 1]);
  assert.equal(b.B, 2);
  assert.equal(b.S, 3);
  assert.equal(b.T, 4);
  assert.deepEqual([...b.src], [5, 6, 7, 9, 0, 0]);
  assert.deepEqual(b.srcLen, [3, 1]);
  assert.deepEqual([...b.tgtIn], [BOS, 8, 0, 0, BOS, 10, 11, 12]);
  assert.deepEqual([...b.tgtOut], [8, EOS, 0, 0, 10, 11, 12, EOS]);
});
