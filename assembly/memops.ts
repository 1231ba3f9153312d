// Data-movement and small elementwise kernels: fill, copy, strided copy (permute / slice / concat),
// broadcastInner, maskedFill, unaryBackward, strided binary. Semantics are those of
// src/kernels/backend.ts; pointers are byte offsets into the shared linear memory. Elements are
// 4 bytes (f32 or i32: copies move bits).
//
// Strided kernels take their shape and strides (in elements, as i32) from a small argument block
// the JS side writes; it has already dropped size-1 dimensions and merged dimensions that are
// contiguous in every operand, so the common cases arrive as rank 1 or 2.

import { ld, st, ldi, ldv, stv } from './simd';
import { sbin, vbin } from './elementwise';
import { UnaryOp, BinaryOp } from '../src/kernels/opcodes';

/** out[0..n) = the 32-bit pattern `bits` (an f32 or an i32). */
export function fill32(out: usize, bits: i32, n: i32): void {
  if (bits == 0) { memory.fill(out, 0, <usize>n << 2); return; }
  const v = i32x4.splat(bits);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    stv(out, i, v); stv(out, i + 4, v); stv(out, i + 8, v); stv(out, i + 12, v);
  }
  for (; i + 4 <= n; i += 4) stv(out, i, v);
  for (; i < n; i++) store<i32>(out + (<usize>i << 2), bits);
}

/** dst[0..n) = src[0..n) (memmove: overlap allowed). */
export function copy32(src: usize, dst: usize, n: i32): void {
  if (src != dst) memory.copy(dst, src, <usize>n << 2);
}

/** y[0..n) += x[0..n) (f32). */
export function addInto(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    stv(y, i, f32x4.add(ldv(y, i), ldv(x, i)));
    stv(y, i + 4, f32x4.add(ldv(y, i + 4), ldv(x, i + 4)));
  }
  for (; i + 4 <= n; i += 4) stv(y, i, f32x4.add(ldv(y, i), ldv(x, i)));
  for (; i < n; i++) st(y, i, ld(y, i) + ld(x, i));
}

// One run of the innermost dimension: n elements, src stride ss, dst stride ds (elements).
// @ts-ignore: decorator
@inline function copyRun(n: i32, src: usize, ss: i32, dst: usize, ds: i32, acc: bool): void {
  if (ss == 1 && ds == 1) {
    if (acc) addInto(n, src, dst);
    else memory.copy(dst, src, <usize>n << 2);
    return;
  }
  const sb = <usize>ss << 2, db = <usize>ds << 2;
  let s = src, d = dst;
  if (acc) {
    for (let i = 0; i < n; i++) { store<f32>(d, load<f32>(d) + load<f32>(s)); s += sb; d += db; }
  } else {
    for (let i = 0; i < n; i++) { store<i32>(d, load<i32>(s)); s += sb; d += db; }
  }
}

// 2-D transpose block: dst(i, j) = src(i, j) for i < rows, j < cols, where dst is contiguous along
// j (stride 1, row stride dr) and src is contiguous along i (stride 1, column stride sc).
function transpose2d(rows: i32, cols: i32, src: usize, sc: i32, dst: usize, dr: i32, acc: bool): void {
  const scb = <usize>sc << 2, drb = <usize>dr << 2;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const s0 = src + (<usize>i << 2);
    const d0 = dst + <usize>i * drb;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      // 4 columns of src (each 4 consecutive i) → 4 rows of dst (each 4 consecutive j)
      const sp = s0 + <usize>j * scb;
      const c0 = v128.load(sp), c1 = v128.load(sp + scb), c2 = v128.load(sp + scb * 2), c3 = v128.load(sp + scb * 3);
      const t0 = v128.shuffle<f32>(c0, c1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(c2, c3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(c0, c1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(c2, c3, 2, 6, 3, 7);
      const r0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5);
      const r1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
      const r2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5);
      const r3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
      const dp = d0 + (<usize>j << 2);
      if (acc) {
        v128.store(dp, f32x4.add(v128.load(dp), r0));
        v128.store(dp + drb, f32x4.add(v128.load(dp + drb), r1));
        v128.store(dp + drb * 2, f32x4.add(v128.load(dp + drb * 2), r2));
        v128.store(dp + drb * 3, f32x4.add(v128.load(dp + drb * 3), r3));
      } else {
        v128.store(dp, r0);
        v128.store(dp + drb, r1);
        v128.store(dp + drb * 2, r2);
        v128.store(dp + drb * 3, r3);
      }
    }
    for (; j < cols; j++) {
      for (let r = 0; r < 4; r++) {
        const s = s0 + <usize>j * scb + (<usize>r << 2);
        const d = d0 + <usize>r * drb + (<usize>j << 2);
        if (acc) store<f32>(d, load<f32>(d) + load<f32>(s));
        else store<i32>(d, load<i32>(s));
      }
    }
  }
  for (; i < rows; i++) copyRun(cols, src + (<usize>i << 2), sc, dst + <usize>i * drb, 1, acc);
}

function copyRec(d: i32, rank: i32, dims: usize, sstr: usize, dstr: usize, src: usize, dst: usize, acc: bool): void {
  const n = ldi(dims, d);
  const ss = ldi(sstr, d), ds = ldi(dstr, d);
  if (d == rank - 1) { copyRun(n, src, ss, dst, ds, acc); return; }
  if (d == rank - 2) {
    const n1 = ldi(dims, d + 1);
    const ss1 = ldi(sstr, d + 1), ds1 = ldi(dstr, d + 1);
    if (ss == 1 && ds1 == 1 && ss1 != 1 && n >= 4 && n1 >= 4) {
      transpose2d(n, n1, src, ss1, dst, ds, acc);
      return;
    }
  }
  const sb = <usize>ss << 2, db = <usize>ds << 2;
  let s = src, t = dst;
  for (let i = 0; i < n; i++) {
    copyRec(d + 1, rank, dims, sstr, dstr, s, t, acc);
    s += sb; t += db;
  }
}

/**
 * dst[idx · dstStrides] (+)= src[idx · srcStrides]. args: i32 dims[rank], srcStrides[rank],
 * dstStrides[rank] (rank ≥ 1, no dimension of size 0). acc: f32 add, else a 32-bit copy.
 * The outermost dimension is split over threads (tid of nth).
 */
export function copyStrided(rank: i32, args: usize, src: usize, dst: usize, acc: bool, tid: i32, nth: i32): void {
  const dims = args, sstr = args + (<usize>rank << 2), dstr = sstr + (<usize>rank << 2);
  if (nth <= 1) { copyRec(0, rank, dims, sstr, dstr, src, dst, acc); return; }
  const n0 = ldi(dims, 0);
  if (rank == 1) {
    // split one contiguous-or-strided run into 4-aligned chunks
    const per = ((n0 + nth - 1) / nth + 3) & ~3;
    const a = min(n0, tid * per), b = min(n0, a + per);
    if (b > a) copyRun(b - a, src + <usize>a * (<usize>ldi(sstr, 0) << 2), ldi(sstr, 0), dst + <usize>a * (<usize>ldi(dstr, 0) << 2), ldi(dstr, 0), acc);
    return;
  }
  const a = <i32>((<i64>n0 * tid) / nth), b = <i32>((<i64>n0 * (tid + 1)) / nth);
  const sb = <usize>ldi(sstr, 0) << 2, db = <usize>ldi(dstr, 0) << 2;
  const rows = b - a;
  if (rows <= 0) return;
  // treat rows a..b as a sub-problem with dims[0] = rows: walk them here
  if (rank == 2) {
    const n1 = ldi(dims, 1), ss1 = ldi(sstr, 1), ds1 = ldi(dstr, 1);
    if (ldi(sstr, 0) == 1 && ds1 == 1 && ss1 != 1 && rows >= 4 && n1 >= 4) {
      transpose2d(rows, n1, src + <usize>a * sb, ss1, dst + <usize>a * db, ldi(dstr, 0), acc);
      return;
    }
  }
  let s = src + <usize>a * sb, t = dst + <usize>a * db;
  for (let i = a; i < b; i++) {
    copyRec(1, rank, dims, sstr, dstr, s, t, acc);
    s += sb; t += db;
  }
}

/** out[o, r, i] (+)= g[o, i] */
export function broadcastInner(outer: i32, reduce: i32, inner: i32, g: usize, out: usize, acc: bool): void {
  const ib = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const gr = g + <usize>o * ib;
    const ob = out + <usize>o * <usize>reduce * ib;
    if (inner == 1) {
      const v = load<f32>(gr);
      if (acc) {
        const vv = f32x4.splat(v);
        let r = 0;
        for (; r + 4 <= reduce; r += 4) stv(ob, r, f32x4.add(ldv(ob, r), vv));
        for (; r < reduce; r++) st(ob, r, ld(ob, r) + v);
      } else {
        fill32(ob, reinterpret<i32>(v), reduce);
      }
      continue;
    }
    for (let r = 0; r < reduce; r++) {
      const dst = ob + <usize>r * ib;
      if (acc) addInto(inner, gr, dst);
      else memory.copy(dst, gr, ib);
    }
  }
}

/** out[i] = mask[i] != 0 ? value : x[i]; maskInt: the mask is i32 (else f32). */
export function maskedFill(n: i32, x: usize, mask: usize, maskInt: bool, value: f32, out: usize): void {
  const vv = f32x4.splat(value);
  const z = i32x4.splat(0);
  let i = 0;
  if (maskInt) {
    for (; i + 4 <= n; i += 4) stv(out, i, v128.bitselect(ldv(x, i), vv, i32x4.eq(ldv(mask, i), z)));
    for (; i < n; i++) st(out, i, ldi(mask, i) != 0 ? value : ld(x, i));
  } else {
    for (; i + 4 <= n; i += 4) stv(out, i, v128.bitselect(ldv(x, i), vv, f32x4.eq(ldv(mask, i), f32x4.splat(0))));
    for (; i < n; i++) st(out, i, ld(mask, i) != 0 ? value : ld(x, i));
  }
}

// @ts-ignore: decorator
@inline function vubw(op: i32, x: v128, y: v128, g: v128): v128 {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  if (op == UnaryOp.Neg) return f32x4.neg(g);
  if (op == UnaryOp.Exp) return f32x4.mul(g, y);
  if (op == UnaryOp.Log) return f32x4.div(g, x);
  if (op == UnaryOp.Tanh) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
  if (op == UnaryOp.Sigmoid) return f32x4.mul(f32x4.mul(g, y), f32x4.sub(one, y));
  if (op == UnaryOp.Relu) return v128.and(g, f32x4.gt(x, zero));
  if (op == UnaryOp.Sqrt) return f32x4.div(f32x4.mul(g, f32x4.splat(0.5)), f32x4.sqrt(x));
  if (op == UnaryOp.Square) return f32x4.mul(f32x4.mul(g, f32x4.splat(2)), x);
  // abs: sign(x)·g, 0 at 0
  return f32x4.sub(v128.and(g, f32x4.gt(x, zero)), v128.and(g, f32x4.lt(x, zero)));
}

// @ts-ignore: decorator
@inline function ubwLoop(op: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize, acc: bool): void {
  let i = 0;
  if (acc) {
    for (; i + 4 <= n; i += 4) stv(dx, i, f32x4.add(ldv(dx, i), vubw(op, ldv(x, i), ldv(y, i), ldv(dy, i))));
  } else {
    for (; i + 4 <= n; i += 4) stv(dx, i, vubw(op, ldv(x, i), ldv(y, i), ldv(dy, i)));
  }
  for (; i < n; i++) {
    const d = f32x4.extract_lane(vubw(op, f32x4.splat(ld(x, i)), f32x4.splat(ld(y, i)), f32x4.splat(ld(dy, i))), 0);
    st(dx, i, acc ? ld(dx, i) + d : d);
  }
}

/** dx (+)= dy · f'(x). x or y may be 0 (not read) when the op does not use it. */
export function unaryBackward(op: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize, acc: bool): void {
  // ops that do not read x (or y) get dy in its place, so no load touches a missing array
  const xx = x != 0 ? x : dy, yy = y != 0 ? y : dy;
  switch (op) {
    case UnaryOp.Neg: ubwLoop(UnaryOp.Neg, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Exp: ubwLoop(UnaryOp.Exp, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Log: ubwLoop(UnaryOp.Log, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Tanh: ubwLoop(UnaryOp.Tanh, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Sigmoid: ubwLoop(UnaryOp.Sigmoid, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Relu: ubwLoop(UnaryOp.Relu, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Sqrt: ubwLoop(UnaryOp.Sqrt, n, xx, yy, dy, dx, acc); break;
    case UnaryOp.Square: ubwLoop(UnaryOp.Square, n, xx, yy, dy, dx, acc); break;
    default: ubwLoop(UnaryOp.Abs, n, xx, yy, dy, dx, acc); break;
  }
}

// @ts-ignore: decorator
@inline function binRun(op: i32, n: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) stv(out, i, vbin(op, ldv(a, i), ldv(b, i)));
  } else if (sa == 1 && sb == 0) {
    const vb = f32x4.splat(load<f32>(b));
    for (; i + 4 <= n; i += 4) stv(out, i, vbin(op, ldv(a, i), vb));
  } else if (sa == 0 && sb == 1) {
    const va = f32x4.splat(load<f32>(a));
    for (; i + 4 <= n; i += 4) stv(out, i, vbin(op, va, ldv(b, i)));
  }
  for (; i < n; i++) st(out, i, sbin(op, ld(a, i * sa), ld(b, i * sb)));
}

function binRec(op: i32, d: i32, rank: i32, dims: usize, sas: usize, sbs: usize, a: usize, b: usize, out: usize): usize {
  const n = ldi(dims, d);
  const sa = ldi(sas, d), sb = ldi(sbs, d);
  if (d == rank - 1) {
    if (op == BinaryOp.Add) binRun(BinaryOp.Add, n, a, sa, b, sb, out);
    else if (op == BinaryOp.Sub) binRun(BinaryOp.Sub, n, a, sa, b, sb, out);
    else if (op == BinaryOp.Mul) binRun(BinaryOp.Mul, n, a, sa, b, sb, out);
    else binRun(BinaryOp.Div, n, a, sa, b, sb, out);
    return out + (<usize>n << 2);
  }
  let pa = a, pb = b, o = out;
  const ab = <usize>sa << 2, bb = <usize>sb << 2;
  for (let i = 0; i < n; i++) {
    o = binRec(op, d + 1, rank, dims, sas, sbs, pa, pb, o);
    pa += ab; pb += bb;
  }
  return o;
}

/** out[idx] = a[idx · aStrides] op b[idx · bStrides]; args: i32 dims[rank], aStrides, bStrides. */
export function binaryStrided(op: i32, rank: i32, args: usize, a: usize, b: usize, out: usize): void {
  const dims = args, sas = args + (<usize>rank << 2), sbs = sas + (<usize>rank << 2);
  binRec(op, 0, rank, dims, sas, sbs, a, b, out);
}
