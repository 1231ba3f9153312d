// Elementwise, reduction, softmax, embedding, recurrent-cell and optimizer kernels. Semantics are
// those of src/kernels/backend.ts; pointers are byte offsets into the shared linear memory.
import { vexp, vsigmoid, vtanh, sexp, ssigmoid, stanh } from './vmath';

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline function ldv(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function stv(p: usize, i: i32, v: v128): void { v128.store(p + (<usize>i << 2), v); }

export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) stv(y, i, f32x4.add(ldv(y, i), f32x4.mul(va, ldv(x, i))));
  for (; i < n; i++) st(y, i, ld(y, i) + alpha * ld(x, i));
}

export function scale(n: i32, alpha: f32, x: usize, out: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) stv(out, i, f32x4.mul(va, ldv(x, i)));
  for (; i < n; i++) st(out, i, alpha * ld(x, i));
}

// UnaryOp: Neg 0, Exp 1, Log 2, Tanh 3, Sigmoid 4, Relu 5, Sqrt 6, Square 7, Abs 8
export function unary(op: i32, n: i32, x: usize, out: usize): void {
  let i = 0;
  const n4 = n & ~3;
  switch (op) {
    case 0: for (; i < n4; i += 4) stv(out, i, f32x4.neg(ldv(x, i))); break;
    case 1: for (; i < n4; i += 4) stv(out, i, vexp(ldv(x, i))); break;
    case 2: for (; i < n; i++) st(out, i, Mathf.log(ld(x, i))); break;
    case 3: for (; i < n4; i += 4) stv(out, i, vtanh(ldv(x, i))); break;
    case 4: for (; i < n4; i += 4) stv(out, i, vsigmoid(ldv(x, i))); break;
    case 5: for (; i < n4; i += 4) stv(out, i, f32x4.pmax(f32x4.splat(0), ldv(x, i))); break; // 0 < x ? x : 0 (NaN → 0, as js)
    case 6: for (; i < n4; i += 4) stv(out, i, f32x4.sqrt(ldv(x, i))); break;
    case 7: for (; i < n4; i += 4) { const v = ldv(x, i); stv(out, i, f32x4.mul(v, v)); } break;
    case 8: for (; i < n4; i += 4) stv(out, i, f32x4.abs(ldv(x, i))); break;
    default: break;
  }
  for (; i < n; i++) {
    const v = ld(x, i);
    let r: f32 = 0;
    switch (op) {
      case 0: r = -v; break;
      case 1: r = sexp(v); break;
      case 3: r = stanh(v); break;
      case 4: r = ssigmoid(v); break;
      case 5: r = v > 0 ? v : 0; break;
      case 6: r = Mathf.sqrt(v); break;
      case 7: r = v * v; break;
      case 8: r = Mathf.abs(v); break;
      default: break;
    }
    st(out, i, r);
  }
}

// BinaryOp: Add 0, Sub 1, Mul 2, Div 3
// @ts-ignore: decorator
@inline function vbin(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}
// @ts-ignore: decorator
@inline function sbin(op: i32, a: f32, b: f32): f32 {
  if (op == 0) return a + b;
  if (op == 1) return a - b;
  if (op == 2) return a * b;
  return a / b;
}

// @ts-ignore: decorator
@inline function binaryLoop(op: i32, n: i32, a: usize, b: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) stv(out, i, vbin(op, ldv(a, i), ldv(b, i)));
  for (; i < n; i++) st(out, i, sbin(op, ld(a, i), ld(b, i)));
}

export function binary(op: i32, n: i32, a: usize, b: usize, out: usize): void {
  // a constant op per loop, so each loop body is one instruction
  if (op == 0) binaryLoop(0, n, a, b, out);
  else if (op == 1) binaryLoop(1, n, a, b, out);
  else if (op == 2) binaryLoop(2, n, a, b, out);
  else binaryLoop(3, n, a, b, out);
}

export function binaryRowBroadcast(op: i32, rows: i32, n: i32, a: usize, b: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>n * 4;
    binary(op, n, a + o, b, out + o);
  }
}

/** out[o, i] (+)= Σ_r x[o, r, i] */
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
@inline function axpyOne(n: i32, x: usize, y: usize): void {
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

// ---- embedding ----

export function gatherRows(n: i32, dim: i32, table: usize, ids: usize, out: usize): void {
  const rowBytes = <usize>dim * 4;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    memory.copy(out + <usize>i * rowBytes, table + <usize>id * rowBytes, rowBytes);
  }
}

export function scatterAddRows(n: i32, dim: i32, g: usize, ids: usize, dTable: usize): void {
  const rowBytes = <usize>dim * 4;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    axpyOne(dim, g + <usize>i * rowBytes, dTable + <usize>id * rowBytes);
  }
}

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
      const cn = f32x4.add(f32x4.mul(f_, ldv(cp, j)), f32x4.mul(i_, g_));
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
      const nn = vtanh(f32x4.add(ldv(xn, j), f32x4.mul(r, hnv)));
      stv(ar, j, r); stv(az, j, z); stv(an, j, nn); stv(ahn, j, hnv);
      stv(ho, j, f32x4.add(f32x4.mul(f32x4.sub(f32x4.splat(1), z), nn), f32x4.mul(z, ldv(hp, j))));
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

// ---- optimizers ----

/**
 * Adam / AdamW. g' = g + wd·p unless decoupled; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
 * p −= lr·(m/bc1)/(√(v/bc2) + eps) (+ lr·wd·p when decoupled, from the pre-step p).
 */
export function adamStep(n: i32, param: usize, grad: usize, m: usize, v: usize, lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decoupled: bool, bc1: f64, bc2: f64): void {
  // f64 arithmetic (two lanes of f64x2), rounded once per stored value, as the js kernel does;
  // the bias corrections become multiplications by their reciprocals (≤ 1 ulp of f64 apart)
  const b1c = 1 - beta1, b2c = 1 - beta2;
  const vb1 = f64x2.splat(beta1), vb2 = f64x2.splat(beta2), vb1c = f64x2.splat(b1c), vb2c = f64x2.splat(b2c);
  // the reciprocals are used in both loops, so binaryen does not sink their divisions into the loop
  const r2 = 1 / bc2, stp = lr / bc1;
  const vr2 = f64x2.splat(r2), vst = f64x2.splat(stp), veps = f64x2.splat(eps);
  const vwd = f64x2.splat(weightDecay), vdec = f64x2.splat(1 - lr * weightDecay);
  const wd = weightDecay != 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    let p = f64x2.promote_low_f32x4(v128.load64_zero(param + o));
    let g = f64x2.promote_low_f32x4(v128.load64_zero(grad + o));
    if (wd) {
      if (decoupled) p = f64x2.mul(p, vdec);
      else g = f64x2.add(g, f64x2.mul(vwd, p));
    }
    const mi = f64x2.add(f64x2.mul(vb1, f64x2.promote_low_f32x4(v128.load64_zero(m + o))), f64x2.mul(vb1c, g));
    const vi = f64x2.add(f64x2.mul(vb2, f64x2.promote_low_f32x4(v128.load64_zero(v + o))), f64x2.mul(f64x2.mul(vb2c, g), g));
    v128.store64_lane(m + o, f32x4.demote_f64x2_zero(mi), 0);
    v128.store64_lane(v + o, f32x4.demote_f64x2_zero(vi), 0);
    const den = f64x2.add(f64x2.sqrt(f64x2.mul(vi, vr2)), veps);
    v128.store64_lane(param + o, f32x4.demote_f64x2_zero(f64x2.sub(p, f64x2.div(f64x2.mul(vst, mi), den))), 0);
  }
  for (; i < n; i++) {
    let p = <f64>ld(param, i);
    let g = <f64>ld(grad, i);
    if (weightDecay != 0) {
      if (decoupled) p -= lr * weightDecay * p;
      else g += weightDecay * p;
    }
    const mi = beta1 * <f64>ld(m, i) + b1c * g;
    const vi = beta2 * <f64>ld(v, i) + b2c * g * g;
    st(m, i, <f32>mi);
    st(v, i, <f32>vi);
    st(param, i, <f32>(p - stp * mi / (Math.sqrt(vi * r2) + eps)));
  }
}

/** Adam over [i0, i1) of the arrays: the share of one thread. */
export function adamStepPart(n: i32, param: usize, grad: usize, m: usize, v: usize, lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decoupled: bool, bc1: f64, bc2: f64, tid: i32, nth: i32): void {
  const per = ((n + nth - 1) / nth + 15) & ~15;
  const a = min(n, tid * per), b = min(n, a + per);
  if (b <= a) return;
  const o = <usize>a << 2;
  adamStep(b - a, param + o, grad + o, m + o, v + o, lr, beta1, beta2, eps, weightDecay, decoupled, bc1, bc2);
}

// ---- thread shares: rows [r0, r1) of a row-split kernel for thread tid of nth ----

// @ts-ignore: decorator
@inline function shareStart(rows: i32, tid: i32, nth: i32): i32 { return <i32>((<i64>rows * tid) / nth); }

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
export function unaryPart(op: i32, n: i32, x: usize, out: usize, tid: i32, nth: i32): void {
  const per = ((n + nth - 1) / nth + 15) & ~15;
  const a = min(n, tid * per), b = min(n, a + per);
  if (b <= a) return;
  unary(op, b - a, x + (<usize>a << 2), out + (<usize>a << 2));
}

export function binaryPart(op: i32, n: i32, a: usize, b: usize, out: usize, tid: i32, nth: i32): void {
  const per = ((n + nth - 1) / nth + 15) & ~15;
  const s = min(n, tid * per), e = min(n, s + per);
  if (e <= s) return;
  const o = <usize>s << 2;
  binary(op, e - s, a + o, b + o, out + o);
}
