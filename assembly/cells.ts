// Fused recurrent cells: LSTM and GRU, forward and backward (and thread shares).
// Semantics are those of src/kernels/backend.ts (the js reference: src/kernels/js/, same file
// names); pointers are byte offsets into the shared linear memory.
import { ld, st, ldi, ldv, stv, shareStart, madd } from './simd';
import { vexp, vsigmoid, vtanh, sexp, ssigmoid, stanh } from './vmath';
// ---- recurrent cells ----

/** LSTM cell, gates [i, f, g, o] (B × 4H) → h, c; gates overwritten by activations. */
export function lstmCell(B: i32, H: i32, gates: usize, cPrev: usize, h: usize, c: usize): void {
  const H4 = <usize>H * 16;
  const Hb = <usize>H * 4;
  for (let b = 0; b < B; b++) {
    const gi = gates + <usize>b * H4, gf = gi + Hb, gg = gf + Hb, go = gg + Hb;
    const cp = cPrev + <usize>b * Hb, hr = h + <usize>b * Hb, cr = c + <usize>b * Hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const i_ = vsigmoid(ldv(gi, j)), f_ = vsigmoid(ldv(gf, j)), g_ = vtanh(ldv(gg, j)), o_ = vsigmoid(ldv(go, j));
      stv(gi, j, i_); stv(gf, j, f_); stv(gg, j, g_); stv(go, j, o_);
      const cn = madd(f_, ldv(cp, j), f32x4.mul(i_, g_));
      stv(cr, j, cn);
      stv(hr, j, f32x4.mul(o_, vtanh(cn)));
    }
    for (; j < H; j++) {
      const i_ = ssigmoid(ld(gi, j)), f_ = ssigmoid(ld(gf, j)), g_ = stanh(ld(gg, j)), o_ = ssigmoid(ld(go, j));
      st(gi, j, i_); st(gf, j, f_); st(gg, j, g_); st(go, j, o_);
      const cn = f_ * ld(cp, j) + i_ * g_;
      st(cr, j, cn);
      st(hr, j, o_ * stanh(cn));
    }
  }
}

export function lstmCellBackward(B: i32, H: i32, acts: usize, cPrev: usize, c: usize, dh: usize, dc: usize, dGates: usize, dcPrev: usize, accumulate: bool): void {
  const H4 = <usize>H * 16;
  const Hb = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const ai = acts + <usize>b * H4, af = ai + Hb, ag = af + Hb, ao = ag + Hb;
    const di = dGates + <usize>b * H4, df = di + Hb, dg = df + Hb, dO = dg + Hb;
    const rb = <usize>b * Hb;
    const cp = cPrev + rb, cr = c + rb, dhr = dh + rb, dcr = dc + rb, dcp = dcPrev + rb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const i_ = ldv(ai, j), f_ = ldv(af, j), g_ = ldv(ag, j), o_ = ldv(ao, j);
      const tc = vtanh(ldv(cr, j));
      const gh = ldv(dhr, j);
      let dct = f32x4.mul(f32x4.mul(gh, o_), f32x4.sub(one, f32x4.mul(tc, tc)));
      if (dc != 0) dct = f32x4.add(dct, ldv(dcr, j));
      stv(di, j, f32x4.mul(f32x4.mul(dct, g_), f32x4.mul(i_, f32x4.sub(one, i_))));
      stv(df, j, f32x4.mul(f32x4.mul(dct, ldv(cp, j)), f32x4.mul(f_, f32x4.sub(one, f_))));
      stv(dg, j, f32x4.mul(f32x4.mul(dct, i_), f32x4.sub(one, f32x4.mul(g_, g_))));
      stv(dO, j, f32x4.mul(f32x4.mul(gh, tc), f32x4.mul(o_, f32x4.sub(one, o_))));
      const dcpv = f32x4.mul(dct, f_);
      stv(dcp, j, accumulate ? f32x4.add(ldv(dcp, j), dcpv) : dcpv);
    }
    for (; j < H; j++) {
      const i_ = ld(ai, j), f_ = ld(af, j), g_ = ld(ag, j), o_ = ld(ao, j);
      const tc = stanh(ld(cr, j));
      const gh = ld(dhr, j);
      let dct = gh * o_ * (1 - tc * tc);
      if (dc != 0) dct += ld(dcr, j);
      st(di, j, dct * g_ * (i_ * (1 - i_)));
      st(df, j, dct * ld(cp, j) * (f_ * (1 - f_)));
      st(dg, j, dct * i_ * (1 - g_ * g_));
      st(dO, j, gh * tc * (o_ * (1 - o_)));
      const dcpv = dct * f_;
      st(dcp, j, accumulate ? ld(dcp, j) + dcpv : dcpv);
    }
  }
}

/** GRU cell (PyTorch): acts = [r, z, n, hn] (B × 4H). */
export function gruCell(B: i32, H: i32, xg: usize, hg: usize, hPrev: usize, h: usize, acts: usize): void {
  const Hb = <usize>H * 4;
  for (let b = 0; b < B; b++) {
    const xr = xg + <usize>b * Hb * 3, xz = xr + Hb, xn = xz + Hb;
    const hr = hg + <usize>b * Hb * 3, hz = hr + Hb, hn = hz + Hb;
    const ar = acts + <usize>b * Hb * 4, az = ar + Hb, an = az + Hb, ahn = an + Hb;
    const hp = hPrev + <usize>b * Hb, ho = h + <usize>b * Hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const r = vsigmoid(f32x4.add(ldv(xr, j), ldv(hr, j)));
      const z = vsigmoid(f32x4.add(ldv(xz, j), ldv(hz, j)));
      const hnv = ldv(hn, j);
      const nn = vtanh(madd(r, hnv, ldv(xn, j)));
      stv(ar, j, r); stv(az, j, z); stv(an, j, nn); stv(ahn, j, hnv);
      stv(ho, j, madd(f32x4.sub(f32x4.splat(1), z), nn, f32x4.mul(z, ldv(hp, j))));
    }
    for (; j < H; j++) {
      const r = ssigmoid(ld(xr, j) + ld(hr, j));
      const z = ssigmoid(ld(xz, j) + ld(hz, j));
      const hnv = ld(hn, j);
      const nn = stanh(ld(xn, j) + r * hnv);
      st(ar, j, r); st(az, j, z); st(an, j, nn); st(ahn, j, hnv);
      st(ho, j, (1 - z) * nn + z * ld(hp, j));
    }
  }
}

export function gruCellBackward(B: i32, H: i32, acts: usize, hPrev: usize, dh: usize, dxg: usize, dhg: usize, dhPrev: usize, accumulate: bool): void {
  const Hb = <usize>H * 4;
  for (let b = 0; b < B; b++) {
    const ar = acts + <usize>b * Hb * 4, az = ar + Hb, an = az + Hb, ahn = an + Hb;
    const dxr = dxg + <usize>b * Hb * 3, dxz = dxr + Hb, dxn = dxz + Hb;
    const dhr = dhg + <usize>b * Hb * 3, dhz = dhr + Hb, dhn = dhz + Hb;
    const hp = hPrev + <usize>b * Hb, g = dh + <usize>b * Hb, dp = dhPrev + <usize>b * Hb;
    for (let j = 0; j < H; j++) {
      const r = ld(ar, j), z = ld(az, j), n = ld(an, j), hn = ld(ahn, j), gh = ld(g, j);
      const dn = gh * (1 - z) * (1 - n * n);
      const dz = gh * (ld(hp, j) - n) * (z * (1 - z));
      const dr = dn * hn * (r * (1 - r));
      st(dxr, j, dr); st(dxz, j, dz); st(dxn, j, dn);
      st(dhr, j, dr); st(dhz, j, dz); st(dhn, j, dn * r);
      const d = gh * z;
      st(dp, j, accumulate ? ld(dp, j) + d : d);
    }
  }
}


export function lstmCellPart(B: i32, H: i32, gates: usize, cPrev: usize, h: usize, c: usize, tid: i32, nth: i32): void {
  const b0 = shareStart(B, tid, nth), b1 = shareStart(B, tid + 1, nth);
  if (b1 <= b0) return;
  const o = <usize>b0 * <usize>H * 4;
  lstmCell(b1 - b0, H, gates + o * 4, cPrev + o, h + o, c + o);
}

export function lstmCellBackwardPart(B: i32, H: i32, acts: usize, cPrev: usize, c: usize, dh: usize, dc: usize, dGates: usize, dcPrev: usize, accumulate: bool, tid: i32, nth: i32): void {
  const b0 = shareStart(B, tid, nth), b1 = shareStart(B, tid + 1, nth);
  if (b1 <= b0) return;
  const o = <usize>b0 * <usize>H * 4;
  lstmCellBackward(b1 - b0, H, acts + o * 4, cPrev + o, c + o, dh + o, dc == 0 ? 0 : dc + o, dGates + o * 4, dcPrev + o, accumulate);
}

/** Rows of this thread's share; its partial loss total goes to f64 slot `partials[tid]`. */

export function gruCellPart(B: i32, H: i32, xg: usize, hg: usize, hPrev: usize, h: usize, acts: usize, tid: i32, nth: i32): void {
  const b0 = shareStart(B, tid, nth), b1 = shareStart(B, tid + 1, nth);
  if (b1 <= b0) return;
  const o = <usize>b0 * <usize>H * 4;
  gruCell(b1 - b0, H, xg + o * 3, hg + o * 3, hPrev + o, h + o, acts + o * 4);
}

export function gruCellBackwardPart(B: i32, H: i32, acts: usize, hPrev: usize, dh: usize, dxg: usize, dhg: usize, dhPrev: usize, accumulate: bool, tid: i32, nth: i32): void {
  const b0 = shareStart(B, tid, nth), b1 = shareStart(B, tid + 1, nth);
  if (b1 <= b0) return;
  const o = <usize>b0 * <usize>H * 4;
  gruCellBackward(b1 - b0, H, acts + o * 4, hPrev + o, dh + o, dxg + o * 3, dhg + o * 3, dhPrev + o, accumulate);
}
