import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TextPair } from '../../src/data/index.js';

/** A seeded copy task: sequences of 2–6 letters from a–h, target = source. */
export function copyPairs(n: number, seed: number): TextPair[] {
  let x = seed >>> 0 || 1;
  const r = (): number => (x = (x * 16807) % 2147483647) / 2147483647;
  const out: TextPair[] = [];
  for (let i = 0; i < n; i++) {
    const k = 2 + Math.floor(r() * 5);
    const w = Array.from({ length: k }, () => 'abcdefgh'[Math.floor(r() * 8)]!).join(' ');
    out.push({ src: w, tgt: w });
  }
  return out;
}

export function writeTsv(path: string, pairs: readonly TextPair[]): void {
  writeFileSync(path, pairs.map((p) => `${p.src}\t${p.tgt}`).join('\n') + '\n');
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Tiny model options: fast enough for unit tests on the js backend. */
export const TINY_MODEL = { emb: 16, hidden: 32, dropout: 0.1 } as const;
