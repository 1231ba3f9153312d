import type { F32 } from '../backend.js';

/** out[o, i] (+)= Σ_r x[o, r, i]; x viewed as [outer, reduce, inner]. */
export function reduceSum(outer: number, reduce: number, inner: number, x: F32, out: F32, accumulate: boolean): void {
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    if (!accumulate) for (let i = 0; i < inner; i++) out[ob + i] = 0;
    if (inner === 1) {
      let s = 0;
      const xb = o * reduce;
      for (let r = 0; r < reduce; r++) s += x[xb + r]!;
      out[ob] = out[ob]! + s;
      continue;
    }
    for (let r = 0; r < reduce; r++) {
      const xb = (o * reduce + r) * inner;
      for (let i = 0; i < inner; i++) out[ob + i] = out[ob + i]! + x[xb + i]!;
    }
  }
}

/** out[o, r, i] (+)= g[o, i]. */
export function broadcastInner(outer: number, reduce: number, inner: number, g: F32, out: F32, accumulate: boolean): void {
  for (let o = 0; o < outer; o++) {
    const gb = o * inner;
    for (let r = 0; r < reduce; r++) {
      const xb = (o * reduce + r) * inner;
      if (accumulate) for (let i = 0; i < inner; i++) out[xb + i] = out[xb + i]! + g[gb + i]!;
      else for (let i = 0; i < inner; i++) out[xb + i] = g[gb + i]!;
    }
  }
}

export function sumSquares(n: number, x: F32): number {
  let s = 0;
  for (let i = 0; i < n; i++) { const v = x[i]!; s += v * v; }
  return s;
}
