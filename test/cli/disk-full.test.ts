import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPairs, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small tmpfs mounted on a fresh folder, or the reason it cannot be (not root, no mount permission, not Linux). */
function mountSmallDisk(size: string): { dir: string; cleanup: () => void } | string {
  const dir = mkdtempSync(join(tmpdir(), 's2s-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs to fill (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}); needs root on Linux`;
  }
  return {
    dir,
    cleanup: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the disk holding `path` with one file, then shrinks it to leave about `freeBytes` free. */
function fillDisk(path: string, freeBytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 16, 7);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, chunk);
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'ENOSPC');
  }
  ftruncateSync(fd, Math.max(0, size - freeBytes));
  closeSync(fd);
}

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n))]));
}

/** Exit 2 and the error as one last line (training's progress lines may come before it), no stack trace. */
function assertOneLine(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.filter((l) => l.startsWith('error')).length, 1, r.stderr);
  assert.match(lines.at(-1)!, re);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

test('a full disk: prepare into an existing DATA folder and a training checkpoint fail with one line, exit 2, old files byte-identical', (t) => {
  const disk = mountSmallDisk('2m');
  if (typeof disk === 'string') {
    t.skip(disk);
    return;
  }
  try {
    const work = mkdtempSync(join(tmpdir(), 's2s-full-in-'));
    try {
      // prepare: a DATA folder on the small disk, then a bigger corpus into it once the disk is nearly full
      const small = join(work, 'small.tsv');
      writeFileSync(small, Array.from({ length: 200 }, (_, i) => `item ${i} is ready\tEintrag ${i} ist bereit`).join('\n') + '\n');
      const big = join(work, 'big.tsv');
      writeFileSync(big, Array.from({ length: 4000 }, (_, i) => `item ${i} is very ready now\tEintrag ${i} ist jetzt sehr bereit`).join('\n') + '\n');
      const data = join(disk.dir, 'data');
      const first = s2s(['prepare', '--tsv', small, '--out', data, '--tokenizer', 'word']);
      assert.equal(first.code, 0, first.stderr);
      const before = snapshot(data);
      fillDisk(join(disk.dir, 'filler'), 48 << 10);
      const full = s2s(['prepare', '--tsv', big, '--out', data, '--tokenizer', 'word']);
      assertOneLine(full, /^error: .*\/data: disk full \(ENOSPC\) while writing the DATA folder; its files are unchanged; free space and rerun$/);
      assert.deepEqual(snapshot(data), before, 'the DATA folder is as it was (no temp or staged file either)');
      rmSync(join(disk.dir, 'filler'));

      // train: a run with a checkpoint at step 4, then --resume on a nearly full disk
      const pairs = copyPairs(120, 5);
      writeTsv(join(work, 'train.tsv'), pairs.slice(20));
      writeTsv(join(work, 'valid.tsv'), pairs.slice(0, 20));
      const flags = ['--train', join(work, 'train.tsv'), '--valid', join(work, 'valid.tsv'), '--emb', '16', '--hidden', '32', '--backend', 'js',
        '--batch-tokens', '80', '--valid-every', '2', '--valid-decode', '2', '--log-every', '1'];
      const run = join(disk.dir, 'run');
      const r1 = s2s(['train', '--out', run, ...flags, '--max-steps', '4']);
      assert.equal(r1.code, 0, r1.stderr);
      const checkpoint = snapshot(run);
      checkpoint.delete('log.jsonl'); // appended, and rewritten on resume
      checkpoint.delete('config.json'); // rewritten on resume with the options in force
      fillDisk(join(disk.dir, 'filler'), 40 << 10);
      const r2 = s2s(['train', '--out', run, '--resume', '--max-steps', '8']);
      assertOneLine(r2, /^error: .*run: disk full \(ENOSPC\) while saving the checkpoint of step 6; the last complete checkpoint \(step 4\) is kept; free space and continue with: s2s train --out .*run --resume$/);
      const after = snapshot(run);
      for (const [name, bytes] of checkpoint) assert.ok(after.get(name)?.equals(bytes), `${name} unchanged`);
      assert.deepEqual([...after.keys()].filter((n) => n.startsWith('.')), [], 'no temp or staged files left');
      // Space freed, the run goes on from step 4.
      rmSync(join(disk.dir, 'filler'));
      const r3 = s2s(['train', '--out', run, '--resume', '--max-steps', '8']);
      assert.equal(r3.code, 0, r3.stderr);
      assert.match(r3.stderr, /resumed at step 4/);
      assert.equal(JSON.parse(readFileSync(join(run, 'train-state.json'), 'utf8')).step, 8); // (exactness of a resume: kill-resume.test.ts)

      // A read-only disk: one line each, nothing changed.
      const remount = spawnSync('mount', ['-o', 'remount,ro', disk.dir], { encoding: 'utf8' });
      assert.equal(remount.status, 0, remount.stderr);
      const dataBefore = snapshot(data);
      assertOneLine(s2s(['prepare', '--tsv', small, '--out', data, '--tokenizer', 'word']), /^error: .*\/data: read-only file system \(EROFS\) while writing the DATA folder; its files are unchanged; fix the folder's permissions and rerun$/);
      assertOneLine(s2s(['prepare', '--tsv', small, '--out', join(disk.dir, 'new')]), /^error: s2s prepare: cannot create the DATA folder .*new \(read-only file system, EROFS\); choose another --out$/);
      assertOneLine(s2s(['train', '--out', join(disk.dir, 'run2'), ...flags, '--max-steps', '1']), /^error: .*run2: cannot create the run folder \(read-only file system, EROFS\); choose another --out$/);
      assert.deepEqual(snapshot(data), dataBefore);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    disk.cleanup();
  }
});
