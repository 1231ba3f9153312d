import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../src/util/mulberry32.js';
/** mulberry32: a small seeded PRNG, so property tests see the same strings every run. */
export const rng = mulberry32;

/** A fresh temp folder and its cleanup. */
export function tempDir(prefix = 's2s-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}


/**
 * Character pools for random text: the scripts and the awkward cases (combining marks, astral
 * code points, odd whitespace, and the markers our tokenizers use: ▁ ␛ ￭).
 */
const POOLS: [number, number][] = [
  [0x61, 0x7a], // a-z, weighted up below
  [0x41, 0x5a],
  [0x30, 0x39],
  [0x21, 0x2f], // ASCII punctuation
  [0xc0, 0xff], // Latin-1 letters
  [0x300, 0x36f], // combining marks
  [0x391, 0x3c9], // Greek
  [0x410, 0x44f], // Cyrillic
  [0x627, 0x64a], // Arabic
  [0x4e00, 0x4e40], // CJK
  [0xac00, 0xac20], // Hangul syllables (NFC composes jamo into these)
  [0x1100, 0x1112], // Hangul jamo
  [0x1f600, 0x1f64f], // emoji (astral)
  [0x2581, 0x2581], // ▁
  [0x241b, 0x241b], // ␛
  [0xffed, 0xffed], // ￭
  [0x200b, 0x200d], // zero-width space / joiners (not \s)
  [0xfb01, 0xfb03], // ligatures (NFKC splits them)
];
const SPACES = [' ', ' ', ' ', '  ', '\t', '\u00a0', '\u3000', '\n'];

export function randomText(next: () => number, maxLen = 30): string {
  const len = Math.floor(next() * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) {
    const r = next();
    if (r < 0.15) s += SPACES[Math.floor(next() * SPACES.length)];
    else if (r < 0.55) s += String.fromCharCode(0x61 + Math.floor(next() * 26));
    else {
      const [lo, hi] = POOLS[Math.floor(next() * POOLS.length)]!;
      s += String.fromCodePoint(lo + Math.floor(next() * (hi - lo + 1)));
    }
  }
  return s;
}

export interface MoTestEntry {
  id: string;
  str: string;
}

/**
 * Writes a .mo file by hand (gettext manual, "The Format of GNU MO Files"): 28-byte header,
 * msgid table, msgstr table, then NUL-terminated strings. Plurals and contexts are encoded in
 * the strings themselves (\0 between forms, \x04 after a context), as msgfmt does.
 */
export function buildMo(entries: MoTestEntry[], littleEndian: boolean): Uint8Array {
  const enc = new TextEncoder();
  const n = entries.length;
  const ids = entries.map((e) => enc.encode(e.id));
  const strs = entries.map((e) => enc.encode(e.str));
  const headerSize = 28;
  const idTable = headerSize;
  const strTable = idTable + 8 * n;
  let dataAt = strTable + 8 * n;
  const total = dataAt + [...ids, ...strs].reduce((a, b) => a + b.length + 1, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const put = (at: number, v: number): void => view.setUint32(at, v, littleEndian);
  put(0, 0x950412de);
  put(4, 0);
  put(8, n);
  put(12, idTable);
  put(16, strTable);
  put(20, 0); // no hash table
  put(24, dataAt);
  const place = (table: number, i: number, s: Uint8Array): void => {
    put(table + 8 * i, s.length);
    put(table + 8 * i + 4, dataAt);
    bytes.set(s, dataAt);
    dataAt += s.length + 1; // the NUL is already 0
  };
  ids.forEach((s, i) => place(idTable, i, s));
  strs.forEach((s, i) => place(strTable, i, s));
  return bytes;
}
