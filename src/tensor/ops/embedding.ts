import { backend } from '../engine.js';
import { opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor } from './util.js';

/**
 * Looks up rows of `table` [V, D] for int32 `ids` of any shape → [...ids.shape, D].
 * Backward scatter-adds into the table's gradient (repeated ids accumulate).
 */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  checkTensor('embedding', 'table', table, 'f32', 2);
  checkTensor('embedding', 'ids', ids, 'i32');
  const [V, D] = table.shape as [number, number];
  const n = ids.size;
  const idv = ids.i32;
  for (let i = 0; i < n; i++) {
    const id = idv[i]!;
    if (id < 0 || id >= V) throw new Error(`embedding: id ${id} is out of range for table ${shapeStr(table.shape)}`);
  }
  const out = opOutput([...ids.shape, D], [table], (out) => {
    backend().scatterAddRows(n, D, out.grad!, idv, table.gradBuffer());
  });
  backend().gatherRows(n, D, table.f32, idv, out.f32);
  return out;
}
