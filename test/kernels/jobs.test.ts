// The pooled-job table (src/kernels/wasm/jobs.ts) against the compiled module: every job names a
// real export whose parameter count is its arguments plus [scratch,] tid and nth, ids are unique,
// and the argument block is written in the table's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPlatform } from '../../src/platform/index.js';
import { WA, INITIAL_PAGES, MAX_PAGES, instantiate } from '../../src/kernels/wasm/wasm-api.js';
import { JOBS, JOB_BY_ID, writeJobArgs, type Job } from '../../src/kernels/wasm/jobs.js';
import { MAX_ARGS } from '../../src/kernels/wasm/pool.js';

test('every pooled job matches its wasm export: name, arity (args + [scratch,] tid, nth)', async () => {
  const pf = await getPlatform();
  const module = await WA.compile(await pf.loadWasmBytes());
  const E = instantiate(module, new WA.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true })) as unknown as Record<string, unknown>;
  const jobs = Object.values(JOBS) as Job[];
  assert.ok(jobs.length >= 12);
  for (const j of jobs) {
    const fn = E[j.fn];
    assert.equal(typeof fn, 'function', `job ${j.id}: no export ${j.fn}`);
    assert.equal((fn as (...a: number[]) => unknown).length, j.args.length + (j.scratch ? 3 : 2), `job ${j.fn}: arity`);
    assert.ok(j.args.length <= MAX_ARGS);
    assert.equal(new Set(j.args).size, j.args.length, `job ${j.fn}: an argument named twice`);
    assert.equal(JOB_BY_ID[j.id], j, `job ${j.fn}: id ${j.id} does not find it`);
  }
  assert.equal(new Set(jobs.map((j) => j.id)).size, jobs.length, 'job ids are unique');
});

test('writeJobArgs lays the named arguments out in the table order', () => {
  const block = new Float64Array(MAX_ARGS);
  writeJobArgs(JOBS.binary, { out: 5, b: 4, a: 3, n: 2, op: 1 }, block);
  assert.deepEqual(Array.from(block.subarray(0, 5)), [1, 2, 3, 4, 5]);
});
