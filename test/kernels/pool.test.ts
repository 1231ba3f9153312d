// The thread pool's share claiming (src/kernels/wasm/pool.ts): every share of a job is taken once,
// a thread holding an old generation takes nothing of the next job, and the caller finishes a job
// alone when no worker is there to help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPool, claimShare, CTRL_BYTES, ARGS_BYTE, SEQ, NTH, CLAIM } from '../../src/kernels/wasm/pool.js';
import { getPlatform } from '../../src/platform/index.js';
import { WA, INITIAL_PAGES, MAX_PAGES } from '../../src/kernels/wasm/wasm-api.js';

function block(seq: number, shares: number): Int32Array {
  const c = new Int32Array(new SharedArrayBuffer(CTRL_BYTES), 0, ARGS_BYTE / 4);
  c[SEQ] = seq; c[NTH] = shares; c[CLAIM] = seq << 8;
  return c;
}

test('claimShare hands out 0..shares−1 once each, then −1', () => {
  const c = block(7, 3);
  assert.deepEqual([claimShare(c, 7), claimShare(c, 7), claimShare(c, 7), claimShare(c, 7)], [0, 1, 2, -1]);
});

test('a thread that saw an older generation claims nothing of the new job', () => {
  const c = block(8, 4);
  assert.equal(claimShare(c, 7), -1);
  assert.equal(claimShare(c, 8), 0);
});

test('a stale claim cannot take a share of the next job while it is being posted', () => {
  // the previous job (generation 7, 2 shares) is all claimed; run() then closes the word for
  // generation 8 before it raises the share count to 4
  const c = block(7, 2);
  claimShare(c, 7); claimShare(c, 7);
  c[CLAIM] = (8 << 8) | 0xff;
  c[NTH] = 4;
  assert.equal(claimShare(c, 7), -1, 'old generation');
  assert.equal(claimShare(c, 8), -1, 'not open yet');
  c[CLAIM] = 8 << 8;
  assert.equal(claimShare(c, 8), 0);
});

test('with no worker to help, the caller runs every share itself, in order', async () => {
  const pf = await getPlatform();
  const module = await WA.compile(await pf.loadWasmBytes());
  const memory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  const pool = await ThreadPool.start(pf, 0, module, memory, () => 0);
  const ran: number[] = [];
  pool.run(1, 5, (s) => ran.push(s));
  pool.run(1, 2, (s) => ran.push(10 + s));
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 10, 11]);
  assert.throws(() => pool.run(1, 0, () => {}), /shares/);
  await pool.dispose();
});
