import { backend } from '../engine.js';
import { opOutput, type Tensor } from '../tensor.js';
import { checkTensor, normAxis, accGrad } from './util.js';
import { transpose } from './shape.js';

function lastAxis(op: string, a: Tensor, axis: number, f: (x: Tensor) => Tensor): Tensor {
  const ax = normAxis(op, axis, a.rank);
  if (ax === a.rank - 1) return f(a);
  // move the axis last, normalise, move it back
  return transpose(f(transpose(a, ax, a.rank - 1)), ax, a.rank - 1);
}

/** exp(x − max) / Σ exp(x − max) along `axis`. */
export function softmax(a: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'a', a);
  if (a.rank === 0) throw new Error('softmax: needs at least one axis');
  return lastAxis('softmax', a, axis, (x) => {
    const n = x.shape[x.rank - 1]!;
    const rows = x.size / n;
    const out = opOutput(x.shape, [x], (out) => {
      const k = backend();
      accGrad(x, (dst, acc) => k.softmaxBackward(rows, n, out.f32, out.grad!, dst, acc));
    });
    backend().softmax(rows, n, x.f32, out.f32);
    return out;
  });
}

/** x − log Σ exp(x) along `axis`. */
export function logSoftmax(a: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', 'a', a);
  if (a.rank === 0) throw new Error('logSoftmax: needs at least one axis');
  return lastAxis('logSoftmax', a, axis, (x) => {
    const n = x.shape[x.rank - 1]!;
    const rows = x.size / n;
    const out = opOutput(x.shape, [x], (out) => {
      const k = backend();
      accGrad(x, (dst, acc) => k.logSoftmaxBackward(rows, n, out.f32, out.grad!, dst, acc));
    });
    backend().logSoftmax(rows, n, x.f32, out.f32);
    return out;
  });
}
