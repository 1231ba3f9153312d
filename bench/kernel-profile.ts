import { performance } from 'node:perf_hooks';
import type { Backend } from '../src/kernels/index.js';

/**
 * A profile by kernel: wraps every method of a backend so that the wall time of each call the
 * tensor layer makes is added to the method's name. Only outermost calls count: a kernel that
 * calls other methods of the backend through `this` (a fused op calling gemm, a wasm kernel
 * handing its job to the thread pool) is charged for all of its time, and the helpers it calls
 * are not listed. So the rows add up to the time spent in the backend, and the rest of a step
 * (autograd, tensor bookkeeping, JavaScript between kernels) is what is left. The wasm pool's
 * workers run inside the calling kernel, so a kernel's time covers all threads' work on it.
 */
export interface KernelProfile {
  /** The backend to install (setBackend) while profiling: the same kernels, timed. */
  readonly backend: Backend;
  /** Starts counting from zero (call after warm-up). */
  reset(): void;
  /** Kernels by total time, largest first: ms in total and calls. */
  rows(): { kernel: string; ms: number; calls: number }[];
}

export function profileBackend(inner: Backend): KernelProfile {
  const totals = new Map<string, { ms: number; calls: number }>();
  let depth = 0;
  const wrapped = new Map<string, unknown>();
  const proxy = new Proxy(inner, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function' || typeof key !== 'string' || key === 'constructor') return v;
      let w = wrapped.get(key);
      if (!w) {
        const fn = v as (...a: unknown[]) => unknown;
        w = function timed(this: unknown, ...args: unknown[]): unknown {
          if (depth > 0) return fn.apply(this, args);
          depth++;
          const t0 = performance.now();
          try {
            return fn.apply(this, args);
          } finally {
            depth--;
            const e = totals.get(key) ?? { ms: 0, calls: 0 };
            e.ms += performance.now() - t0;
            e.calls++;
            totals.set(key, e);
          }
        };
        wrapped.set(key, w);
      }
      return w;
    },
  });
  return {
    backend: proxy,
    reset: () => totals.clear(),
    rows: () => [...totals.entries()].map(([kernel, e]) => ({ kernel, ms: e.ms, calls: e.calls })).sort((a, b) => b.ms - a.ms),
  };
}
