// The thread pool: workers that each instantiated the kernel module on the same shared memory,
// woken through a control block of Int32 slots (Atomics.notify / Atomics.wait) — no message per
// call. A job is cut into `shares` (each computed by the export from its share index and the share
// count, so the result depends only on the count); every thread, the caller included, claims
// shares one at a time until none is left. The caller therefore never waits for a worker that has
// not started yet (asleep, or without a core on a busy machine): it runs that share itself, and
// waits only for shares already being computed elsewhere.
import type { Platform, WorkerLike } from '../../platform/index.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';

// control block layout (Int32 slots), then ARGS Float64 slots at byte ARGS_BYTE
export const SEQ = 0; // generation: bumped once per job (kept below 2^23, see CLAIM)
export const JOB = 1; // job id (jobs.ts)
export const NTH = 2; // shares of the current job
export const DONE = 3; // shares finished by workers for the current generation
export const QUIT = 4;
export const CLAIM = 5; // generation << 8 | next unclaimed share
export const ARGS_BYTE = 64;
export const MAX_ARGS = 24;
export const CTRL_BYTES = ARGS_BYTE + MAX_ARGS * 8;
/** Most shares one job may have (the share counter is the low 8 bits of CLAIM). */
export const MAX_SHARES = 255;
const SEQ_MASK = 0x7fffff;

// the jobs themselves (ids, exports, arguments) are described in jobs.ts

/**
 * Iterations a waiting thread polls before it sleeps in Atomics.wait (~1–2 ms for a worker between
 * jobs; the kernels of a training step come tens to hundreds of µs apart).
 */
export const SPIN = 200000;

/**
 * Claims the next share of generation `seq` (−1 when the job has no share left or a newer job was
 * posted). A compare-exchange on one word holding the generation and the counter, so a thread
 * that saw an old generation can never take a share of the next job.
 */
export function claimShare(c: Int32Array, seq: number): number {
  for (;;) {
    const w = Atomics.load(c, CLAIM);
    if (w >>> 8 !== seq) return -1;
    const n = w & 0xff;
    if (n >= Atomics.load(c, NTH)) return -1;
    if (Atomics.compareExchange(c, CLAIM, w, w + 1) === w) return n;
  }
}

export interface WorkerInit {
  module: WasmModule;
  memory: WasmMemory;
  ctrl: SharedArrayBuffer;
  tid: number;
  scratch: number;
}

export class ThreadPool {
  readonly ctrl: Int32Array;
  readonly args: Float64Array;
  private disposed = false;

  private constructor(private readonly workers: WorkerLike[], sab: SharedArrayBuffer) {
    this.ctrl = new Int32Array(sab, 0, ARGS_BYTE / 4);
    this.args = new Float64Array(sab, ARGS_BYTE, MAX_ARGS);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Starts `count` workers (thread ids 1..count) and waits until each has instantiated. */
  static async start(platform: Platform, count: number, module: WasmModule, memory: WasmMemory, scratch: (tid: number) => number): Promise<ThreadPool> {
    const sab = new SharedArrayBuffer(CTRL_BYTES);
    const url = new URL('./worker.js', import.meta.url);
    const workers: WorkerLike[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const tid = i + 1;
      const init: WorkerInit = { module, memory, ctrl: sab, tid, scratch: scratch(tid) };
      const w = platform.createWorker(url, init);
      workers.push(w);
      ready.push(new Promise<void>((resolve, reject) => {
        w.onMessage((m) => { if (m === 'ready') resolve(); });
        w.onError(reject);
      }));
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    for (const w of workers) w.unref();
    return new ThreadPool(workers, sab);
  }

  /**
   * Posts job `job` (its arguments already in `args`) in `shares` shares, wakes the workers, runs
   * shares on this thread (`self(share)`) while any is unclaimed, and returns when all are done.
   */
  run(job: number, shares: number, self: (share: number) => void): void {
    const c = this.ctrl;
    if (!(shares >= 1 && shares <= MAX_SHARES)) throw new Error(`thread pool: ${shares} shares (1..${MAX_SHARES})`);
    const seq = (c[SEQ]! + 1) & SEQ_MASK;
    // close the claim word first: a worker still holding the previous generation then fails its
    // compare-exchange instead of taking a share of this job once NTH changes under it
    Atomics.store(c, CLAIM, (seq << 8) | 0xff);
    c[JOB] = job;
    Atomics.store(c, NTH, shares);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, CLAIM, seq << 8);
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    let mine = 0;
    for (let s = claimShare(c, seq); s >= 0; s = claimShare(c, seq)) {
      self(s);
      mine++;
    }
    const others = shares - mine;
    let spins = 0;
    for (;;) {
      const d = Atomics.load(c, DONE);
      if (d >= others) break;
      if (++spins < SPIN) continue;
      Atomics.wait(c, DONE, d);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
