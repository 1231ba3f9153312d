import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors } from '../../src/util/safetensors.js';
import { loadWeightsFromBytes } from '../../src/train/checkpoint.js';
import { Linear } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/index.js';
import { UserError } from '../../src/util/errors.js';

/** Safetensors bytes with a header written by hand (`headerText` verbatim) and `dataLen` data bytes. */
function craft(headerText: string | Uint8Array, dataLen: number, headerLength?: bigint): Uint8Array {
  const hb = typeof headerText === 'string' ? Buffer.from(headerText, 'utf8') : Buffer.from(headerText);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLength ?? BigInt(hb.length));
  const data = Buffer.alloc(dataLen);
  for (let i = 0; i < dataLen; i++) data[i] = i & 0xff;
  return new Uint8Array(Buffer.concat([len, hb, data]));
}
const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

test('crafted safetensors: overlapping, holed, trailing, out-of-range and mismatched entries are rejected', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['overlap', craft(JSON.stringify({ a: f32([4], 0, 16), b: f32([4], 8, 24) }), 24), /'b'.*overlap/],
    ['hole', craft(JSON.stringify({ a: f32([2], 0, 8), b: f32([2], 16, 24) }), 24), /'b'.*hole after byte 8/],
    ['trailing data', craft(JSON.stringify({ a: f32([2], 0, 8) }), 16), /cover 8 of the 16 data bytes/],
    ['offset past the data', craft(JSON.stringify({ a: f32([4], 0, 16) }), 8), /outside the 8-byte data/],
    ['negative offset', craft(JSON.stringify({ a: f32([1], -4, 0) }), 8), /outside/],
    ['byte length vs shape', craft(JSON.stringify({ a: f32([3], 0, 8) }), 8), /8 bytes of data for shape \[3\] of F32/],
    ['unknown dtype', craft(JSON.stringify({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }), 8), /dtype U8 is not supported/],
    ['fractional shape', craft(JSON.stringify({ a: f32([1.5], 0, 8) }), 8), /bad shape/],
    ['duplicate name', craft('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), /'a' appears twice/],
    ['absurd header length', craft('{}', 0, 1n << 60n), /over the 100000000-byte limit/],
    ['header past the end', craft('{}', 0, 1000n), /runs past the end/],
    ['not UTF-8', craft(Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 0) /* {"\xff":1} */, /not valid UTF-8 JSON/],
  ];
  for (const [what, bytes, re] of cases) assert.throws(() => decodeSafetensors(bytes), re, what);
  // A name with an escaped quote and a nested object in metadata do not confuse the duplicate check.
  const ok = craft(JSON.stringify({ __metadata__: { k: 'v"}' }, 'a"b': f32([1], 0, 4), c: f32([1], 4, 8) }), 8);
  assert.deepEqual([...decodeSafetensors(ok).tensors.keys()], ['a"b', 'c']);
});

test('crafted safetensors: 3,000 tensors on one 1 MB range fail fast, in bounded memory, with one line', () => {
  const header: Record<string, unknown> = {};
  const n = 262_144; // 1 MB of F32
  for (let i = 0; i < 3000; i++) header[`t${i}`] = f32([n], 0, n * 4);
  const bytes = craft(JSON.stringify(header), n * 4);
  const model = new Linear(2, 2, new Rng(1));
  const before = process.memoryUsage();
  const t0 = performance.now();
  assert.throws(() => decodeSafetensors(bytes), /overlap/);
  let err: unknown;
  try {
    loadWeightsFromBytes(bytes, model, 'crafted.safetensors');
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  assert.ok(err instanceof UserError);
  assert.match(err.message, /^crafted\.safetensors: not a valid safetensors file \(tensor 't1': .*overlap/);
  assert.ok(!err.message.includes('\n'), 'one line');
  assert.ok(ms < 2000, `took ${ms} ms`);
  // Both attempts together may not copy the range even once per tensor (3,000 MB before the fix).
  const grown = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
  assert.ok(grown < 64 * 2 ** 20, `grew ${grown} bytes`);
});

test('loadWeightsFromBytes: loads values by name, checks every name/shape/dtype before copying anything', () => {
  const src = new Linear(3, 2, new Rng(7));
  const bytes = new Uint8Array(Buffer.concat(encodeSafetensors(src.namedParameters().map(([name, t]) => [name, { shape: t.shape, data: t.f32 }]), { a: 'b' })));
  const dst = new Linear(3, 2, new Rng(8));
  assert.deepEqual(loadWeightsFromBytes(bytes, dst, 'x'), { a: 'b' });
  for (const [[, a], [, b]] of src.namedParameters().map((p, i) => [p, dst.namedParameters()[i]!] as const)) assert.deepEqual(Array.from(b.f32), Array.from(a.f32));

  const names = src.namedParameters().map(([name]) => name);
  const [w, b] = src.namedParameters().map(([, t]) => t);
  const enc = (entries: [string, { shape: number[]; data: Float32Array | Int32Array }][]) => new Uint8Array(Buffer.concat(encodeSafetensors(entries)));
  const other = new Linear(3, 2, new Rng(9));
  const snapshot = () => other.namedParameters().map(([, t]) => Array.from(t.f32));
  const kept = snapshot();
  const bad: [Uint8Array, RegExp][] = [
    // The first tensor matches; the second does not: nothing may be copied, not even the first.
    [enc([[names[0]!, { shape: [...w!.shape], data: w!.f32 }], [names[1]!, { shape: [1, 2], data: b!.f32 }]]), /has shape \[1, 2\], the model expects \[2\]/],
    [enc([[names[0]!, { shape: [...w!.shape], data: w!.f32 }]]), /weight 'bias' is missing|is missing/],
    [enc([[names[0]!, { shape: [...w!.shape], data: w!.f32 }], [names[1]!, { shape: [...b!.shape], data: b!.f32 }], ['extra', { shape: [1], data: Float32Array.of(1) }]]), /'extra' is not a weight of this model/],
    [enc([[names[0]!, { shape: [...w!.shape], data: new Int32Array(w!.size) }], [names[1]!, { shape: [...b!.shape], data: b!.f32 }]]), /is I32, expected float weights/],
  ];
  for (const [bytesBad, re] of bad) {
    assert.throws(() => loadWeightsFromBytes(bytesBad, other, 'm.safetensors'), (e) => e instanceof UserError && e.message.startsWith('m.safetensors: ') && re.test(e.message));
    assert.deepEqual(snapshot(), kept);
  }
});
