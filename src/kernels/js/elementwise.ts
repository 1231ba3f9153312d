import { UnaryOp, BinaryOp, type F32, type I32 } from '../backend.js';

export function fill(out: F32 | I32, value: number, n: number): void {
  out.fill(value, 0, n);
}

export function copy(src: F32 | I32, dst: F32 | I32, n: number): void {
  if (src === dst) return;
  for (let i = 0; i < n; i++) dst[i] = src[i]!;
}

export function axpy(n: number, alpha: number, x: F32, y: F32): void {
  for (let i = 0; i < n; i++) y[i] = y[i]! + alpha * x[i]!;
}

export function scale(n: number, alpha: number, x: F32, out: F32): void {
  for (let i = 0; i < n; i++) out[i] = alpha * x[i]!;
}

/** σ(x) without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function unary(op: UnaryOp, n: number, x: F32, out: F32): void {
  switch (op) {
    case UnaryOp.Neg: for (let i = 0; i < n; i++) out[i] = -x[i]!; break;
    case UnaryOp.Exp: for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!); break;
    case UnaryOp.Log: for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!); break;
    case UnaryOp.Tanh: for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!); break;
    case UnaryOp.Sigmoid: for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!); break;
    case UnaryOp.Relu: for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? v : 0; } break;
    case UnaryOp.Sqrt: for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); break;
    case UnaryOp.Square: for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v * v; } break;
    case UnaryOp.Abs: for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); break;
    default: throw new Error(`unary: unknown op ${op as number}`);
  }
}

/** dx (+)= dy · f'(x); tanh/sigmoid/exp read y = f(x), the others read x. */
export function unaryBackward(op: UnaryOp, n: number, x: F32, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
  for (let i = 0; i < n; i++) {
    let d: number;
    const g = dy[i]!;
    switch (op) {
      case UnaryOp.Neg: d = -g; break;
      case UnaryOp.Exp: d = g * y[i]!; break;
      case UnaryOp.Log: d = g / x[i]!; break;
      case UnaryOp.Tanh: { const t = y[i]!; d = g * (1 - t * t); break; }
      case UnaryOp.Sigmoid: { const s = y[i]!; d = g * s * (1 - s); break; }
      case UnaryOp.Relu: d = x[i]! > 0 ? g : 0; break;
      case UnaryOp.Sqrt: d = g * 0.5 / Math.sqrt(x[i]!); break;
      case UnaryOp.Square: d = g * 2 * x[i]!; break;
      case UnaryOp.Abs: { const v = x[i]!; d = v > 0 ? g : v < 0 ? -g : 0; break; }
      default: throw new Error(`unaryBackward: unknown op ${op as number}`);
    }
    dx[i] = accumulate ? dx[i]! + d : d;
  }
}

export function binary(op: BinaryOp, n: number, a: F32, b: F32, out: F32): void {
  switch (op) {
    case BinaryOp.Add: for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!; break;
    case BinaryOp.Sub: for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!; break;
    case BinaryOp.Mul: for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!; break;
    case BinaryOp.Div: for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!; break;
    default: throw new Error(`binary: unknown op ${op as number}`);
  }
}

export function binaryRowBroadcast(op: BinaryOp, rows: number, n: number, a: F32, b: F32, out: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    binary(op, n, a.subarray(o, o + n), b, out.subarray(o, o + n));
  }
}

function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case BinaryOp.Add: return x + y;
    case BinaryOp.Sub: return x - y;
    case BinaryOp.Mul: return x * y;
    case BinaryOp.Div: return x / y;
    default: throw new Error(`binary: unknown op ${op as number}`);
  }
}

/**
 * Walks every index of `shape` in row-major order, calling visit(offsetA, offsetB, linear) with the
 * strided offsets of two operands. The last axis is the inner loop.
 */
function walk2(shape: readonly number[], sa: readonly number[], sb: readonly number[], visit: (oa: number, ob: number, i: number) => void): void {
  const R = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (R === 0) { visit(0, 0, 0); return; }
  const idx = new Array<number>(R).fill(0);
  const last = shape[R - 1]!;
  const la = sa[R - 1]!;
  const lb = sb[R - 1]!;
  let oa = 0;
  let ob = 0;
  let lin = 0;
  for (;;) {
    for (let j = 0; j < last; j++) visit(oa + j * la, ob + j * lb, lin++);
    // advance the outer index (axes R-2 … 0)
    let ax = R - 2;
    for (; ax >= 0; ax--) {
      idx[ax]!++;
      oa += sa[ax]!;
      ob += sb[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      oa -= sa[ax]! * shape[ax]!;
      ob -= sb[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
    if (ax < 0) return;
  }
}

export function binaryStrided(op: BinaryOp, shape: readonly number[], a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32): void {
  walk2(shape, aStrides, bStrides, (oa, ob, i) => { out[i] = apply(op, a[oa]!, b[ob]!); });
}

export function copyStrided(shape: readonly number[], src: F32 | I32, srcStrides: readonly number[], dst: F32 | I32, dstStrides: readonly number[], accumulate: boolean): void {
  if (accumulate) walk2(shape, srcStrides, dstStrides, (os, od) => { dst[od] = dst[od]! + src[os]!; });
  else walk2(shape, srcStrides, dstStrides, (os, od) => { dst[od] = src[os]!; });
}

export function maskedFill(n: number, x: F32, mask: F32 | I32, value: number, out: F32): void {
  for (let i = 0; i < n; i++) out[i] = mask[i] !== 0 ? value : x[i]!;
}

/**
 * 2-D block copy: dst[r·dstStride + j] (+)= src[r·srcStride + j] for r < rows, j < n — the shape
 * of every concat, slice, index and reshape copy. Overwrites go through `set` (memcpy speed).
 */
export function copyRows(rows: number, n: number, src: F32 | I32, srcStride: number, dst: F32 | I32, dstStride: number, accumulate: boolean): void {
  if (rows <= 0 || n <= 0) return;
  if (!accumulate) {
    if (rows === 1 || (srcStride === n && dstStride === n)) {
      if (src !== dst) dst.set(src.subarray(0, rows * n));
      return;
    }
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * srcStride, r * srcStride + n), r * dstStride);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s0 = r * srcStride;
    const d0 = r * dstStride;
    for (let j = 0; j < n; j++) dst[d0 + j] = dst[d0 + j]! + src[s0 + j]!;
  }
}
