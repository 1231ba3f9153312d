// The thread pool: workers that each instantiated the kernel module on the same shared memory,
// woken through a control block of Int32 slots (Atomics.notify / Atomics.wait) — no message per
// call. The calling thread does share 0 itself and then waits for the others.
import type { Platform, WorkerLike } from '../../platform/index.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';

// control block layout (Int32 slots), then ARGS Float64 slots at byte ARGS_BYTE
export const SEQ = 0; // generation: bumped once per job
export const JOB = 1; // job id (jobs.ts)
export const NTH = 2; // threads taking part (caller included)
export const DONE = 3; // workers finished with the current generation
export const QUIT = 4;
export const ARGS_BYTE = 64;
export const MAX_ARGS = 24;
export const CTRL_BYTES = ARGS_BYTE + MAX_ARGS * 8;

// the jobs themselves (ids, exports, arguments) are described in jobs.ts

/** Iterations a waiting thread polls before it sleeps in Atomics.wait (~tens of µs). */
export const SPIN = 200000;

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
   * Wakes `nth − 1` workers on job `job` (its arguments already in `args`), runs `self` on this
   * thread, and returns when all are done.
   */
  run(job: number, nth: number, self: () => void): void {
    const c = this.ctrl;
    const others = nth - 1;
    c[JOB] = job;
    c[NTH] = nth;
    Atomics.store(c, DONE, 0);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    self();
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
