// Forward values against hand-computed expectations (the comment beside each literal says where it
// comes from), run once per backend.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { assertClose } from '../helpers/gradcheck.js';
import { testBackends } from '../helpers/backends.js';

const backends = await testBackends();

for (const bk of backends) {
  describe(`forward values on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    it('matmul and bmm', () => {
      const a = T.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = T.fromArray([1, 0, 0, 1, 1, 1], [3, 2]);
      // [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[1+3, 2+3], [4+6, 5+6]]
      assert.deepEqual(T.matmul(a, b).toArray(), [4, 5, 10, 11]);
      // aᵀ @ a = [[1·1+4·4, 1·2+4·5, 1·3+4·6], ...]
      assert.deepEqual(T.matmul(a, a, true, false).toArray(), [17, 22, 27, 22, 29, 36, 27, 36, 45]);
      // a @ aᵀ = [[1+4+9, 4+10+18], [4+10+18, 16+25+36]]
      assert.deepEqual(T.matmul(a, a, false, true).toArray(), [14, 32, 32, 77]);
      const c = T.bmm(T.reshape(T.concat([a, a], 0), [2, 2, 3]), T.reshape(T.concat([b, b], 0), [2, 3, 2]));
      assert.deepEqual(c.shape, [2, 2, 2]);
      assert.deepEqual(c.toArray(), [4, 5, 10, 11, 4, 5, 10, 11]);
      // linear = matmul + bias row
      assert.deepEqual(T.linear(a, b, T.fromArray([0.5, -1], [2])).toArray(), [4.5, 4, 10.5, 10]);
      assert.deepEqual(T.linear(a, b).toArray(), [4, 5, 10, 11]);
    });

    it('broadcasting arithmetic', () => {
      const a = T.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
      // + row [10, 20, 30]
      assert.deepEqual(T.add(a, T.fromArray([10, 20, 30])).toArray(), [11, 22, 33, 14, 25, 36]);
      // − column [[1], [2]]
      assert.deepEqual(T.sub(a, T.fromArray([1, 2], [2, 1])).toArray(), [0, 1, 2, 2, 3, 4]);
      // [3,1] * [1,2] outer product → [3, 2]
      const o = T.mul(T.fromArray([1, 2, 3], [3, 1]), T.fromArray([10, 100], [1, 2]));
      assert.deepEqual(o.shape, [3, 2]);
      assert.deepEqual(o.toArray(), [10, 100, 20, 200, 30, 300]);
      // row on the left of a non-commutative op: [12] / [[1,2],[3,4]] broadcast
      assert.deepEqual(T.div(T.fromArray([12, 12]), T.fromArray([1, 2, 3, 4], [2, 2])).toArray(), [12, 6, 4, 3]);
      assert.deepEqual(T.addScalar(a, 1).toArray(), [2, 3, 4, 5, 6, 7]);
      assert.deepEqual(T.mulScalar(a, 2).toArray(), [2, 4, 6, 8, 10, 12]);
    });

    it('unary ops', () => {
      const x = T.fromArray([-1, 0, 2]);
      assert.deepEqual(T.relu(x).toArray(), [0, 0, 2]);
      assert.deepEqual(T.neg(x).toArray(), [1, -0, -2]);
      assert.deepEqual(T.square(x).toArray(), [1, 0, 4]);
      assert.deepEqual(T.abs(x).toArray(), [1, 0, 2]);
      // Math.tanh / 1/(1+e^-x) / Math.exp in float64, rounded to float32
      assertClose(T.tanh(x).toArray(), [-0.7615942, 0, 0.9640276], 1e-6);
      assertClose(T.sigmoid(x).toArray(), [0.2689414, 0.5, 0.8807971], 1e-6);
      assertClose(T.exp(x).toArray(), [0.3678794, 1, 7.3890561], 1e-6, 1e-6);
      assertClose(T.log(T.fromArray([1, Math.E])).toArray(), [0, 1], 1e-6);
      assertClose(T.sqrt(T.fromArray([4, 2])).toArray(), [2, Math.SQRT2], 1e-6);
      // sigmoid does not overflow: σ(±100) = 1, 0
      assertClose(T.sigmoid(T.fromArray([100, -100])).toArray(), [1, 0], 1e-30);
    });

    it('sum and mean', () => {
      const a = T.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
      // np.sum(a) = 21; np.sum(a, axis=0) = [5, 7, 9]; np.sum(a, axis=1) = [6, 15]
      const all = T.sum(a);
      assert.deepEqual(all.shape, []);
      assert.equal(all.item(), 21);
      assert.deepEqual(T.sum(a, 0).toArray(), [5, 7, 9]);
      assert.deepEqual(T.sum(a, 1, true).shape, [2, 1]);
      assert.deepEqual(T.sum(a, 1, true).toArray(), [6, 15]);
      assert.equal(T.mean(a).item(), 3.5);
      // np.sum(np.arange(24).reshape(2,3,4), axis=(0,2)) = [60, 92, 124]
      const b = T.fromArray(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
      assert.deepEqual(T.sum(b, [0, 2]).toArray(), [60, 92, 124]);
    });

    it('shape ops', () => {
      const a = T.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
      assert.deepEqual(T.reshape(a, [3, -1]).shape, [3, 2]);
      assert.deepEqual(T.transpose(a, 0, 1).toArray(), [1, 4, 2, 5, 3, 6]);
      // np.arange(6).reshape(1,2,3).transpose(2,0,1).ravel()
      assert.deepEqual(T.permute(T.reshape(a, [1, 2, 3]), [2, 0, 1]).toArray(), [1, 4, 2, 5, 3, 6]);
      assert.deepEqual(T.concat([a, T.fromArray([7, 8], [2, 1])], 1).toArray(), [1, 2, 3, 7, 4, 5, 6, 8]);
      assert.deepEqual(T.stack([T.fromArray([1, 2]), T.fromArray([3, 4])], 1).toArray(), [1, 3, 2, 4]);
      assert.deepEqual(T.slice(a, 1, 1, 3).toArray(), [2, 3, 5, 6]);
      const [p, q] = T.split(a, [1, 2], 1);
      assert.deepEqual(p!.toArray(), [1, 4]);
      assert.deepEqual(q!.toArray(), [2, 3, 5, 6]);
      assert.deepEqual(T.index(a, 1).toArray(), [4, 5, 6]);
      // int32 tensors go through the shape ops too (no gradients)
      const ids = T.intTensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const col = T.index(T.transpose(ids, 0, 1), 2);
      assert.equal(col.dtype, 'i32');
      assert.deepEqual(col.toArray(), [3, 6]);
    });

    it('embedding, maskedFill, dropout', () => {
      const table = T.fromArray([0, 1, 10, 11, 20, 21], [3, 2]);
      const e = T.embedding(table, T.intTensor([2, 0, 2, 1], [2, 2]));
      assert.deepEqual(e.shape, [2, 2, 2]);
      assert.deepEqual(e.toArray(), [20, 21, 0, 1, 20, 21, 10, 11]);
      const m = T.maskedFill(T.fromArray([1, 2, 3, 4], [2, 2]), T.intTensor([0, 1]), -9);
      assert.deepEqual(m.toArray(), [1, -9, 3, -9]);
      // about p of the elements are zero, the rest are scaled by 1/(1 − p) = 2
      const d = T.dropout(T.full([1000], 1), 0.5, new T.Rng(3));
      const v = d.toArray();
      assert.ok(v.every((x) => x === 0 || x === 2));
      const zerosCount = v.filter((x) => x === 0).length;
      assert.ok(zerosCount > 430 && zerosCount < 570, `dropped ${zerosCount} of 1000`);
    });

    it('embeddingLinear equals linear(embedding(…)) bit for bit, gradients to rounding', () => {
      const rng = new T.Rng(7);
      const V = 40, K = 37, M = 70, n = 300;
      const rand = (shape: number[]): T.Tensor => {
        const t = T.zeros(shape);
        const v = t.f32;
        for (let i = 0; i < v.length; i++) v[i] = 2 * rng.uniform() - 1;
        t.requiresGrad = true;
        return t;
      };
      for (const distinct of [13, 40]) {
        const idv = Array.from({ length: n }, (_, i) => (i * 7 + (i % 5)) % distinct);
        if (distinct === 40) for (let i = 0; i < V; i++) idv[i] = i; // every id present, still repeated
        for (const withBias of [true, false]) {
          const table = rand([V, K]);
          const w = rand([K, M]);
          const b = withBias ? rand([M]) : null;
          const ids = T.intTensor(idv);
          const r = rand([n, M]);
          r.requiresGrad = false;
          const [fused, plain] = T.noGrad(() => [T.embeddingLinear(table, ids, w, b), T.linear(T.embedding(table, ids), w, b)]);
          assert.deepEqual(fused.shape, [n, M]);
          assert.deepEqual(Array.from(fused.f32), Array.from(plain.f32));
          // one tape per path: backward() clears the whole tape
          const grads = (f: () => T.Tensor): number[][] => {
            for (const p of [table, w, b]) p?.zeroGrad();
            T.sum(T.mul(f(), r)).backward();
            return [table, w, b].filter((p) => p !== null).map((p) => Array.from(p!.grad!.subarray(0, p!.size)));
          };
          const gf = grads(() => T.embeddingLinear(table, ids, w, b));
          const gp = grads(() => T.linear(T.embedding(table, ids), w, b));
          for (let i = 0; i < gf.length; i++) assertClose(gf[i]!, gp[i]!, 1e-4);
        }
      }
    });

    it('softmax, logSoftmax, layerNorm', () => {
      // softmax([1, 2, 3]) = e^x / Σ e^x = [0.09003057, 0.24472847, 0.66524096]
      const s = T.softmax(T.fromArray([1, 2, 3, 1001, 1002, 1003], [2, 3]));
      assertClose(s.toArray(), [0.09003057, 0.24472847, 0.66524096, 0.09003057, 0.24472847, 0.66524096], 1e-6);
      // log of the same: [-2.40760596, -1.40760596, -0.40760596]
      assertClose(T.logSoftmax(T.fromArray([1, 2, 3])).toArray(), [-2.40760596, -1.40760596, -0.40760596], 1e-5);
      // softmax along axis 0 of [[0, 0], [ln 3, 0]] = [[0.25, 0.5], [0.75, 0.5]]
      assertClose(T.softmax(T.fromArray([0, 0, Math.log(3), 0], [2, 2]), 0).toArray(), [0.25, 0.5, 0.75, 0.5], 1e-6);
      // layerNorm([1, 2, 3]): mean 2, var 2/3 → (x − 2)/√(2/3 + 1e-5) ≈ [-1.2247357, 0, 1.2247357]; ·2 + 1
      const ln = T.layerNorm(T.fromArray([1, 2, 3]), T.full([3], 2), T.full([3], 1));
      assertClose(ln.toArray(), [1 - 2 * 1.2247357, 1, 1 + 2 * 1.2247357], 1e-5);
    });

    it('lstmCell and gruCell', () => {
      // all-zero pre-activations: i = f = o = σ(0) = 0.5, g = 0 → c = 0.5·cPrev, h = 0.5·tanh(c)
      const { h, c } = T.lstmCell(T.zeros([1, 8]), T.fromArray([2, -4], [1, 2]));
      assertClose(c.toArray(), [1, -2], 1e-7);
      assertClose(h.toArray(), [0.5 * Math.tanh(1), 0.5 * Math.tanh(-2)], 1e-6);
      // GRU with zero gates: r = z = 0.5, n = tanh(0) = 0 → h = 0.5·hPrev
      const g = T.gruCell(T.zeros([1, 6]), T.zeros([1, 6]), T.fromArray([2, -4], [1, 2]));
      assertClose(g.toArray(), [1, -2], 1e-7);
      // xn = 1, hn = 2, r = σ(0) = 0.5: n = tanh(1 + 0.5·2) = tanh(2); h = 0.5·tanh(2) + 0.5·0
      const g2 = T.gruCell(T.fromArray([0, 0, 1], [1, 3]), T.fromArray([0, 0, 2], [1, 3]), T.zeros([1, 1]));
      assertClose(g2.toArray(), [0.5 * Math.tanh(2)], 1e-6);
    });

    it('crossEntropy and mseLoss', () => {
      // uniform logits over V = 4: loss = ln 4 per row; the row with target 0 (ignoreIndex) is skipped
      const ce = T.crossEntropy(T.zeros([3, 4]), T.intTensor([1, 0, 3]));
      assertClose([ce.item()], [Math.log(4)], 1e-6);
      const ceSum = T.crossEntropy(T.zeros([3, 4]), T.intTensor([1, 0, 3]), { reduction: 'sum' });
      assertClose([ceSum.item()], [2 * Math.log(4)], 1e-6);
      // logits [0, ln 3] target 1: p = [0.25, 0.75]; ε = 0.2: q = [0.1, 0.9]; loss = −0.1·ln .25 − 0.9·ln .75
      const ls = T.crossEntropy(T.fromArray([0, Math.log(3)], [1, 2]), T.intTensor([1]), { smoothing: 0.2, ignoreIndex: -1 });
      assertClose([ls.item()], [-0.1 * Math.log(0.25) - 0.9 * Math.log(0.75)], 1e-6);
      // all rows ignored → 0, not NaN
      assert.equal(T.crossEntropy(T.zeros([2, 3]), T.intTensor([0, 0])).item(), 0);
      // ((1−0)² + (2−4)²) / 2 = 2.5; masked to the first element: 1
      assert.equal(T.mseLoss(T.fromArray([1, 2]), T.fromArray([0, 4])).item(), 2.5);
      assert.equal(T.mseLoss(T.fromArray([1, 2]), T.fromArray([0, 4]), T.fromArray([1, 0])).item(), 1);
    });
  });
}
