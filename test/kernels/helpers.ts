// Shared by the kernel tests: seeded inputs in a backend's memory and an elementwise comparison.
import assert from 'node:assert/strict';
import type { Backend, F32 } from '../../src/kernels/backend.js';

/** Deterministic uniform values in [0, 1) (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** n seeded values in [lo, hi), allocated by `be` (so a wasm backend's kernels read them in place). */
export function randF(be: Backend, n: number, seed: number, lo = -1, hi = 1): F32 {
  const r = rng(seed);
  const a = be.allocF32(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

export function clone(a: F32): F32 {
  return Float32Array.from(a);
}

/** |actual − expected| ≤ atol + rtol·|expected| element by element; equal infinities and NaNs pass. */
export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Object.is(a, e) || a === e || (Number.isNaN(e) && Number.isNaN(a))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}: element ${i}: got ${a}, expected ${e}`);
  }
}
