// Layer norm over rows × n, forward and backward (the js reference: src/kernels/js/norm.ts).
// Rows split over threads; each row is read from memory once per kernel (its second sweep hits L1).
// dGamma and dBeta are sums over rows: a thread adds its rows into its own partial block
// (dg + tid·n, db + tid·n), which the caller sums in thread order (with one thread: dGamma itself).
import { ld, st, ldv, stv, shareStart } from './simd';

// @ts-ignore: decorator
@inline function hsum64(s: v128): f64 {
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

// @ts-ignore: decorator
@inline function add64(s: v128, x: v128): v128 {
  return f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(x), f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3))));
}

export function layerNormPart(rows: i32, n: i32, x: usize, gamma: usize, beta: usize, eps: f64, out: usize, mean: usize, rstd: usize, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  for (let r = r0; r < r1; r++) {
    const xr = x + <usize>r * <usize>n * 4, orow = out + <usize>r * <usize>n * 4;
    let s = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) s = add64(s, ldv(xr, j));
    let sum = hsum64(s);
    for (; j < n; j++) sum += <f64>ld(xr, j);
    const mu = sum / n;
    const mf = <f32>mu, vmu = f32x4.splat(mf);
    // Σ (x − mu)²; the f32 mean's rounding is corrected by the −(Σ(x − mf))²/n term
    let s2 = f64x2.splat(0), s1 = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const d = f32x4.sub(ldv(xr, j), vmu);
      s1 = add64(s1, d);
      s2 = add64(s2, f32x4.mul(d, d));
    }
    let q = hsum64(s2), c = hsum64(s1);
    for (; j < n; j++) { const d = ld(xr, j) - mf; c += <f64>d; q += <f64>(d * d); }
    const rs = <f32>(1 / Math.sqrt((q - c * c / n) / n + eps));
    st(mean, r, mf);
    st(rstd, r, rs);
    const vrs = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      stv(orow, j, f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(ldv(xr, j), vmu), vrs), ldv(gamma, j)), ldv(beta, j)));
    }
    for (; j < n; j++) st(orow, j, (ld(xr, j) - mf) * rs * ld(gamma, j) + ld(beta, j));
  }
}

export function layerNormBackwardPart(rows: i32, n: i32, x: usize, gamma: usize, mean: usize, rstd: usize, dy: usize, dx: usize, dg: usize, db: usize, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  const dgt = dg + <usize>tid * <usize>n * 4, dbt = db + <usize>tid * <usize>n * 4;
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>n * 4;
    const xr = x + o, gr = dy + o, xo = dx + o;
    const mu = f32x4.splat(ld(mean, r)), rs = f32x4.splat(ld(rstd, r));
    // one sweep: Σ dxhat, Σ dxhat·xhat, and the parameter gradients
    let sd = f32x4.splat(0), sdx = sd;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const xh = f32x4.mul(f32x4.sub(ldv(xr, j), mu), rs);
      const g = ldv(gr, j);
      const dxh = f32x4.mul(g, ldv(gamma, j));
      sd = f32x4.add(sd, dxh);
      sdx = f32x4.add(sdx, f32x4.mul(dxh, xh));
      stv(dgt, j, f32x4.add(ldv(dgt, j), f32x4.mul(g, xh)));
      stv(dbt, j, f32x4.add(ldv(dbt, j), g));
    }
    let a = f32x4.extract_lane(sd, 0) + f32x4.extract_lane(sd, 1) + (f32x4.extract_lane(sd, 2) + f32x4.extract_lane(sd, 3));
    let bq = f32x4.extract_lane(sdx, 0) + f32x4.extract_lane(sdx, 1) + (f32x4.extract_lane(sdx, 2) + f32x4.extract_lane(sdx, 3));
    const mus = f32x4.extract_lane(mu, 0), rss = f32x4.extract_lane(rs, 0);
    for (; j < n; j++) {
      const xh = (ld(xr, j) - mus) * rss;
      const g = ld(gr, j);
      const dxh = g * ld(gamma, j);
      a += dxh;
      bq += dxh * xh;
      st(dgt, j, ld(dgt, j) + g * xh);
      st(dbt, j, ld(dbt, j) + g);
    }
    a /= <f32>n;
    bq /= <f32>n;
    const va = f32x4.splat(a), vb = f32x4.splat(bq);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const xh = f32x4.mul(f32x4.sub(ldv(xr, j), mu), rs);
      stv(xo, j, f32x4.mul(rs, f32x4.sub(f32x4.sub(f32x4.mul(ldv(gr, j), ldv(gamma, j)), va), f32x4.mul(xh, vb))));
    }
    for (; j < n; j++) {
      const xh = (ld(xr, j) - mus) * rss;
      st(xo, j, rss * (ld(gr, j) * ld(gamma, j) - a - xh * bq));
    }
  }
}
