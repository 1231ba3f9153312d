// Reductions: reduceSum, sumSquares.
// Semantics are those of src/kernels/backend.ts (the js reference: src/kernels/js/, same file
// names); pointers are byte offsets into the shared linear memory.
import { ld, st, ldi, ldv, stv, shareStart } from './simd';
export function reduceSum(outer: i32, reduce: i32, inner: i32, x: usize, out: usize, accumulate: bool): void {
  for (let o = 0; o < outer; o++) {
    const ob = out + <usize>o * <usize>inner * 4;
    const xb = x + <usize>o * <usize>reduce * <usize>inner * 4;
    if (inner == 1) {
      let s: f64 = 0;
      for (let r = 0; r < reduce; r++) s += <f64>ld(xb, r);
      st(ob, 0, accumulate ? <f32>(<f64>ld(ob, 0) + s) : <f32>s);
      continue;
    }
    if (!accumulate) memory.fill(ob, 0, <usize>inner * 4);
    for (let r = 0; r < reduce; r++) axpyOne(inner, xb + <usize>r * <usize>inner * 4, ob);
  }
}

// @ts-ignore: decorator
@inline export function axpyOne(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) stv(y, i, f32x4.add(ldv(y, i), ldv(x, i)));
  for (; i < n; i++) st(y, i, ld(y, i) + ld(x, i));
}

/** Σ x[i]², accumulated in f64. */
export function sumSquares(n: i32, x: usize): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = ldv(x, i);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
    s0 = f64x2.add(s0, f64x2.mul(lo, lo));
    s1 = f64x2.add(s1, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(s0, s1);
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) { const v = <f64>ld(x, i); r += v * v; }
  return r;
}
