// Fused bias + activation over rows × n (the js reference: src/kernels/js/bias-act.ts). Rows split
// over threads; the bias gradient goes to per-thread partial rows (db + tid·n), summed by the
// caller in thread order (one thread: dBias itself).
import { ActKind } from '../src/kernels/opcodes';
import { ld, st, ldv, stv, shareStart } from './simd';
import { vexp } from './vmath';

const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** t·exp(−a² + P(t)) with t = 1/(1 + a/2): erfc(a) for a ≥ 0 (Numerical Recipes' erfcc fit, ~1.2e-7). */
// @ts-ignore: decorator
@inline function erfcPos(a: v128): v128 {
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.5), a)));
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
  return f32x4.mul(t, vexp(f32x4.sub(p, f32x4.mul(a, a))));
}

/** Φ(z) = erfc(−z/√2)/2, the mirrored branch (2 − erfc) taken for z > 0. */
// @ts-ignore: decorator
@inline function vPhi(z: v128): v128 {
  const u = f32x4.mul(z, f32x4.splat(-SQRT1_2));
  const r = erfcPos(f32x4.abs(u));
  const e = v128.bitselect(f32x4.sub(f32x4.splat(2), r), r, f32x4.lt(u, f32x4.splat(0)));
  return f32x4.mul(f32x4.splat(0.5), e);
}

// @ts-ignore: decorator
@inline function vact(act: i32, z: v128): v128 {
  if (act == ActKind.Relu) return f32x4.pmax(z, f32x4.splat(0));
  if (act == ActKind.Gelu) return f32x4.mul(z, vPhi(z));
  return z;
}

/** act'(z)·g */
// @ts-ignore: decorator
@inline function vactGrad(act: i32, z: v128, g: v128): v128 {
  if (act == ActKind.Relu) return v128.and(g, f32x4.gt(z, f32x4.splat(0)));
  if (act == ActKind.Gelu) {
    const phi = f32x4.mul(f32x4.splat(INV_SQRT_2PI), vexp(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(z, z))));
    return f32x4.mul(g, f32x4.add(vPhi(z), f32x4.mul(z, phi)));
  }
  return g;
}

export function biasActPart(rows: i32, n: i32, x: usize, bias: usize, act: i32, out: usize, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>n * 4;
    const xr = x + o, orow = out + o;
    let j = 0;
    for (; j + 4 <= n; j += 4) stv(orow, j, vact(act, f32x4.add(ldv(xr, j), ldv(bias, j))));
    for (; j < n; j++) st(orow, j, f32x4.extract_lane(vact(act, f32x4.splat(ld(xr, j) + ld(bias, j))), 0));
  }
}

/** dx (+)= dy·act'(x + bias) when dx ≠ 0; db + tid·n += Σ of the same over the thread's rows when db ≠ 0. */
export function biasActBackwardPart(rows: i32, n: i32, x: usize, bias: usize, act: i32, dy: usize, dx: usize, acc: bool, db: usize, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  const dbt = db + <usize>tid * <usize>n * 4;
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>n * 4;
    const xr = x + o, gr = dy + o, xo = dx + o;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const g = vactGrad(act, f32x4.add(ldv(xr, j), ldv(bias, j)), ldv(gr, j));
      if (dx != 0) stv(xo, j, acc ? f32x4.add(ldv(xo, j), g) : g);
      if (db != 0) stv(dbt, j, f32x4.add(ldv(dbt, j), g));
    }
    for (; j < n; j++) {
      const g = f32x4.extract_lane(vactGrad(act, f32x4.splat(ld(xr, j) + ld(bias, j)), f32x4.splat(ld(gr, j))), 0);
      if (dx != 0) st(xo, j, acc ? ld(xo, j) + g : g);
      if (db != 0) st(dbt, j, ld(dbt, j) + g);
    }
  }
}
