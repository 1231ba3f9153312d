import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/platform/node-atomic.js';

test('atomic write replaces the file and leaves no temp files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 's2s-atomic-'));
  try {
    const p = join(dir, 'a.json');
    writeFileSync(p, 'old');
    writeFileAtomicSync(p, 'new contents');
    assert.equal(readFileSync(p, 'utf8'), 'new contents');
    await writeFileAtomic(p, [Buffer.from('ab'), Buffer.from('cd')]);
    assert.equal(readFileSync(p, 'utf8'), 'abcd');
    writeFileAtomicSync(join(dir, 'b.bin'), new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(join(dir, 'b.bin'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'b.bin']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('atomic write into a missing folder fails and leaves the target untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 's2s-atomic-'));
  try {
    assert.throws(() => writeFileAtomicSync(join(dir, 'nope', 'x.json'), 'x'));
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
