import { UnaryOp, BinaryOp, type F32 } from '../../kernels/backend.js';
import { backend } from '../engine.js';
import { opOutput, shapeSize, type Tensor, type Shape } from '../tensor.js';
import { checkTensor, broadcastShapes, broadcastStrides, sameShape, accGrad, accBroadcastGrad, sumToShape, tmpF32 } from './util.js';

// ---- binary ops with NumPy broadcasting ------------------------------------------------------

/** True when `s` is a row vector for `outShape`: its only non-1 dim is outShape's last. */
function isRowOf(s: Shape, outShape: Shape): boolean {
  const n = outShape[outShape.length - 1];
  if (n === undefined || s.length === 0 || s[s.length - 1] !== n || s.length > outShape.length) return false;
  for (let i = 0; i < s.length - 1; i++) if (s[i] !== 1) return false;
  return true;
}

/**
 * out = a op b, broadcasting both to outShape. Fast paths: same shape; b a row vector of a (bias);
 * a a row vector of b for commutative ops; otherwise the general strided kernel.
 */
export function broadcastBinary(op: BinaryOp, a: F32, aShape: Shape, b: F32, bShape: Shape, outShape: Shape, out: F32): void {
  const k = backend();
  const n = shapeSize(outShape);
  const aFull = shapeSize(aShape) === n;
  const bFull = shapeSize(bShape) === n;
  if (aFull && bFull) return k.binary(op, n, a, b, out);
  const last = outShape[outShape.length - 1] ?? 1;
  if (aFull && isRowOf(bShape, outShape)) return k.binaryRowBroadcast(op, n / last, last, a, b, out);
  if (bFull && isRowOf(aShape, outShape) && (op === BinaryOp.Add || op === BinaryOp.Mul)) {
    return k.binaryRowBroadcast(op, n / last, last, b, a, out);
  }
  k.binaryStrided(op, outShape, a, broadcastStrides(aShape, outShape), b, broadcastStrides(bShape, outShape), out);
}

const binaryNames = ['add', 'sub', 'mul', 'div'] as const;

function binaryOp(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const name = binaryNames[op]!;
  checkTensor(name, 'a', a);
  checkTensor(name, 'b', b);
  const outShape = sameShape(a.shape, b.shape) ? a.shape.slice() : broadcastShapes(name, a.shape, b.shape);
  const n = shapeSize(outShape);
  const out = opOutput(outShape, [a, b], (out) => {
    const k = backend();
    const g = out.grad!;
    switch (op) {
      case BinaryOp.Add:
      case BinaryOp.Sub: {
        for (const [t, sign] of [[a, 1], [b, op === BinaryOp.Add ? 1 : -1]] as const) {
          if (!t.requiresGrad) continue;
          if (t.size === n) {
            accGrad(t, (dst, acc) => {
              if (acc) k.axpy(n, sign, g, dst);
              else if (sign === 1) k.copy(g, dst, n);
              else k.scale(n, -1, g, dst);
            });
          } else if (sign === 1) {
            // a broadcast operand (a bias): sum g down to its shape directly, no copy of g
            accGrad(t, (dst, acc) => sumToShape(g, outShape, t.shape, dst, acc));
          } else {
            const full = tmpF32(n);
            k.scale(n, -1, g, full);
            accBroadcastGrad(t, full, outShape);
          }
        }
        break;
      }
      case BinaryOp.Mul: {
        if (a.requiresGrad) {
          const full = tmpF32(n);
          broadcastBinary(BinaryOp.Mul, g, outShape, b.f32, b.shape, outShape, full);
          accBroadcastGrad(a, full, outShape);
        }
        if (b.requiresGrad) {
          const full = tmpF32(n);
          broadcastBinary(BinaryOp.Mul, g, outShape, a.f32, a.shape, outShape, full);
          accBroadcastGrad(b, full, outShape);
        }
        break;
      }
      case BinaryOp.Div: {
        if (a.requiresGrad) {
          const full = tmpF32(n);
          broadcastBinary(BinaryOp.Div, g, outShape, b.f32, b.shape, outShape, full);
          accBroadcastGrad(a, full, outShape);
        }
        if (b.requiresGrad) {
          // d(a/b)/db = −(a/b)/b = −out/b
          const t1 = tmpF32(n);
          const t2 = tmpF32(n);
          k.binary(BinaryOp.Mul, n, g, out.f32, t1);
          broadcastBinary(BinaryOp.Div, t1, outShape, b.f32, b.shape, outShape, t2);
          k.scale(n, -1, t2, t1);
          k.free(t2);
          accBroadcastGrad(b, t1, outShape);
        }
        break;
      }
    }
  });
  broadcastBinary(op, a.f32, a.shape, b.f32, b.shape, outShape, out.f32);
  return out;
}

/** a + b with NumPy broadcasting. */
export function add(a: Tensor, b: Tensor): Tensor { return binaryOp(BinaryOp.Add, a, b); }
/** a − b with NumPy broadcasting. */
export function sub(a: Tensor, b: Tensor): Tensor { return binaryOp(BinaryOp.Sub, a, b); }
/** a ⊙ b with NumPy broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor { return binaryOp(BinaryOp.Mul, a, b); }
/** a / b with NumPy broadcasting. */
export function div(a: Tensor, b: Tensor): Tensor { return binaryOp(BinaryOp.Div, a, b); }

/** a · s */
export function mulScalar(a: Tensor, s: number): Tensor {
  checkTensor('mulScalar', 'a', a);
  const out = opOutput(a.shape, [a], (out) => {
    const k = backend();
    accGrad(a, (dst, acc) => (acc ? k.axpy(a.size, s, out.grad!, dst) : k.scale(a.size, s, out.grad!, dst)));
  });
  backend().scale(a.size, s, a.f32, out.f32);
  return out;
}

/** a + s */
export function addScalar(a: Tensor, s: number): Tensor {
  checkTensor('addScalar', 'a', a);
  const out = opOutput(a.shape, [a], (out) => {
    const k = backend();
    accGrad(a, (dst, acc) => (acc ? k.axpy(a.size, 1, out.grad!, dst) : k.copy(out.grad!, dst, a.size)));
  });
  const k = backend();
  k.copy(a.f32, out.f32, a.size);
  if (s !== 0) {
    const x = out.f32;
    for (let i = 0; i < a.size; i++) x[i] = x[i]! + s;
  }
  return out;
}

// ---- unary ops --------------------------------------------------------------------------------

const unaryNames = ['neg', 'exp', 'log', 'tanh', 'sigmoid', 'relu', 'sqrt', 'square', 'abs'] as const;

function unaryOp(op: UnaryOp, a: Tensor): Tensor {
  checkTensor(unaryNames[op]!, 'a', a);
  const out = opOutput(a.shape, [a], (out) => {
    const k = backend();
    accGrad(a, (dst, acc) => k.unaryBackward(op, a.size, a.f32, out.f32, out.grad!, dst, acc));
  });
  backend().unary(op, a.size, a.f32, out.f32);
  return out;
}

export function neg(a: Tensor): Tensor { return unaryOp(UnaryOp.Neg, a); }
export function exp(a: Tensor): Tensor { return unaryOp(UnaryOp.Exp, a); }
export function log(a: Tensor): Tensor { return unaryOp(UnaryOp.Log, a); }
export function tanh(a: Tensor): Tensor { return unaryOp(UnaryOp.Tanh, a); }
export function sigmoid(a: Tensor): Tensor { return unaryOp(UnaryOp.Sigmoid, a); }
export function relu(a: Tensor): Tensor { return unaryOp(UnaryOp.Relu, a); }
export function sqrt(a: Tensor): Tensor { return unaryOp(UnaryOp.Sqrt, a); }
export function square(a: Tensor): Tensor { return unaryOp(UnaryOp.Square, a); }
export function abs(a: Tensor): Tensor { return unaryOp(UnaryOp.Abs, a); }
