// Elementwise kernels: axpy, scale, unary and binary ops (and their thread shares).
// Semantics are those of src/kernels/backend.ts (the js reference: src/kernels/js/, same file
// names); pointers are byte offsets into the shared linear memory.
import { ld, st, ldi, ldv, stv, shareStart, madd } from './simd';
import { vexp, vsigmoid, vtanh, sexp, ssigmoid, stanh } from './vmath';
import { UnaryOp, BinaryOp } from '../src/kernels/opcodes';
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) stv(y, i, madd(va, ldv(x, i), ldv(y, i)));
  for (; i < n; i++) st(y, i, ld(y, i) + alpha * ld(x, i));
}

export function scale(n: i32, alpha: f32, x: usize, out: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) stv(out, i, f32x4.mul(va, ldv(x, i)));
  for (; i < n; i++) st(out, i, alpha * ld(x, i));
}

export function unary(op: i32, n: i32, x: usize, out: usize): void {
  let i = 0;
  const n4 = n & ~3;
  switch (op) {
    case UnaryOp.Neg: for (; i < n4; i += 4) stv(out, i, f32x4.neg(ldv(x, i))); break;
    case UnaryOp.Exp: for (; i < n4; i += 4) stv(out, i, vexp(ldv(x, i))); break;
    case UnaryOp.Log: for (; i < n; i++) st(out, i, Mathf.log(ld(x, i))); break;
    case UnaryOp.Tanh: for (; i < n4; i += 4) stv(out, i, vtanh(ldv(x, i))); break;
    case UnaryOp.Sigmoid: for (; i < n4; i += 4) stv(out, i, vsigmoid(ldv(x, i))); break;
    case UnaryOp.Relu: for (; i < n4; i += 4) stv(out, i, f32x4.pmax(f32x4.splat(0), ldv(x, i))); break; // 0 < x ? x : 0 (NaN → 0, as js)
    case UnaryOp.Sqrt: for (; i < n4; i += 4) stv(out, i, f32x4.sqrt(ldv(x, i))); break;
    case UnaryOp.Square: for (; i < n4; i += 4) { const v = ldv(x, i); stv(out, i, f32x4.mul(v, v)); } break;
    case UnaryOp.Abs: for (; i < n4; i += 4) stv(out, i, f32x4.abs(ldv(x, i))); break;
    default: break;
  }
  for (; i < n; i++) {
    const v = ld(x, i);
    let r: f32 = 0;
    switch (op) {
      case UnaryOp.Neg: r = -v; break;
      case UnaryOp.Exp: r = sexp(v); break;
      case UnaryOp.Tanh: r = stanh(v); break;
      case UnaryOp.Sigmoid: r = ssigmoid(v); break;
      case UnaryOp.Relu: r = v > 0 ? v : 0; break;
      case UnaryOp.Sqrt: r = Mathf.sqrt(v); break;
      case UnaryOp.Square: r = v * v; break;
      case UnaryOp.Abs: r = Mathf.abs(v); break;
      default: break;
    }
    st(out, i, r);
  }
}

// @ts-ignore: decorator
@inline export function vbin(op: i32, a: v128, b: v128): v128 {
  if (op == BinaryOp.Add) return f32x4.add(a, b);
  if (op == BinaryOp.Sub) return f32x4.sub(a, b);
  if (op == BinaryOp.Mul) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}
// @ts-ignore: decorator
@inline export function sbin(op: i32, a: f32, b: f32): f32 {
  if (op == BinaryOp.Add) return a + b;
  if (op == BinaryOp.Sub) return a - b;
  if (op == BinaryOp.Mul) return a * b;
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
  if (op == BinaryOp.Add) binaryLoop(BinaryOp.Add, n, a, b, out);
  else if (op == BinaryOp.Sub) binaryLoop(BinaryOp.Sub, n, a, b, out);
  else if (op == BinaryOp.Mul) binaryLoop(BinaryOp.Mul, n, a, b, out);
  else binaryLoop(BinaryOp.Div, n, a, b, out);
}

export function binaryRowBroadcast(op: i32, rows: i32, n: i32, a: usize, b: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>n * 4;
    binary(op, n, a + o, b, out + o);
  }
}

/** out[o, i] (+)= Σ_r x[o, r, i] */

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
