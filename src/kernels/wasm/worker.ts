// A kernel worker: instantiates the kernel module on the shared memory, then loops — sleep on the
// control block's generation counter, claim and run shares of the job until none is left, count
// each one done (pool.ts).
import { workerContext } from '../../platform/index.js';
import { instantiate } from './wasm-api.js';
import { SEQ, JOB, NTH, DONE, QUIT, ARGS_BYTE, MAX_ARGS, SPIN, claimShare, type WorkerInit } from './pool.js';
import { JOB_BY_ID, callJob } from './jobs.js';

const ctx = await workerContext();
const init = ctx.data as WorkerInit;
const E = instantiate(init.module, init.memory);
const c = new Int32Array(init.ctrl, 0, ARGS_BYTE / 4);
const a = new Float64Array(init.ctrl, ARGS_BYTE, MAX_ARGS);
const scratch = init.scratch;
// read the generation before announcing readiness: the first job may be posted right after
let seen = Atomics.load(c, SEQ);
ctx.post('ready');
for (;;) {
  let s = Atomics.load(c, SEQ);
  for (let i = 0; s === seen && i < SPIN; i++) s = Atomics.load(c, SEQ);
  while (s === seen) {
    Atomics.wait(c, SEQ, seen);
    s = Atomics.load(c, SEQ);
  }
  seen = s;
  if (Atomics.load(c, QUIT) !== 0) break;
  // a claimed share pins the job: the caller posts the next one only after this share is counted
  for (let share = claimShare(c, s); share >= 0; share = claimShare(c, s)) {
    const job = JOB_BY_ID[c[JOB]!];
    if (job !== undefined) callJob(E, job, a, scratch, share, c[NTH]!);
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
