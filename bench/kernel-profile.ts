import { performance } from 'node:perf_hooks';
import type { Backend } from '../src/kernels/index.js';

/**
 * A profile by kernel: wraps every method of a backend so that each call's wall time is added to
 * its name. Times are self times (a kernel that calls another kernel of the backend through
 * `this` is charged only for its own part), so the rows add up to the time spent in kernels; the
 * rest of a step (autograd, tensor bookkeeping, JavaScript between kernels) is what is left.
 * The wasm pool's workers run inside the calling kernel, so its time covers all threads' work.
 */
export interface KernelProfile {
  /** The backend to install (setBackend) while profiling: the same kernels, timed. */
  readonly backend: Backend;
  /** Starts counting from zero (call after warm-up). */
  reset(): void;
  /** Kernels by total self time, largest first: ms in total and calls. */
  rows(): { kernel: string; ms: number; calls: number }[];
}

export function profileBackend(inner: Backend): KernelProfile {
  const totals = new Map<string, { ms: number; calls: number }>();
  // child time of each open call, innermost last: a call's self time = its time - its children's
  const childMs: number[] = [];
  const wrapped = new Map<string | symbol, unknown>();
  const proxy = new Proxy(inner, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function' || typeof key !== 'string') return v;
      let w = wrapped.get(key);
      if (!w) {
        const fn = v as (...a: unknown[]) => unknown;
        w = function timed(this: unknown, ...args: unknown[]): unknown {
          childMs.push(0);
          const t0 = performance.now();
          try {
            return fn.apply(this, args);
          } finally {
            const dt = performance.now() - t0;
            const self = dt - childMs.pop()!;
            if (childMs.length > 0) childMs[childMs.length - 1]! += dt;
            const e = totals.get(key) ?? { ms: 0, calls: 0 };
            e.ms += self;
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
