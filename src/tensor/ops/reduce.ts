import { backend } from '../engine.js';
import { opOutput, stridesOf, type Tensor } from '../tensor.js';
import { checkTensor, normAxis, sumToShape, accGrad } from './util.js';
import { mulScalar } from './elementwise.js';

function reducedAxes(op: string, rank: number, axes: number | readonly number[] | undefined): boolean[] {
  const red = new Array<boolean>(rank).fill(axes === undefined);
  if (axes !== undefined) {
    for (const ax of typeof axes === 'number' ? [axes] : axes) {
      const a = normAxis(op, ax, rank);
      if (red[a]) throw new Error(`${op}: axis ${ax} listed twice`);
      red[a] = true;
    }
  }
  return red;
}

/**
 * Sum over `axes` (all when omitted → shape []). keepDims leaves the reduced axes as size 1.
 * e.g. sum([[1, 2], [3, 4]], 1) = [3, 7].
 */
export function sum(a: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('sum', 'a', a);
  const red = reducedAxes('sum', a.rank, axes);
  const kept = a.shape.map((d, i) => (red[i] ? 1 : d));
  const outShape = keepDims ? kept : a.shape.filter((_, i) => !red[i]);
  const out = opOutput(outShape, [a], (out) => {
    const k = backend();
    // dx[idx] += g[idx with reduced axes at 0]
    const gStrides = stridesOf(kept).map((s, i) => (red[i] ? 0 : s));
    accGrad(a, (dst, acc) => k.copyStrided(a.shape, out.grad!, gStrides, dst, stridesOf(a.shape), acc));
  });
  sumToShape(a.f32, a.shape, kept, out.f32, false);
  return out;
}

/** Mean over `axes` (all when omitted → shape []). */
export function mean(a: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('mean', 'a', a);
  const red = reducedAxes('mean', a.rank, axes);
  let count = 1;
  a.shape.forEach((d, i) => { if (red[i]) count *= d; });
  return mulScalar(sum(a, axes, keepDims), 1 / count);
}
