// gatherRows (index_select along axis 0): values, finite-difference gradients with repeated and
// dropped rows, rank-3 rows, and its entry checks. Run once per backend.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { testBackends, skipped } from '../helpers/backends.js';

const backends = await testBackends();
for (const reason of skipped) it(`backend skipped: ${reason}`, { skip: reason }, () => {});

for (const bk of backends) {
  describe(`gatherRows on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    it('picks rows by index, any rank, ids as a tensor or an Int32Array', () => T.tidy(() => {
      const x = T.fromArray([1, 2, 3, 4, 5, 6], [3, 2]);
      assert.deepEqual(T.gatherRows(x, Int32Array.from([2, 0, 2])).toArray(), [5, 6, 1, 2, 5, 6]);
      const y = T.gatherRows(T.fromArray([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), T.intTensor([1], [1]));
      assert.deepEqual(y.shape, [1, 2, 2]);
      assert.deepEqual(y.toArray(), [5, 6, 7, 8]);
      assert.deepEqual(T.gatherRows(x, new Int32Array(0)).shape, [0, 2]);
    }));

    it('finite differences: repeated rows sum their gradients, unpicked rows get none', () => {
      gradcheck((x) => T.gatherRows(x!, Int32Array.from([3, 0, 3, 3, 1])), [{ shape: [5, 3] }]);
      gradcheck((x) => T.gatherRows(x!, Int32Array.from([1, 1])), [{ shape: [2, 3, 2] }]);
      gradcheck((x) => T.gatherRows(x!, Int32Array.from([0])), [{ shape: [1, 1] }]);
    });

    it('rejects rows out of range and non-i32 ids with the op name', () => {
      const x = T.zeros([2, 2]);
      assert.throws(() => T.gatherRows(x, Int32Array.from([2])), /gatherRows: row 2 is out of range for x \[2, 2\]/);
      assert.throws(() => T.gatherRows(x, Int32Array.from([-1])), /gatherRows: row -1 is out of range/);
      assert.throws(() => T.gatherRows(x, T.fromArray([0])), /gatherRows: ids must be i32/);
    });
  });
}
