// The softmax family: softmax, logSoftmax, their backwards, fused softmax cross-entropy (and thread shares).
// Semantics are those of src/kernels/backend.ts (the js reference: src/kernels/js/, same file
// names); pointers are byte offsets into the shared linear memory.
import { ld, st, ldi, ldv, stv, shareStart } from './simd';
import { scale } from './elementwise';
import { vexp, vsigmoid, vtanh, sexp, ssigmoid, stanh } from './vmath';
// ---- softmax family ----

function rowMax(n: i32, x: usize): f32 {
  // pmax: one instruction (f32x4.max is ~8 on x64); a NaN in the row makes the row's sum NaN anyway
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.pmax(m, ldv(x, i));
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; i < n; i++) r = max(r, ld(x, i));
  return r;
}

// out[i] = exp(x[i] − m); returns Σ out (f64)
function expShiftSum(n: i32, x: usize, m: f32, out: usize): f64 {
  const vm = f32x4.splat(m);
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = vexp(f32x4.sub(ldv(x, i), vm));
    stv(out, i, e);
    s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3))));
  }
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) { const e = sexp(ld(x, i) - m); st(out, i, e); r += <f64>e; }
  return r;
}

// Σ exp(x[i] − m) without writing (f64)
function expShiftSumOnly(n: i32, x: usize, m: f32): f64 {
  const vm = f32x4.splat(m);
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = vexp(f32x4.sub(ldv(x, i), vm));
    s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3))));
  }
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) r += <f64>sexp(ld(x, i) - m);
  return r;
}

export function softmax(rows: i32, n: i32, x: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>n * 4;
    const m = rowMax(n, x + o);
    const s = expShiftSum(n, x + o, m, out + o);
    scale(n, <f32>(1 / s), out + o, out + o);
  }
}

export function logSoftmax(rows: i32, n: i32, x: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>n * 4;
    const m = rowMax(n, x + o);
    // (x − m) − log Σ, not x − (m + log Σ): rounding m + log Σ to f32 loses the small part
    // next to large logits (|m| ≈ 1000 leaves ~6e-5 of it); x − m is exact or nearly so.
    const ls = <f32>Math.log(expShiftSumOnly(n, x + o, m));
    const vm = f32x4.splat(m), vl = f32x4.splat(ls);
    const xr = x + o, orow = out + o;
    let i = 0;
    for (; i + 4 <= n; i += 4) stv(orow, i, f32x4.sub(f32x4.sub(ldv(xr, i), vm), vl));
    for (; i < n; i++) st(orow, i, (ld(xr, i) - m) - ls);
  }
}

function dot64(n: i32, a: usize, b: usize): f64 {
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = f32x4.mul(ldv(a, i), ldv(b, i));
    s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(p), f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 2, 3))));
  }
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) r += <f64>(ld(a, i) * ld(b, i));
  return r;
}

function sum64(n: i32, a: usize): f64 {
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = ldv(a, i);
    s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(p), f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 2, 3))));
  }
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) r += <f64>ld(a, i);
  return r;
}

/** dx (+)= y ⊙ (dy − Σ dy⊙y) */
export function softmaxBackward(rows: i32, n: i32, y: usize, dy: usize, dx: usize, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>n * 4;
    const yr = y + o, gr = dy + o, xr = dx + o;
    const s = <f32>dot64(n, gr, yr);
    const vs = f32x4.splat(s);
    let i = 0;
    if (accumulate) {
      for (; i + 4 <= n; i += 4) stv(xr, i, f32x4.add(ldv(xr, i), f32x4.mul(ldv(yr, i), f32x4.sub(ldv(gr, i), vs))));
      for (; i < n; i++) st(xr, i, ld(xr, i) + ld(yr, i) * (ld(gr, i) - s));
    } else {
      for (; i + 4 <= n; i += 4) stv(xr, i, f32x4.mul(ldv(yr, i), f32x4.sub(ldv(gr, i), vs)));
      for (; i < n; i++) st(xr, i, ld(yr, i) * (ld(gr, i) - s));
    }
  }
}

/** dx (+)= dy − exp(y) · Σ dy */
export function logSoftmaxBackward(rows: i32, n: i32, y: usize, dy: usize, dx: usize, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>n * 4;
    const yr = y + o, gr = dy + o, xr = dx + o;
    const s = <f32>sum64(n, gr);
    const vs = f32x4.splat(s);
    let i = 0;
    if (accumulate) {
      for (; i + 4 <= n; i += 4) stv(xr, i, f32x4.add(ldv(xr, i), f32x4.sub(ldv(gr, i), f32x4.mul(vexp(ldv(yr, i)), vs))));
      for (; i < n; i++) st(xr, i, ld(xr, i) + (ld(gr, i) - sexp(ld(yr, i)) * s));
    } else {
      for (; i + 4 <= n; i += 4) stv(xr, i, f32x4.sub(ldv(gr, i), f32x4.mul(vexp(ldv(yr, i)), vs)));
      for (; i < n; i++) st(xr, i, ld(gr, i) - sexp(ld(yr, i)) * s);
    }
  }
}

/**
 * Fused softmax cross-entropy with label smoothing. loss_r = −(1−ε)·logp[t] − (ε/V)·Σ_c logp_c,
 * logp_c = x_c − lse. Ignored rows get loss 0 (their probs row is still written). Returns Σ loss (f64).
 */
export function softmaxCrossEntropy(rows: i32, V: i32, logits: usize, targets: usize, ignoreIndex: i32, smoothing: f64, lossRows: usize, probs: usize): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(targets + (<usize>r << 2));
    const o = <usize>r * <usize>V * 4;
    const xr = logits + o;
    // probs rows are written for ignored rows too (as the js kernel does); the loss is not
    if (t == ignoreIndex && probs == 0) { st(lossRows, r, 0); continue; }
    const m = rowMax(V, xr);
    let s: f64;
    if (probs != 0) {
      s = expShiftSum(V, xr, m, probs + o);
      scale(V, <f32>(1 / s), probs + o, probs + o);
    } else {
      s = expShiftSumOnly(V, xr, m);
    }
    if (t == ignoreIndex) { st(lossRows, r, 0); continue; }
    const lse = <f64>m + Math.log(s);
    let loss = -(1 - smoothing) * (<f64>ld(xr, t) - lse);
    if (smoothing != 0) loss -= (smoothing / <f64>V) * (sum64(V, xr) - <f64>V * lse);
    st(lossRows, r, <f32>loss);
    total += loss;
  }
  return total;
}

/** dlogits (+)= scale · (probs − q) on non-ignored rows. */
export function softmaxCrossEntropyBackward(rows: i32, V: i32, probs: usize, targets: usize, ignoreIndex: i32, smoothing: f32, scl: f32, dlogits: usize, accumulate: bool): void {
  const off = smoothing / <f32>V;
  const vscale = f32x4.splat(scl);
  const voff = f32x4.splat(off);
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>V * 4;
    const pr = probs + o, dr = dlogits + o;
    const t = load<i32>(targets + (<usize>r << 2));
    if (t == ignoreIndex) {
      if (!accumulate) memory.fill(dr, 0, <usize>V * 4);
      continue;
    }
    const oldT = ld(dr, t);
    let i = 0;
    if (accumulate) {
      for (; i + 4 <= V; i += 4) stv(dr, i, f32x4.add(ldv(dr, i), f32x4.mul(vscale, f32x4.sub(ldv(pr, i), voff))));
      for (; i < V; i++) st(dr, i, ld(dr, i) + scl * (ld(pr, i) - off));
      st(dr, t, oldT + scl * (ld(pr, t) - off - (1 - smoothing)));
    } else {
      for (; i + 4 <= V; i += 4) stv(dr, i, f32x4.mul(vscale, f32x4.sub(ldv(pr, i), voff)));
      for (; i < V; i++) st(dr, i, scl * (ld(pr, i) - off));
      st(dr, t, scl * (ld(pr, t) - off - (1 - smoothing)));
    }
  }
}


export function softmaxCrossEntropyPart(rows: i32, V: i32, logits: usize, targets: usize, ignoreIndex: i32, smoothing: f64, lossRows: usize, probs: usize, partials: usize, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  let t: f64 = 0;
  if (r1 > r0) {
    const o = <usize>r0 * <usize>V * 4;
    t = softmaxCrossEntropy(r1 - r0, V, logits + o, targets + (<usize>r0 << 2), ignoreIndex, smoothing, lossRows + (<usize>r0 << 2), probs == 0 ? 0 : probs + o);
  }
  store<f64>(partials + (<usize>tid << 3), t);
}

export function softmaxCrossEntropyBackwardPart(rows: i32, V: i32, probs: usize, targets: usize, ignoreIndex: i32, smoothing: f32, scl: f32, dlogits: usize, accumulate: bool, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  if (r1 <= r0) return;
  const o = <usize>r0 * <usize>V * 4;
  softmaxCrossEntropyBackward(r1 - r0, V, probs + o, targets + (<usize>r0 << 2), ignoreIndex, smoothing, scl, dlogits + o, accumulate);
}

export function softmaxPart(rows: i32, n: i32, x: usize, out: usize, tid: i32, nth: i32): void {
  const r0 = shareStart(rows, tid, nth), r1 = shareStart(rows, tid + 1, nth);
  if (r1 <= r0) return;
  const o = <usize>r0 * <usize>n * 4;
  softmax(r1 - r0, n, x + o, out + o);
}

/** Elementwise unary over a 16-aligned share of [0, n). */
