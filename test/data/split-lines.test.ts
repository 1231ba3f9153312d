import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineSplitter, linesOfBytes, readJsonl, readParallel, readPo, readTsv, splitLines } from '../../src/data/index.js';
import { UserError } from '../../src/util/errors.js';
import { collect, tempDir } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);
const file = (name: string, text: string | Uint8Array): string => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};

test('splitLines: LF and CRLF end lines; a lone CR is content; final line without newline; empty lines; BOM', () => {
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('\n'), ['']);
  assert.deepEqual(splitLines('a'), ['a']);
  assert.deepEqual(splitLines('a\n'), ['a']);
  assert.deepEqual(splitLines('a\n\nb'), ['a', '', 'b']);
  assert.deepEqual(splitLines('a\r\nb\r\n\r\n'), ['a', 'b', '']);
  assert.deepEqual(splitLines('x\ry\nz\r'), ['x\ry', 'z\r']);
  assert.deepEqual(splitLines('\r\r\n'), ['\r']);
  assert.deepEqual(splitLines('\ufeffa\n\ufeffb'), ['a', '\ufeffb'], 'only a BOM at the very start is dropped');
});

test('LineSplitter: any chunking gives the same lines (CRLF and BOM split across chunks)', () => {
  const text = '\ufeffone\r\ntwo\rstill two\n\nthree\r\n\r\nfour';
  const want = ['one', 'two\rstill two', '', 'three', '', 'four'];
  for (let size = 1; size <= text.length; size++) {
    const s = new LineSplitter();
    const got: string[] = [];
    for (let i = 0; i < text.length; i += size) got.push(...s.push(text.slice(i, i + size)));
    got.push(...s.end());
    assert.deepEqual(got, want, `chunks of ${size}`);
  }
});

test('linesOfBytes: multi-byte UTF-8 split across byte chunks decodes whole, at every split point', async () => {
  const text = 'é€😀\r\n日本\rß\n';
  const bytes = new TextEncoder().encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const got = await collect(linesOfBytes([bytes.subarray(0, cut), bytes.subarray(cut)]));
    assert.deepEqual(got, ['é€😀', '日本\rß'], `cut at byte ${cut}`);
  }
  // one byte at a time, and a BOM given as bytes
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
  assert.deepEqual(await collect(linesOfBytes(Array.from(withBom, (b) => Uint8Array.of(b)))), ['é€😀', '日本\rß']);
});

test('readers: a stray CR inside a line never splits it (parallel files stay aligned; TSV, JSONL, po)', async () => {
  const src = file('s.txt', 'a1\nb1 has\ra CR\nc1\nd1\ne1\n');
  const tgt = file('t.txt', 'a2\nb2\nc2\nd2\ne2');
  const pairs = await collect(readParallel(src, tgt));
  assert.deepEqual(pairs.map((p) => [p.src, p.tgt, p.line]), [['a1', 'a2', 1], ['b1 has\ra CR', 'b2', 2], ['c1', 'c2', 3], ['d1', 'd2', 4], ['e1', 'e2', 5]]);
  const tsv = file('cr.tsv', 'x\ry\tz\r\nq\tw');
  assert.deepEqual((await collect(readTsv(tsv))).map((p) => [p.src, p.tgt, p.line]), [['x\ry', 'z', 1], ['q', 'w', 2]]);
  const jsonl = file('cr.jsonl', '{"src":"a","tgt":"b"}\r{"src":"c","tgt":"d"}\n');
  // One line (CR is content), so it is not valid JSON: reported as line 1, not read as two objects.
  await assert.rejects(collect(readJsonl(jsonl)), /cr\.jsonl:1: not valid JSON/);
  const po = file('cr.po', 'msgid "Hello\rworld"\r\nmsgstr "Hallo"\r\n');
  assert.deepEqual((await collect(readPo(po))).map((p) => [p.src, p.tgt]), [['Hello\rworld', 'Hallo']]);
});

test('readers: an unreadable file is a one-line UserError naming it (permission, I/O error, folder)', async (t) => {
  const folder = join(tmp.dir, 'a-folder.tsv');
  mkdirSync(folder);
  await assert.rejects(collect(readTsv(folder)), (e: unknown) => e instanceof UserError && e.message === `${folder}: is not a file (TSV input); give a file path`);
  // Reading /proc/self/mem at offset 0 fails with EIO although it is a regular file: a read error after open.
  if (process.platform === 'linux') {
    await assert.rejects(collect(readTsv('/proc/self/mem')), (e: unknown) => e instanceof UserError && /^\/proc\/self\/mem: cannot read \(input\/output error\)/.test(e.message));
  }
  if (process.getuid?.() === 0) {
    t.diagnostic('chmod 000 case skipped: running as root, where file permissions do not deny reads');
    return;
  }
  const locked = file('locked.tsv', 'a\tb\n');
  chmodSync(locked, 0o000);
  await assert.rejects(collect(readTsv(locked)), (e: unknown) => e instanceof UserError && /locked\.tsv: cannot read \(permission denied\)/.test(e.message));
});
