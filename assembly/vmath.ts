// Vectorised exp / sigmoid / tanh for f32x4 (Cephes single-precision algorithms: ~1–2 ulp). The
// polynomials go through madd: one FMA per Horner step in the relaxed-SIMD build.
import { madd } from './simd';

/**
 * Cephes' e^r on the reduced argument: with n = t − magic = round(v / ln2), r = v − n·ln2 (in two
 * parts for precision), e^r by its degree-6 polynomial. The caller scales by 2^n.
 */
// @ts-ignore: decorator
@inline function expReduced(v: v128, t: v128, magic: v128): v128 {
  const fx = f32x4.sub(t, magic);
  v = f32x4.sub(v, f32x4.mul(fx, f32x4.splat(0.693359375)));
  v = f32x4.sub(v, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(v, v);
  let y = f32x4.splat(1.9875691500e-4);
  y = madd(y, v, f32x4.splat(1.3981999507e-3));
  y = madd(y, v, f32x4.splat(8.3334519073e-3));
  y = madd(y, v, f32x4.splat(4.1665795894e-2));
  y = madd(y, v, f32x4.splat(1.6666665459e-1));
  y = madd(y, v, f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), v), f32x4.splat(1));
  return y;
}

// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // pmax/pmin are one instruction each on x64 (f32x4.max/min are ~8 for their NaN rules), and keep
  // a NaN x (their first operand) as it is, so NaN in → NaN out with no extra select.
  // The top clamp 88.8 is past ln(FLT_MAX): exp overflows to +Inf by itself there.
  let v = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3365447505531)), f32x4.splat(88.8));
  // n = round(x / ln2) by the 1.5·2²³ trick (the sum's low mantissa bits are n); r = x − n·ln2
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(v, f32x4.splat(1.44269504088896341)), magic);
  let y = expReduced(v, t, magic);
  // 2^n; n ∈ [−126, 128]: split in two factors so n = 128 and n = −126 stay exact
  const n = i32x4.sub(t, magic);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const p1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const p2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  y = f32x4.mul(f32x4.mul(y, p1), p2);
  // below ln(FLT_MIN): 0 (as before)
  return v128.andnot(y, f32x4.lt(x, f32x4.splat(-87.3365447505531)));
}

/**
 * exp for the arguments sigmoid and tanh need (clamped to [−87.34, 40]; σ and tanh are flat far
 * out): 2^n is one exponent field (n ∈ [−126, 58]) and there is no over/underflow to handle,
 * ~7 instructions fewer than vexp. NaN stays NaN (pmax/pmin keep their first operand's NaN).
 */
// @ts-ignore: decorator
@inline export function vexpLim(x: v128): v128 {
  let v = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3365447505531)), f32x4.splat(40));
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(v, f32x4.splat(1.44269504088896341)), magic);
  let y = expReduced(v, t, magic);
  // (t − magic) as integers is n; (n + 127) << 23 is 2^n
  const p = i32x4.shl(i32x4.add(i32x4.sub(t, magic), i32x4.splat(127)), 23);
  return f32x4.mul(y, p);
}

/** σ(x) = 1 / (1 + e^−x); exp of −|x| keeps it finite, mirrored for x < 0. */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const e = vexpLim(f32x4.neg(f32x4.abs(x))); // ∈ (0, 1]
  const one = f32x4.splat(1);
  const d = f32x4.add(one, e);
  // x ≥ 0: 1/d; x < 0: e/d — one division of the selected numerator (same values as two)
  return f32x4.div(v128.bitselect(e, one, f32x4.lt(x, f32x4.splat(0))), d);
}

/** tanh: odd polynomial for |x| < 0.625, else 1 − 2 / (e^{2|x|} + 1), sign restored. */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = vexpLim(f32x4.add(ax, ax));
  const one = f32x4.splat(1);
  let large = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(e, one)));
  // copy the sign of x
  const sign = v128.and(x, i32x4.splat(0x80000000));
  large = v128.or(large, sign);
  return v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(0.625)));
}

// @ts-ignore: decorator
@inline export function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexp(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function ssigmoid(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function stanh(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}
