// Fused multi-head attention, forward and backward (the js reference: src/kernels/js/attention.ts,
// same semantics). Work splits over (batch, head) units: a unit owns its head's columns of its
// batch row's out / dq / dk / dv, so threads never write the same element. Per query row the
// scores, softmax and weighted sum run over the unit's S×dh key and value block (in L1); the
// padding and causal masks limit the keys a row visits and the dropout mask is a hash of
// (key, element index), so no mask is ever read from memory.
import { ld, st, ldi, ldv, stv, shareStart } from './simd';
import { vexp } from './vmath';

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

/** The dot products of row a (dh floats) with the four rows b, b + rs, b + 2rs, b + 3rs (bytes). */
function dot4(dh: i32, a: usize, b: usize, rs: usize): v128 {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  const b1 = b + rs, b2 = b1 + rs, b3 = b2 + rs;
  let d = 0;
  for (; d + 4 <= dh; d += 4) {
    const x = ldv(a, d);
    a0 = f32x4.add(a0, f32x4.mul(x, ldv(b, d)));
    a1 = f32x4.add(a1, f32x4.mul(x, ldv(b1, d)));
    a2 = f32x4.add(a2, f32x4.mul(x, ldv(b2, d)));
    a3 = f32x4.add(a3, f32x4.mul(x, ldv(b3, d)));
  }
  let r = hsum4(a0, a1, a2, a3);
  if (d < dh) {
    let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
    for (; d < dh; d++) {
      const x = ld(a, d);
      t0 += x * ld(b, d); t1 += x * ld(b1, d); t2 += x * ld(b2, d); t3 += x * ld(b3, d);
    }
    let t = f32x4.splat(t0);
    t = f32x4.replace_lane(t, 1, t1);
    t = f32x4.replace_lane(t, 2, t2);
    t = f32x4.replace_lane(t, 3, t3);
    r = f32x4.add(r, t);
  }
  return r;
}

function dot1(dh: i32, a: usize, b: usize): f32 {
  let acc = f32x4.splat(0);
  let d = 0;
  for (; d + 4 <= dh; d += 4) acc = f32x4.add(acc, f32x4.mul(ldv(a, d), ldv(b, d)));
  let r = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; d < dh; d++) r += ld(a, d) * ld(b, d);
  return r;
}

/** sc[j] = row a · row (b + j·rs) · scale for j < n. */
function scoreRow(n: i32, dh: i32, a: usize, b: usize, rs: usize, scale: f32, sc: usize): void {
  const vs = f32x4.splat(scale);
  let j = 0;
  for (; j + 4 <= n; j += 4) stv(sc, j, f32x4.mul(dot4(dh, a, b + <usize>j * rs, rs), vs));
  for (; j < n; j++) st(sc, j, dot1(dh, a, b + <usize>j * rs) * scale);
}

/** out[0..dh) = Σ_{j<n} w[j] · row (b + j·rs); terms with w[j] = 0 are skipped. */
function weightedRows(n: i32, dh: i32, w: usize, b: usize, rs: usize, out: usize): void {
  let d = 0;
  for (; d + 16 <= dh; d += 16) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let j = 0; j < n; j++) {
      const wj = ld(w, j);
      if (wj == 0) continue;
      const x = f32x4.splat(wj);
      const r = b + <usize>j * rs;
      a0 = f32x4.add(a0, f32x4.mul(x, ldv(r, d)));
      a1 = f32x4.add(a1, f32x4.mul(x, ldv(r, d + 4)));
      a2 = f32x4.add(a2, f32x4.mul(x, ldv(r, d + 8)));
      a3 = f32x4.add(a3, f32x4.mul(x, ldv(r, d + 12)));
    }
    stv(out, d, a0); stv(out, d + 4, a1); stv(out, d + 8, a2); stv(out, d + 12, a3);
  }
  for (; d + 4 <= dh; d += 4) {
    let a0 = f32x4.splat(0);
    for (let j = 0; j < n; j++) {
      const wj = ld(w, j);
      if (wj == 0) continue;
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(wj), ldv(b + <usize>j * rs, d)));
    }
    stv(out, d, a0);
  }
  for (; d < dh; d++) {
    let a: f32 = 0;
    for (let j = 0; j < n; j++) a += ld(w, j) * ld(b + <usize>j * rs, d);
    st(out, d, a);
  }
}

/** y[0..dh) += alpha · x[0..dh) */
// @ts-ignore: decorator
@inline function axpyRow(dh: i32, alpha: f32, x: usize, y: usize): void {
  const va = f32x4.splat(alpha);
  let d = 0;
  for (; d + 4 <= dh; d += 4) stv(y, d, f32x4.add(ldv(y, d), f32x4.mul(va, ldv(x, d))));
  for (; d < dh; d++) st(y, d, ld(y, d) + alpha * ld(x, d));
}

/** Keys j < keyLimit are visible to query i (before padding). */
// @ts-ignore: decorator
@inline function keyLimit(i: i32, T: i32, S: i32, causal: bool): i32 {
  if (!causal) return S;
  const l = i + S - T + 1;
  return l < 0 ? 0 : l > S ? S : l;
}

/** Scratch floats per thread: forward S (one score row), backward 2S. */
export function mhaScratchFloats(S: i32): i32 {
  return 2 * S + 8;
}

/**
 * Thread tid's (batch, head) units of mhaForward (backend.ts): out [B, T, D], probs [B, H, T, S]
 * (0: not written). pad: i32 [B, S] or 0. Dropout: thr = ceil(p·2²⁴) (0: none), key = the hashed
 * seed, keep = 1/(1 − p) — all three computed by the js side (js/attention.ts) so both agree.
 */
export function mhaForwardPart(
  B: i32, T: i32, S: i32, H: i32, dh: i32, q: usize, k: usize, v: usize, pad: usize, causal: bool,
  thr: u32, key: u32, keep: f32, out: usize, probs: usize, scratch: usize, tid: i32, nth: i32,
): void {
  const D = H * dh;
  const rs = <usize>D * 4;
  const scale = <f32>(1 / Math.sqrt(<f64>dh));
  const sc = scratch;
  const u0 = shareStart(B * H, tid, nth), u1 = shareStart(B * H, tid + 1, nth);
  for (let u = u0; u < u1; u++) {
    const b = u / H, h = u % H;
    const kb = k + (<usize>(b * S) * <usize>D + <usize>(h * dh)) * 4;
    const vb = v + (<usize>(b * S) * <usize>D + <usize>(h * dh)) * 4;
    for (let i = 0; i < T; i++) {
      const qr = q + (<usize>(b * T + i) * <usize>D + <usize>(h * dh)) * 4;
      const orow = out + (qr - q);
      const row = ((b * H + h) * T + i) * S;
      const pr = probs + <usize>row * 4;
      const lim = keyLimit(i, T, S, causal);
      scoreRow(lim, dh, qr, kb, rs, scale, sc);
      if (pad != 0) {
        const pb = pad + <usize>(b * S) * 4;
        for (let j = 0; j < lim; j++) if (ldi(pb, j) != 0) st(sc, j, -Infinity);
      }
      let m: f32 = -Infinity;
      for (let j = 0; j < lim; j++) m = max(m, ld(sc, j));
      if (m == -Infinity) {
        // no visible key: weights and output 0
        for (let d = 0; d < dh; d++) st(orow, d, 0);
        if (probs != 0) for (let j = 0; j < S; j++) st(pr, j, 0);
        continue;
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
      const inv = f32x4.splat(<f32>(1 / sum));
      j = 0;
      for (; j + 4 <= lim; j += 4) stv(sc, j, f32x4.mul(ldv(sc, j), inv));
      for (; j < lim; j++) st(sc, j, ld(sc, j) * f32x4.extract_lane(inv, 0));
      if (probs != 0) {
        memory.copy(pr, sc, <usize>lim * 4);
        for (let jj = lim; jj < S; jj++) st(pr, jj, 0);
      }
      if (thr != 0) {
        for (let jj = 0; jj < lim; jj++) st(sc, jj, ld(sc, jj) * dropMul(key, <u32>(row + jj), thr, keep));
      }
      weightedRows(lim, dh, sc, vb, rs, orow);
    }
  }
}

/**
 * Thread tid's (batch, head) units of mhaBackward: overwrites dq and its units' columns of dk, dv.
 * Per query row: dP = dO·vᵀ (through the dropout mask), dv += (P·mask) dO, dS = P ⊙ (dP − P·dP),
 * dq = dS·k/√dh, dk += dSᵀ q/√dh.
 */
export function mhaBackwardPart(
  B: i32, T: i32, S: i32, H: i32, dh: i32, q: usize, k: usize, v: usize, pad: usize, causal: bool,
  thr: u32, key: u32, keep: f32, probs: usize, dOut: usize, dq: usize, dk: usize, dv: usize,
  scratch: usize, tid: i32, nth: i32,
): void {
  const D = H * dh;
  const rs = <usize>D * 4;
  const scale = <f32>(1 / Math.sqrt(<f64>dh));
  const gs = scratch, ms = scratch + <usize>(S + 4) * 4;
  const u0 = shareStart(B * H, tid, nth), u1 = shareStart(B * H, tid + 1, nth);
  for (let u = u0; u < u1; u++) {
    const b = u / H, h = u % H;
    const off = (<usize>(b * S) * <usize>D + <usize>(h * dh)) * 4;
    const kb = k + off, vb = v + off, dkb = dk + off, dvb = dv + off;
    for (let j = 0; j < S; j++) {
      memory.fill(dkb + <usize>j * rs, 0, <usize>dh * 4);
      memory.fill(dvb + <usize>j * rs, 0, <usize>dh * 4);
    }
    for (let i = 0; i < T; i++) {
      const qo = (<usize>(b * T + i) * <usize>D + <usize>(h * dh)) * 4;
      const qr = q + qo, gr = dOut + qo, dqr = dq + qo;
      const row = ((b * H + h) * T + i) * S;
      const pr = probs + <usize>row * 4;
      const lim = keyLimit(i, T, S, causal);
      // dP_j = dO·v_j, times the dropout multiplier (1 without dropout)
      scoreRow(lim, dh, gr, vb, rs, 1, gs);
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
      for (let j = 0; j < lim; j++) {
        const w = ld(ms, j);
        if (w != 0) axpyRow(dh, w, gr, dvb + <usize>j * rs);
      }
      // dS_j·/√dh into gs; dq_i = Σ dS_j k_j; dk_j += dS_j q_i
      for (let j = 0; j < lim; j++) st(gs, j, ld(pr, j) * (ld(gs, j) - dot) * scale);
      weightedRows(lim, dh, gs, kb, rs, dqr);
      for (let j = 0; j < lim; j++) {
        const g = ld(gs, j);
        if (g != 0) axpyRow(dh, g, qr, dkb + <usize>j * rs);
      }
    }
  }
}
