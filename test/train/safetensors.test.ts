import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../src/util/safetensors.js';
import { readSafetensors, writeSafetensors } from '../../src/platform/node-safetensors.js';
import { UserError } from '../../src/util/errors.js';

test('safetensors: round trip keeps names, shapes, dtypes, values and metadata', () => {
  const dir = mkdtempSync(join(tmpdir(), 's2s-st-'));
  try {
    const a = Float32Array.from([1, -2.5, 3.25, Math.PI, -0, 1e-30]);
    const b = Int32Array.from([7, -8, 2147483647]);
    const path = join(dir, 'm.safetensors');
    writeSafetensors(path, [['enc.weight', { shape: [2, 3], data: a }], ['ids', { shape: [3], data: b }]], { format: 'pt', note: 'x' });
    const f = readSafetensors(path);
    assert.deepEqual([...f.tensors.keys()], ['enc.weight', 'ids']);
    const w = f.tensors.get('enc.weight')!;
    assert.equal(w.dtype, 'F32');
    assert.deepEqual(w.shape, [2, 3]);
    assert.deepEqual(Array.from(w.data), Array.from(a));
    assert.ok(Object.is(w.data[4], -0));
    const ids = f.tensors.get('ids')!;
    assert.equal(ids.dtype, 'I32');
    assert.ok(ids.data instanceof Int32Array);
    assert.deepEqual(Array.from(ids.data), [7, -8, 2147483647]);
    assert.deepEqual(f.metadata, { format: 'pt', note: 'x' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('safetensors: bytes follow the spec (u64 LE header length, JSON header, 8-aligned data, no holes)', () => {
  const chunks = encodeSafetensors([
    ['w', { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
    ['b', { shape: [2], data: Float32Array.from([0.5, -1]) }],
  ], { format: 'pt' });
  const bytes = Buffer.concat(chunks);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0, 'data starts on an 8-byte boundary');
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  // Expected header written out by hand from the spec.
  assert.deepEqual(header, {
    __metadata__: { format: 'pt' },
    w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
  });
  assert.equal(bytes.length, 8 + n + 24);
  // IEEE 754 little-endian 1.0f = 00 00 80 3f
  assert.deepEqual([...bytes.subarray(8 + n, 8 + n + 4)], [0x00, 0x00, 0x80, 0x3f]);
  assert.equal(bytes.readFloatLE(8 + n + 16), 0.5);
});

test('safetensors: reads F16/BF16/F64 written by other tools, rejects malformed files', () => {
  const header = JSON.stringify({
    h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
    bf: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
    d: { dtype: 'F64', shape: [1], data_offsets: [6, 14] },
  });
  const hb = Buffer.from(header);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hb.length));
  const data = Buffer.alloc(14);
  data.writeUInt16LE(0x3c00, 0); // f16 1.0
  data.writeUInt16LE(0xc000, 2); // f16 -2.0
  data.writeUInt16LE(0x3fc0, 4); // bf16 1.5
  data.writeDoubleLE(0.25, 6);
  const f = decodeSafetensors(Buffer.concat([len, hb, data]));
  assert.deepEqual(Array.from(f.tensors.get('h')!.data), [1, -2]);
  assert.deepEqual(Array.from(f.tensors.get('bf')!.data), [1.5]);
  assert.deepEqual(Array.from(f.tensors.get('d')!.data), [0.25]);

  assert.throws(() => decodeSafetensors(Buffer.alloc(4)), /shorter/);
  const bad = Buffer.concat([len, hb, data.subarray(0, 10)]);
  assert.throws(() => decodeSafetensors(bad), /outside/);
  const dir = mkdtempSync(join(tmpdir(), 's2s-st-'));
  try {
    writeFileSync(join(dir, 'x.safetensors'), 'garbage!garbage!');
    assert.throws(() => readSafetensors(join(dir, 'x.safetensors')), (e) => e instanceof UserError && /x\.safetensors/.test(e.message));
    assert.throws(() => readSafetensors(join(dir, 'missing.safetensors')), UserError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('safetensors: PyTorch reads what we write (skipped without /usr/bin/python3 + torch)', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('no /usr/bin/python3 with torch');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 's2s-st-'));
  try {
    const path = join(dir, 'm.safetensors');
    writeSafetensors(path, [['a.b', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }]], { format: 'pt' });
    // A minimal reader from the spec, as torch 1.13 has no safetensors package here.
    const py = `
import json, struct, sys, torch
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n])
i = h['a.b']; s, e = i['data_offsets']
t = torch.frombuffer(bytearray(b[8+n+s:8+n+e]), dtype=torch.float32).reshape(i['shape'])
print(float(t.sum()), list(t.shape))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '21.0 [2, 3]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
