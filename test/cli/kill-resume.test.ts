import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../src/util/mulberry32.js';
import { copyPairs, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** A temp folder in memory (/dev/shm) where there is one: fsync costs nothing there, and a kill (unlike a power cut) does not need it. */
function memTempDir(prefix: string): { dir: string; cleanup: () => void } {
  let base = tmpdir();
  try {
    if (readdirSync('/dev/shm')) base = '/dev/shm';
  } catch {
    // no /dev/shm: the disk's temp folder, only slower
  }
  const dir = mkdtempSync(join(base, prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function s2s(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

function logLines(dir: string): number {
  const p = join(dir, 'log.jsonl');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').length - 1 : 0;
}

/**
 * Starts `s2s train ARGS`, waits until log.jsonl has grown by `grow` lines (so it is training and
 * checkpointing at every step), waits `delayMs` more and SIGKILLs it. Resolves with the signal.
 */
async function trainThenKill(args: string[], out: string, grow: number, delayMs: number): Promise<{ signal: string | null; stderr: string }> {
  const start = logLines(out);
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let exited: { code: number | null; signal: string | null } | null = null;
  void closed.then((r) => (exited = r));
  while (!exited && logLines(out) < start + grow) await new Promise((r) => setTimeout(r, 2));
  if (!exited) {
    await new Promise((r) => setTimeout(r, delayMs));
    child.kill('SIGKILL');
  }
  const r = await closed;
  assert.ok(r.signal === 'SIGKILL' || r.code === 0, `exit ${r.code} ${r.signal}: ${stderr}`);
  return { signal: r.signal, stderr };
}

test('CLI: SIGKILLs at random moments while checkpointing every step; --resume each time ends bit-identical to an uninterrupted run', async (t) => {
  const d = memTempDir('s2s-kill-');
  try {
    const pairs = copyPairs(90, 8);
    writeTsv(join(d.dir, 'train.tsv'), pairs.slice(10));
    writeTsv(join(d.dir, 'valid.tsv'), pairs.slice(0, 10));
    const steps = 24;
    const flags = ['--train', join(d.dir, 'train.tsv'), '--valid', join(d.dir, 'valid.tsv'), '--emb', '8', '--hidden', '16', '--dropout', '0.1', '--backend', 'js',
      '--batch-tokens', '60', '--lr', '0.02', '--valid-every', '1', '--valid-decode', '2', '--patience', '0', '--log-every', '1', '--max-steps', String(steps), '--seed', '2'];
    const a = join(d.dir, 'a');
    const full = s2s(['train', '--out', a, ...flags]);
    assert.equal(full.code, 0, full.stderr);

    const b = join(d.dir, 'b');
    const rand = mulberry32(20261201);
    let kills = 0;
    const repairs: string[] = [];
    let resumeArgs = ['train', '--out', b, ...flags];
    for (let i = 0; i < 5; i++) {
      // a delay of 0–12 ms after a log line: anywhere in the step's validation, checkpoint (5 staged writes, manifest, renames) or the next step
      const { signal, stderr } = await trainThenKill(resumeArgs, b, 2, Math.floor(rand() * 12));
      if (signal === 'SIGKILL') kills++;
      repairs.push(...stderr.split('\n').filter((l) => l.startsWith('note: finished') || l.startsWith('note: dropped')));
      resumeArgs = ['train', '--out', b, '--resume'];
      if (!existsSync(join(b, 'train-state.json')) && !existsSync(join(b, 'checkpoint.json'))) resumeArgs = ['train', '--out', b, ...flags, '--overwrite']; // killed before the first checkpoint
    }
    assert.ok(kills >= 3, `${kills} kills landed`);
    const done = s2s(resumeArgs);
    repairs.push(...done.stderr.split('\n').filter((l) => l.startsWith('note: finished') || l.startsWith('note: dropped')));
    // Which kills fell inside a checkpoint's writes depends on timing; say how many did.
    t.diagnostic(`${kills} kills; resumes that repaired an interrupted checkpoint: ${repairs.length} (${repairs.join(' | ')})`);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, new RegExp(`done \\(max-steps\\) after ${steps} steps`));

    // Bit for bit: every checkpoint file (the state JSON apart from its wall-clock time).
    for (const f of ['model.safetensors', 'model.best.safetensors', 'train-state.safetensors']) {
      assert.ok(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), `${f} differs from the uninterrupted run`);
    }
    const state = (dir: string): unknown => {
      const { elapsed, ...rest } = JSON.parse(readFileSync(join(dir, 'train-state.json'), 'utf8'));
      return void elapsed, rest;
    };
    assert.deepEqual(state(b), state(a));
    // log.jsonl: the same train and valid lines, once each (wall-clock fields apart).
    const lines = (dir: string): unknown[] => readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((e) => e.type === 'train' || e.type === 'valid').map(({ elapsed, tok_per_s, ...rest }) => (void elapsed, void tok_per_s, rest));
    assert.equal(lines(a).length, 2 * steps);
    assert.deepEqual(lines(b), lines(a));
    // No temporary or staged file is left.
    assert.deepEqual(readdirSync(b).filter((n) => n.startsWith('.')), []);
  } finally {
    d.cleanup();
  }
});
