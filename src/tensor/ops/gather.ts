import { backend } from '../engine.js';
import { intTensor, opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor } from './util.js';

/**
 * Rows of x picked by index (index_select along axis 0): x [N, …], ids i32 [n] (a tensor or an
 * Int32Array) → [n, …], row i = row ids[i] of x. Reorders rows (time-major ↔ batch-major), picks
 * each sequence's last step, reorders and expands beams. Backward scatter-adds: a row picked
 * twice receives both gradients.
 */
export function gatherRows(x: Tensor, ids: Tensor | Int32Array): Tensor {
  checkTensor('gatherRows', 'x', x, 'f32');
  if (x.rank < 1) throw new Error(`gatherRows: x must have at least one axis, got shape ${shapeStr(x.shape)}`);
  const idt = ids instanceof Int32Array ? intTensor(ids, [ids.length]) : ids;
  checkTensor('gatherRows', 'ids', idt, 'i32', 1);
  const N = x.shape[0]!;
  const n = idt.size;
  const dim = N === 0 ? 0 : x.size / N;
  const idv = idt.i32;
  for (let i = 0; i < n; i++) {
    const r = idv[i]!;
    if (!(r >= 0 && r < N)) throw new Error(`gatherRows: row ${r} is out of range for x ${shapeStr(x.shape)}`);
  }
  const out = opOutput([n, ...x.shape.slice(1)], [x], (out) => {
    backend().scatterAddRows(n, dim, out.grad!, idv, x.gradBuffer());
  });
  backend().gatherRows(n, dim, x.f32, idv, out.f32);
  return out;
}
