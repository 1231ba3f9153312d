// Fused multi-head attention, forward and backward (the js reference: src/kernels/js/attention.ts,
// same semantics). Work splits over (batch, head) units: a unit owns its head's columns of its
// batch row's out / dq / dk / dv, so threads never write the same element. Per query row the
// scores, softmax and weighted sum run over the unit's S×dh key and value block (in L1); the
// padding and causal masks limit the keys a row visits and the dropout mask is a hash of
// (key, element index), so no mask is ever read from memory.
import { ld, st, ldi, ldv, stv, shareStart } from './simd';
import { vexp } from './vmath';
import { gemmScratchBytes } from './gemm';

/** murmur3's 32-bit finaliser (as fmix32 in the js reference). */
// @ts-ignore: decorator
@inline function fmix32(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** The dropout multiplier of element idx: 0 when its 24 hashed bits fall under thr, else keep. */
// @ts-ignore: decorator
@inline function dropMul(key: u32, idx: u32, thr: u32, keep: f32): f32 {
  return (fmix32((idx * 0x9e3779b9) ^ key) >> 8) < thr ? 0 : keep;
}

/** [Σa0, Σa1, Σa2, Σa3]: the lane sums of four accumulators in one vector. */
// @ts-ignore: decorator
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

/** The tail (columns d0 … dh − 1) of the dot products of row a with rows b, b + rs, b + 2rs, b + 3rs. */
function tailDot4(d0: i32, dh: i32, a: usize, b: usize, rs: usize): v128 {
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  const b1 = b + rs, b2 = b1 + rs, b3 = b2 + rs;
  for (let d = d0; d < dh; d++) {
    const x = ld(a, d);
    t0 += x * ld(b, d); t1 += x * ld(b1, d); t2 += x * ld(b2, d); t3 += x * ld(b3, d);
  }
  let t = f32x4.splat(t0);
  t = f32x4.replace_lane(t, 1, t1);
  t = f32x4.replace_lane(t, 2, t2);
  return f32x4.replace_lane(t, 3, t3);
}

function dot1(dh: i32, a: usize, b: usize): f32 {
  let acc = f32x4.splat(0);
  let d = 0;
  for (; d + 4 <= dh; d += 4) acc = f32x4.add(acc, f32x4.mul(ldv(a, d), ldv(b, d)));
  let r = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; d < dh; d++) r += ld(a, d) * ld(b, d);
  return r;
}

/**
 * sc0[j] = a0 · row(b + j·rs) · scale and sc1[j] = a1 · row(b + j·rs) · scale for j < n: two query
 * rows against four key rows at a time (8 accumulators), so each key load serves two products.
 */
function scoreRows2(n: i32, dh: i32, a0: usize, a1: usize, b: usize, rs: usize, scale: f32, sc0: usize, sc1: usize): void {
  const vs = f32x4.splat(scale);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * rs, b1 = b0 + rs, b2 = b1 + rs, b3 = b2 + rs;
    let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    let d = 0;
    for (; d + 4 <= dh; d += 4) {
      const x0 = ldv(a0, d), x1 = ldv(a1, d);
      let y = ldv(b0, d);
      c00 = f32x4.add(c00, f32x4.mul(x0, y)); c10 = f32x4.add(c10, f32x4.mul(x1, y));
      y = ldv(b1, d);
      c01 = f32x4.add(c01, f32x4.mul(x0, y)); c11 = f32x4.add(c11, f32x4.mul(x1, y));
      y = ldv(b2, d);
      c02 = f32x4.add(c02, f32x4.mul(x0, y)); c12 = f32x4.add(c12, f32x4.mul(x1, y));
      y = ldv(b3, d);
      c03 = f32x4.add(c03, f32x4.mul(x0, y)); c13 = f32x4.add(c13, f32x4.mul(x1, y));
    }
    let r0 = hsum4(c00, c01, c02, c03), r1 = hsum4(c10, c11, c12, c13);
    if (d < dh) {
      r0 = f32x4.add(r0, tailDot4(d, dh, a0, b0, rs));
      r1 = f32x4.add(r1, tailDot4(d, dh, a1, b0, rs));
    }
    stv(sc0, j, f32x4.mul(r0, vs));
    stv(sc1, j, f32x4.mul(r1, vs));
  }
  for (; j < n; j++) {
    const r = b + <usize>j * rs;
    st(sc0, j, dot1(dh, a0, r) * scale);
    st(sc1, j, dot1(dh, a1, r) * scale);
  }
}

/**
 * out0[0..dh) = Σ_{j<n} w0[j] · row(b + j·rs) and out1 likewise with w1: each value row loaded
 * once for both outputs, 16 columns (8 accumulators) at a time. Zero weights are multiplied, not
 * tested for: a data-dependent branch here mispredicted on dropout masks and cost more than it saved.
 */
function weightedRows2(n: i32, dh: i32, w0: usize, w1: usize, b: usize, rs: usize, out0: usize, out1: usize): void {
  let d = 0;
  for (; d + 16 <= dh; d += 16) {
    let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    for (let j = 0; j < n; j++) {
      const r = b + <usize>j * rs;
      const x0 = v128.load32_splat(w0 + (<usize>j << 2)), x1 = v128.load32_splat(w1 + (<usize>j << 2));
      let y = ldv(r, d);
      a00 = f32x4.add(a00, f32x4.mul(x0, y)); a10 = f32x4.add(a10, f32x4.mul(x1, y));
      y = ldv(r, d + 4);
      a01 = f32x4.add(a01, f32x4.mul(x0, y)); a11 = f32x4.add(a11, f32x4.mul(x1, y));
      y = ldv(r, d + 8);
      a02 = f32x4.add(a02, f32x4.mul(x0, y)); a12 = f32x4.add(a12, f32x4.mul(x1, y));
      y = ldv(r, d + 12);
      a03 = f32x4.add(a03, f32x4.mul(x0, y)); a13 = f32x4.add(a13, f32x4.mul(x1, y));
    }
    stv(out0, d, a00); stv(out0, d + 4, a01); stv(out0, d + 8, a02); stv(out0, d + 12, a03);
    stv(out1, d, a10); stv(out1, d + 4, a11); stv(out1, d + 8, a12); stv(out1, d + 12, a13);
  }
  for (; d + 8 <= dh; d += 8) {
    let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00;
    for (let j = 0; j < n; j++) {
      const x0 = v128.load32_splat(w0 + (<usize>j << 2)), x1 = v128.load32_splat(w1 + (<usize>j << 2));
      const r = b + <usize>j * rs;
      let y = ldv(r, d);
      a00 = f32x4.add(a00, f32x4.mul(x0, y)); a10 = f32x4.add(a10, f32x4.mul(x1, y));
      y = ldv(r, d + 4);
      a01 = f32x4.add(a01, f32x4.mul(x0, y)); a11 = f32x4.add(a11, f32x4.mul(x1, y));
    }
    stv(out0, d, a00); stv(out0, d + 4, a01);
    stv(out1, d, a10); stv(out1, d + 4, a11);
  }
  for (; d + 4 <= dh; d += 4) {
    let a0 = f32x4.splat(0), a1 = a0;
    for (let j = 0; j < n; j++) {
      const y = ldv(b + <usize>j * rs, d);
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(ld(w0, j)), y));
      a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(ld(w1, j)), y));
    }
    stv(out0, d, a0); stv(out1, d, a1);
  }
  for (; d < dh; d++) {
    let a0: f32 = 0, a1: f32 = 0;
    for (let j = 0; j < n; j++) {
      const y = ld(b + <usize>j * rs, d);
      a0 += ld(w0, j) * y;
      a1 += ld(w1, j) * y;
    }
    st(out0, d, a0); st(out1, d, a1);
  }
}

/** y[0..dh) += alpha0 · x0[0..dh) + alpha1 · x1[0..dh) */
// @ts-ignore: decorator
@inline function axpy2Row(dh: i32, alpha0: f32, x0: usize, alpha1: f32, x1: usize, y: usize): void {
  const v0 = f32x4.splat(alpha0), v1 = f32x4.splat(alpha1);
  let d = 0;
  for (; d + 4 <= dh; d += 4) stv(y, d, f32x4.add(ldv(y, d), f32x4.add(f32x4.mul(v0, ldv(x0, d)), f32x4.mul(v1, ldv(x1, d)))));
  for (; d < dh; d++) st(y, d, ld(y, d) + (alpha0 * ld(x0, d) + alpha1 * ld(x1, d)));
}

/** Keys j < keyLimit are visible to query i (before padding). */
// @ts-ignore: decorator
@inline function keyLimit(i: i32, T: i32, S: i32, causal: bool): i32 {
  if (!causal) return S;
  const l = i + S - T + 1;
  return l < 0 ? 0 : l > S ? S : l;
}

/** Scratch floats per thread: four rows of S (scores / weights of two queries, backward two more) and one of dh. */
export function mhaScratchFloats(S: i32, dh: i32): i32 {
  return 4 * (S + 4) + dh + 4;
}

/**
 * Scores sc[0..lim) of one query row → its weights: padded keys masked, softmax (f64 sum), probs
 * row written if probs ≠ 0 (0 past lim), dropout applied; sc[lim..n) = 0 so a row pair can share
 * the longer limit n. A row with no visible key gets zero weights.
 */
function finishRow(lim: i32, n: i32, S: i32, sc: usize, padRow: usize, pr: usize, row: i32, thr: u32, key: u32, keep: f32): void {
  if (padRow != 0) for (let j = 0; j < lim; j++) if (ldi(padRow, j) != 0) st(sc, j, -Infinity);
  let m: f32 = -Infinity;
  for (let j = 0; j < lim; j++) m = max(m, ld(sc, j));
  if (m == -Infinity) {
    for (let j = 0; j < n; j++) st(sc, j, 0);
    if (pr != 0) for (let j = 0; j < S; j++) st(pr, j, 0);
    return;
  }
  // exp(s − m) (vexp gives 0 for the −∞ of padded keys), summed in f64
  const vm = f32x4.splat(m);
  let s = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= lim; j += 4) {
    const e = vexp(f32x4.sub(ldv(sc, j), vm));
    stv(sc, j, e);
    s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3))));
  }
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; j < lim; j++) {
    const e = f32x4.extract_lane(vexp(f32x4.splat(ld(sc, j) - m)), 0);
    st(sc, j, e);
    sum += <f64>e;
  }
  const invs = <f32>(1 / sum);
  const inv = f32x4.splat(invs);
  j = 0;
  for (; j + 4 <= lim; j += 4) stv(sc, j, f32x4.mul(ldv(sc, j), inv));
  for (; j < lim; j++) st(sc, j, ld(sc, j) * invs);
  if (pr != 0) {
    memory.copy(pr, sc, <usize>lim * 4);
    for (let jj = lim; jj < S; jj++) st(pr, jj, 0);
  }
  if (thr != 0) for (let jj = 0; jj < lim; jj++) st(sc, jj, ld(sc, jj) * dropMul(key, <u32>(row + jj), thr, keep));
  for (let jj = lim; jj < n; jj++) st(sc, jj, 0);
}

/**
 * Thread tid's (batch, head) units of mhaForward (backend.ts): out [B, T, D], probs [B, H, T, S]
 * (0: not written). pad: i32 [B, S] or 0. Dropout: thr = ceil(p·2²⁴) (0: none), key = the hashed
 * seed, keep = 1/(1 − p) — all three computed by the js side (js/attention.ts) so both agree.
 * Queries go in pairs (scoreRows2 / weightedRows2); an odd last one pairs with itself, its second
 * output going to scratch.
 */
export function mhaForwardPart(
  B: i32, T: i32, S: i32, H: i32, dh: i32, q: usize, k: usize, v: usize, pad: usize, causal: bool,
  thr: u32, key: u32, keep: f32, out: usize, probs: usize, scratch: usize, tid: i32, nth: i32,
): void {
  const D = H * dh;
  const rs = <usize>D * 4;
  const scale = <f32>(1 / Math.sqrt(<f64>dh));
  const sc0 = scratch, sc1 = sc0 + <usize>(S + 4) * 4, spare = scratch + <usize>(4 * (S + 4)) * 4;
  const u0 = shareStart(B * H, tid, nth), u1 = shareStart(B * H, tid + 1, nth);
  for (let u = u0; u < u1; u++) {
    const b = u / H, h = u % H;
    const kb = k + (<usize>(b * S) * <usize>D + <usize>(h * dh)) * 4;
    const vb = v + (<usize>(b * S) * <usize>D + <usize>(h * dh)) * 4;
    const padRow: usize = pad == 0 ? 0 : pad + <usize>(b * S) * 4;
    for (let i = 0; i < T; i += 2) {
      const has1 = i + 1 < T;
      const i1 = has1 ? i + 1 : i;
      const qr0 = q + (<usize>(b * T + i) * <usize>D + <usize>(h * dh)) * 4;
      const qr1 = q + (<usize>(b * T + i1) * <usize>D + <usize>(h * dh)) * 4;
      const row0 = ((b * H + h) * T + i) * S, row1 = row0 + S;
      const lim0 = keyLimit(i, T, S, causal), lim1 = keyLimit(i1, T, S, causal);
      scoreRows2(lim1, dh, qr0, qr1, kb, rs, scale, sc0, sc1);
      finishRow(lim0, lim1, S, sc0, padRow, probs == 0 ? 0 : probs + <usize>row0 * 4, row0, thr, key, keep);
      if (has1) finishRow(lim1, lim1, S, sc1, padRow, probs == 0 ? 0 : probs + <usize>row1 * 4, row1, thr, key, keep);
      weightedRows2(lim1, dh, sc0, sc1, vb, rs, out + (qr0 - q), has1 ? out + (qr1 - q) : spare);
    }
  }
}

/**
 * dP_j = dO·v_j (in gs) → through the dropout mask: gs = dP·mask, ms = P·mask (the weights the
 * forward used) for j < lim, 0 up to n; returns Σ_j P_j·gs_j.
 */
function maskGrad(lim: i32, n: i32, pr: usize, gs: usize, ms: usize, row: i32, thr: u32, key: u32, keep: f32): f32 {
  let dot: f32 = 0;
  for (let j = 0; j < lim; j++) {
    const pj = ld(pr, j);
    let mj: f32 = pj == 0 ? 0 : 1;
    if (thr != 0 && mj != 0) mj = dropMul(key, <u32>(row + j), thr, keep);
    const g = ld(gs, j) * mj;
    st(gs, j, g);
    st(ms, j, pj * mj);
    dot += pj * g;
  }
  for (let j = lim; j < n; j++) { st(gs, j, 0); st(ms, j, 0); }
  return dot;
}

/**
 * Thread tid's (batch, head) units of mhaBackward: overwrites dq and its units' columns of dk, dv.
 * Per query pair: dP = dO·vᵀ (through the dropout mask), dS = P ⊙ (dP − P·dP), dq = dS·k/√dh.
 * Then per key pair, from the unit's transposed weights Wᵀ [S, T] and dSᵀ kept in scratch:
 * dv = Wᵀ·dO and dk = dSᵀ·q/√dh, with register accumulators (each row written once). When the two
 * [S, T] blocks do not fit the scratch, dk and dv are accumulated query pair by query pair instead.
 */
export function mhaBackwardPart(
  B: i32, T: i32, S: i32, H: i32, dh: i32, q: usize, k: usize, v: usize, pad: usize, causal: bool,
  thr: u32, key: u32, keep: f32, probs: usize, dOut: usize, dq: usize, dk: usize, dv: usize,
  scratch: usize, tid: i32, nth: i32,
): void {
  const D = H * dh;
  const rs = <usize>D * 4;
  const scale = <f32>(1 / Math.sqrt(<f64>dh));
  const rowB = <usize>(S + 4) * 4;
  const gs0 = scratch, gs1 = gs0 + rowB, ms0 = gs1 + rowB, ms1 = ms0 + rowB, spare = ms1 + rowB;
  const wt = scratch + <usize>mhaScratchFloats(S, dh) * 4, dst = wt + <usize>S * <usize>T * 4;
  const blocks = (<i64>mhaScratchFloats(S, dh) + 2 * <i64>S * <i64>T) * 4 <= <i64>gemmScratchBytes();
  const u0 = shareStart(B * H, tid, nth), u1 = shareStart(B * H, tid + 1, nth);
  for (let u = u0; u < u1; u++) {
    const b = u / H, h = u % H;
    const off = (<usize>(b * S) * <usize>D + <usize>(h * dh)) * 4;
    const kb = k + off, vb = v + off, dkb = dk + off, dvb = dv + off;
    if (!blocks) {
      for (let j = 0; j < S; j++) {
        memory.fill(dkb + <usize>j * rs, 0, <usize>dh * 4);
        memory.fill(dvb + <usize>j * rs, 0, <usize>dh * 4);
      }
    }
    for (let i = 0; i < T; i += 2) {
      const has1 = i + 1 < T;
      const i1 = has1 ? i + 1 : i;
      const qo0 = (<usize>(b * T + i) * <usize>D + <usize>(h * dh)) * 4;
      const qo1 = (<usize>(b * T + i1) * <usize>D + <usize>(h * dh)) * 4;
      const row0 = ((b * H + h) * T + i) * S, row1 = row0 + S;
      const lim0 = keyLimit(i, T, S, causal), lim1 = keyLimit(i1, T, S, causal);
      scoreRows2(lim1, dh, dOut + qo0, dOut + qo1, vb, rs, 1, gs0, gs1);
      const dot0 = maskGrad(lim0, lim1, probs + <usize>row0 * 4, gs0, ms0, row0, thr, key, keep);
      // an odd last query pairs with itself: its second copy gets zero weights
      const dot1v = has1 ? maskGrad(lim1, lim1, probs + <usize>row1 * 4, gs1, ms1, row1, thr, key, keep) : maskGrad(0, lim1, 0, gs1, ms1, 0, 0, 0, 1);
      // dS_j/√dh into gs (0 where P = 0)
      const p0 = probs + <usize>row0 * 4, p1 = probs + <usize>row1 * 4;
      for (let j = 0; j < lim0; j++) st(gs0, j, ld(p0, j) * (ld(gs0, j) - dot0) * scale);
      if (has1) for (let j = 0; j < lim1; j++) st(gs1, j, ld(p1, j) * (ld(gs1, j) - dot1v) * scale);
      weightedRows2(lim1, dh, gs0, gs1, kb, rs, dq + qo0, has1 ? dq + qo1 : spare);
      const g0 = dOut + qo0, g1 = dOut + qo1, q0 = q + qo0, q1 = q + qo1;
      if (blocks) {
        for (let j = 0; j < S; j++) {
          const inside = j < lim1;
          st(wt, j * T + i, inside ? ld(ms0, j) : 0);
          st(dst, j * T + i, inside ? ld(gs0, j) : 0);
          if (has1) {
            st(wt, j * T + i1, inside ? ld(ms1, j) : 0);
            st(dst, j * T + i1, inside ? ld(gs1, j) : 0);
          }
        }
      } else {
        for (let j = 0; j < lim1; j++) {
          const w0 = ld(ms0, j), w1 = ld(ms1, j);
          if (w0 != 0 || w1 != 0) axpy2Row(dh, w0, g0, w1, g1, dvb + <usize>j * rs);
          const a0 = ld(gs0, j), a1 = ld(gs1, j);
          if (a0 != 0 || a1 != 0) axpy2Row(dh, a0, q0, a1, q1, dkb + <usize>j * rs);
        }
      }
    }
    if (blocks) {
      const gb = dOut + (<usize>(b * T) * <usize>D + <usize>(h * dh)) * 4;
      const qb = q + (<usize>(b * T) * <usize>D + <usize>(h * dh)) * 4;
      for (let j = 0; j < S; j += 2) {
        const has1 = j + 1 < S;
        const j1 = has1 ? j + 1 : j;
        const w0 = wt + <usize>(j * T) * 4, w1 = wt + <usize>(j1 * T) * 4;
        const e0 = dst + <usize>(j * T) * 4, e1 = dst + <usize>(j1 * T) * 4;
        weightedRows2(T, dh, w0, w1, gb, rs, dvb + <usize>j * rs, has1 ? dvb + <usize>j1 * rs : spare);
        weightedRows2(T, dh, e0, e1, qb, rs, dkb + <usize>j * rs, has1 ? dkb + <usize>j1 * rs : spare);
      }
    }
  }
}
