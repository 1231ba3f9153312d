import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCodecs } from '../../src/data/index.js';
import {
  MANIFEST_FILE, MemoryRunStore, RUN_FILES, commitCheckpoint, loadRun, readManifest, recoverCheckpoint, trainRun, type CheckpointManifest,
} from '../../src/train/index.js';
import { copyPairs, tempDir, TINY_MODEL } from './helpers.js';

const enc = (s: string): Uint8Array[] => [new TextEncoder().encode(s)];

/** A MemoryRunStore whose process "dies" (throws) at its n-th writing operation; what is stored stays as it was at that moment. */
class DyingStore extends MemoryRunStore {
  ops = 0;
  constructor(private readonly dieAt: number) {
    super();
  }
  private tick(): void {
    if (++this.ops >= this.dieAt) throw new Error('killed'); // a dead process does nothing more
  }
  override writeAtomic(name: string, data: string | Uint8Array | readonly Uint8Array[]): void {
    this.tick();
    super.writeAtomic(name, data);
  }
  override rename(from: string, to: string): void {
    this.tick();
    super.rename(from, to);
  }
  override remove(name: string): void {
    this.tick();
    super.remove(name);
  }
}

function snapshot(store: MemoryRunStore, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, store.readText(n) ?? '(none)']));
}

test('a checkpoint killed at any write, rename or removal recovers to the previous checkpoint or the new one, whole', () => {
  const names = ['model.safetensors', 'train-state.json', 'train-state.safetensors', 'model.best.safetensors'];
  const old = names.map((n) => [n, enc(`${n} at step 1`)] as const);
  // step 2 rewrites three files and keeps the best weights of step 1
  const next = names.slice(0, 3).map((n) => [n, enc(`${n} at step 2, longer`)] as const);
  let sawOld = 0;
  let sawNew = 0;
  for (let dieAt = 1; ; dieAt++) {
    const store = new DyingStore(dieAt);
    let m: CheckpointManifest | null = null;
    let died = false;
    try {
      m = commitCheckpoint(store, 1, old, null);
      m = commitCheckpoint(store, 2, next, m);
    } catch (e) {
      assert.equal((e as Error).message, 'killed');
      died = true;
    }
    // A fresh process looks at what was left.
    const after = new MemoryRunStore();
    for (const [n, b] of store.files()) after.writeAtomic(n, b);
    const recovered = recoverCheckpoint(after);
    const files = snapshot(after, names);
    if (recovered === null) {
      assert.ok(died, 'only a kill inside the first checkpoint leaves no manifest');
    } else if (recovered.step === 1) {
      sawOld++;
      assert.deepEqual(files, Object.fromEntries(old.map(([n]) => [n, `${n} at step 1`])));
    } else {
      sawNew++;
      assert.equal(recovered.step, 2);
      assert.deepEqual(files, { ...Object.fromEntries(next.map(([n]) => [n, `${n} at step 2, longer`])), 'model.best.safetensors': 'model.best.safetensors at step 1' });
    }
    // Nothing staged is left behind.
    assert.deepEqual(after.list().filter((n) => n.startsWith('.')), [], `die at ${dieAt}`);
    if (!died) break;
  }
  // 4 staged writes + manifest + 4 renames for step 1, then 3 + 1 + 3 for step 2: both outcomes occur.
  assert.ok(sawOld >= 4 && sawNew >= 4, `old ${sawOld}, new ${sawNew}`);
});

test('recoverCheckpoint refuses a file that matches neither checkpoint.json nor a staged copy', () => {
  const store = new MemoryRunStore('RUN/');
  commitCheckpoint(store, 7, [['model.safetensors', enc('weights')], ['train-state.json', enc('{}')]], null);
  store.writeAtomic('model.safetensors', 'weightz');
  assert.throws(() => recoverCheckpoint(store), /^UserError: RUN\/model\.safetensors: does not match checkpoint\.json \(step 7: 7 bytes, murmur3 [0-9a-f]{8}\)/);
  store.writeAtomic('model.safetensors', 'weights');
  assert.equal(recoverCheckpoint(store)!.step, 7);
});

const pairs = copyPairs(160, 31);
const train = pairs.slice(20);
const valid = pairs.slice(0, 20);
const codecs = buildCodecs(train, { tokenizer: 'space' });
// a constant lr: resumed runs here grow their budget (5 → 10 steps), which a budget schedule (the default) would follow
const OPTS = { batchTokens: 120, lr: 0.01, schedule: 'constant', validEvery: 3, logEvery: 1, seed: 4, validDecode: 5 } as const;
const quiet = { progress: false, say: (): void => {} };

test('a run folder without checkpoint.json (written by the previous release) loads, translates and resumes as before', async () => {
  const a = tempDir('s2s-legacy-a-');
  const b = tempDir('s2s-legacy-b-');
  try {
    await trainRun({ out: a.dir, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, maxSteps: 10 }, ...quiet });
    await trainRun({ out: b.dir, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, maxSteps: 5 }, ...quiet });
    // The previous release wrote the same files without the manifest.
    rmSync(join(b.dir, MANIFEST_FILE));
    const inputs = ['a b', 'c d e f', 'h'];
    const before = (await loadRun(b.dir)).translate(inputs, { beam: 2 }).map((t) => t.hypotheses[0]!.text);
    const mem = new MemoryRunStore();
    for (const n of readdirSync(b.dir)) mem.writeAtomic(n, readFileSync(join(b.dir, n)));
    assert.deepEqual((await loadRun(mem)).translate(inputs, { beam: 2 }).map((t) => t.hypotheses[0]!.text), before);
    const r = await trainRun({ out: b.dir, train, valid, resume: true, options: { maxSteps: 10 }, ...quiet });
    assert.equal(r.step, 10);
    for (const f of [RUN_FILES.model, RUN_FILES.best, RUN_FILES.stateTensors]) {
      assert.deepEqual(readFileSync(join(b.dir, f)), readFileSync(join(a.dir, f)), `${f}: legacy resume = uninterrupted run`);
    }
    assert.equal(readManifest(mem) , null);
    // The resumed run now has a manifest.
    const m = JSON.parse(readFileSync(join(b.dir, MANIFEST_FILE), 'utf8'));
    assert.equal(m.step, 10);

    // A legacy folder whose weights were saved at another step than the state: one line, not a silent mismatch.
    rmSync(join(b.dir, MANIFEST_FILE));
    const state = JSON.parse(readFileSync(join(b.dir, RUN_FILES.state), 'utf8'));
    writeFileSync(join(b.dir, RUN_FILES.state), JSON.stringify({ ...state, step: 9 }));
    await assert.rejects(
      trainRun({ out: b.dir, train, valid, resume: true, options: { maxSteps: 12 }, ...quiet }),
      /model\.safetensors: saved at step 10, but train-state\.json is at step 9 \(a save was interrupted\); the run cannot resume exactly/,
    );
  } finally {
    a.cleanup();
    b.cleanup();
  }
});
