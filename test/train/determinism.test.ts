import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCodecs } from '../../src/data/index.js';
import { createBackend, disposeBackend } from '../../src/kernels/index.js';
import { setBackend, backend } from '../../src/tensor/index.js';
import { trainRun } from '../../src/train/index.js';
import { copyPairs, tempDir, TINY_MODEL } from './helpers.js';

// Runs in its own process (node --test isolates files), so switching the backend here is safe.
test('wasm backend, 2 threads: same seed → same losses; resume equals uninterrupted', async (t) => {
  let ok = true;
  try {
    setBackend(await createBackend({ backend: 'wasm', threads: 2 }));
  } catch (e) {
    ok = false;
    t.skip(`wasm backend unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!ok) return;
  const pairs = copyPairs(200, 4);
  const codecs = buildCodecs(pairs, { tokenizer: 'space' });
  // a constant lr: the resumed run's budget grows from 7 to 10 steps, which a budget schedule (the default) would follow
  const opts = { batchTokens: 120, lr: 0.01, schedule: 'constant', validEvery: 5, seed: 9, validDecode: 10 } as const;
  const runOnce = async (maxSteps: number, out: string, resume = false): Promise<number[]> => {
    const losses: number[] = [];
    await trainRun({ out, codecs: resume ? undefined : codecs, train: pairs.slice(20), valid: pairs.slice(0, 20), resume, model: TINY_MODEL, options: { ...opts, maxSteps }, progress: false, say: () => {}, onStep: (s) => losses.push(s.loss) });
    return losses;
  };
  const dirs = [tempDir('s2s-det-a-'), tempDir('s2s-det-b-'), tempDir('s2s-det-c-')];
  try {
    const a = await runOnce(10, dirs[0]!.dir);
    const b = await runOnce(10, dirs[1]!.dir);
    assert.deepEqual(b, a);
    const c = [...(await runOnce(7, dirs[2]!.dir)), ...(await runOnce(10, dirs[2]!.dir, true))];
    assert.deepEqual(c, a);
  } finally {
    for (const d of dirs) d.cleanup();
    await disposeBackend(backend());
  }
});
