// Finite-difference gradient checks for every op and fused op, run once per backend.
import { describe, it, before, after } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { testBackends, skipped } from '../helpers/backends.js';

const backends = await testBackends();

for (const reason of skipped) it(`backend skipped: ${reason}`, { skip: reason }, () => {});

for (const bk of backends) {
  describe(`gradients on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    it('matmul, all transpose combinations and size-1 dims', () => {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        for (const [M, K, N] of [[3, 5, 1], [1, 4, 7], [2, 3, 3]] as const) {
          gradcheck((a, b) => T.matmul(a!, b!, ta, tb), [{ shape: ta ? [K, M] : [M, K] }, { shape: tb ? [N, K] : [K, N] }]);
        }
      }
    });

    it('linear (x·W + b), with and without bias, size-1 dims', () => {
      gradcheck((x, w, b) => T.linear(x!, w!, b!), [{ shape: [3, 5] }, { shape: [5, 4] }, { shape: [4] }]);
      gradcheck((x, w, b) => T.linear(x!, w!, b!), [{ shape: [1, 1] }, { shape: [1, 3] }, { shape: [3] }]);
      gradcheck((x, w) => T.linear(x!, w!), [{ shape: [4, 2] }, { shape: [2, 1] }]);
      // the weight used twice: both gradients accumulate
      gradcheck((x, w, b) => T.add(T.linear(x!, w!, b!), T.matmul(x!, w!)), [{ shape: [2, 2] }, { shape: [2, 2] }, { shape: [2] }]);
    });

    it('bmm, all transpose combinations', () => {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const [P, M, K, N] = [2, 3, 4, 1];
        gradcheck((a, b) => T.bmm(a!, b!, ta, tb), [{ shape: ta ? [P, K, M] : [P, M, K] }, { shape: tb ? [P, N, K] : [P, K, N] }]);
      }
    });

    const broadcastCases: Array<[number[], number[]]> = [
      [[3, 5], [3, 5]], // same shape
      [[4, 5], [5]], // row vector (bias)
      [[5], [4, 5]], // row vector on the left
      [[3, 1, 5], [4, 1]], // both broadcast → [3, 4, 5]
      [[], [2, 3]], // scalar
      [[2, 3], [2, 1]], // column
      [[1], [3]],
    ];
    for (const [name, f] of [['add', T.add], ['sub', T.sub], ['mul', T.mul], ['div', T.div]] as const) {
      it(`${name} with broadcasting`, () => {
        for (const [sa, sb] of broadcastCases) {
          const bSpec = name === 'div' ? { shape: sb, low: 0.5, high: 2 } : { shape: sb };
          gradcheck((a, b) => f(a!, b!), [{ shape: sa }, bSpec]);
        }
      });
    }

    it('the same tensor used twice accumulates', () => {
      gradcheck((a) => T.mul(a!, a!), [{ shape: [2, 3] }]);
      gradcheck((a) => T.add(T.tanh(a!), T.matmul(a!, a!, false, true)), [{ shape: [3, 3] }]);
    });

    it('addScalar, mulScalar', () => {
      gradcheck((a) => T.addScalar(a!, 1.5), [{ shape: [2, 3] }]);
      gradcheck((a) => T.mulScalar(a!, -0.7), [{ shape: [3, 1, 2] }]);
    });

    it('unary ops', () => {
      gradcheck((a) => T.neg(a!), [{ shape: [2, 3] }]);
      gradcheck((a) => T.tanh(a!), [{ shape: [3, 5], low: -2, high: 2 }]);
      gradcheck((a) => T.sigmoid(a!), [{ shape: [1, 7], low: -3, high: 3 }]);
      gradcheck((a) => T.relu(a!), [{ shape: [4, 3], avoidZero: 0.1 }]);
      gradcheck((a) => T.exp(a!), [{ shape: [5] }]);
      gradcheck((a) => T.log(a!), [{ shape: [2, 3], low: 0.5, high: 3 }]);
      gradcheck((a) => T.sqrt(a!), [{ shape: [2, 3], low: 0.5, high: 3 }]);
      gradcheck((a) => T.square(a!), [{ shape: [3, 1] }]);
      gradcheck((a) => T.abs(a!), [{ shape: [7], avoidZero: 0.1 }]);
    });

    it('sum and mean over axes', () => {
      gradcheck((a) => T.sum(a!), [{ shape: [3, 4] }]);
      gradcheck((a) => T.sum(a!, 0), [{ shape: [3, 4] }]);
      gradcheck((a) => T.sum(a!, [0, 2]), [{ shape: [3, 4, 5] }]);
      gradcheck((a) => T.sum(a!, -1, true), [{ shape: [3, 1, 5] }]);
      gradcheck((a) => T.mean(a!), [{ shape: [2, 3] }]);
      gradcheck((a) => T.mean(a!, 1, true), [{ shape: [2, 3, 2] }]);
    });

    it('reshape, transpose, permute', () => {
      gradcheck((a) => T.reshape(a!, [-1, 2]), [{ shape: [3, 4] }]);
      gradcheck((a) => T.transpose(a!, 0, 1), [{ shape: [3, 5] }]);
      gradcheck((a) => T.transpose(a!, 0, 2), [{ shape: [2, 1, 3] }]);
      gradcheck((a) => T.permute(a!, [2, 0, 1]), [{ shape: [2, 3, 4] }]);
    });

    it('concat, stack, split, slice, index', () => {
      gradcheck((a, b, c) => T.concat([a!, b!, c!], 1), [{ shape: [2, 3] }, { shape: [2, 1] }, { shape: [2, 4] }]);
      gradcheck((a, b) => T.concat([a!, b!], 0), [{ shape: [1, 3] }, { shape: [2, 3] }]);
      gradcheck((a, b) => T.stack([a!, b!], 1), [{ shape: [2, 3] }, { shape: [2, 3] }]);
      gradcheck((a, b) => T.stack([a!, b!], 0), [{ shape: [3] }, { shape: [3] }]);
      gradcheck((a) => T.split(a!, [1, 3, 1], 1), [{ shape: [2, 5] }]);
      gradcheck((a) => T.slice(a!, 1, 1, 3), [{ shape: [2, 4, 3] }]);
      gradcheck((a) => T.slice(a!, -1, -2, 3), [{ shape: [2, 3] }]);
      gradcheck((a) => [T.index(a!, 0), T.index(a!, 2), T.index(a!, 2)], [{ shape: [3, 2, 2] }]);
    });

    it('embedding (repeated ids accumulate)', () => {
      gradcheck((tbl) => T.embedding(tbl!, T.intTensor([1, 4, 1, 0, 6, 1], [2, 3])), [{ shape: [7, 3] }]);
      gradcheck((tbl) => T.embedding(tbl!, T.intTensor([0], [1])), [{ shape: [1, 5] }]);
    });

    it('embeddingLinear (repeated ids, all-distinct fallback, with and without bias)', () => {
      const rep = [1, 4, 1, 0, 6, 1, 4, 4]; // 4 distinct of 8: the per-distinct-id path
      const all = [3, 0, 5, 2]; // all distinct: the plain linear(embedding(…)) path
      for (const idv of [rep, all]) {
        gradcheck((tbl, w, b) => T.embeddingLinear(tbl!, T.intTensor(idv), w!, b!), [{ shape: [7, 3] }, { shape: [3, 5] }, { shape: [5] }]);
        gradcheck((tbl, w) => T.embeddingLinear(tbl!, T.intTensor(idv), w!), [{ shape: [7, 3] }, { shape: [3, 2] }]);
      }
      // a single repeated id, and the op feeding a second use of the same table
      gradcheck((tbl, w, b) => T.embeddingLinear(tbl!, T.intTensor([2, 2, 2]), w!, b!), [{ shape: [3, 1] }, { shape: [1, 4] }, { shape: [4] }]);
      gradcheck((tbl, w) => T.add(T.embeddingLinear(tbl!, T.intTensor([0, 1, 0, 0]), w!), T.embedding(tbl!, T.intTensor([1, 1, 0, 1]))),
        [{ shape: [2, 3] }, { shape: [3, 3] }]);
    });

    it('maskedFill (broadcast f32 mask and i32 mask)', () => {
      gradcheck((a) => T.maskedFill(a!, T.fromArray([1, 0, 0], [3, 1]), -1e4), [{ shape: [3, 4] }]);
      gradcheck((a) => T.maskedFill(a!, T.intTensor([0, 1, 1, 0, 0, 1], [2, 3]), 0), [{ shape: [2, 3] }]);
      gradcheck((a) => T.maskedFill(a!, T.intTensor([0, 0, 1], [3]), 5), [{ shape: [2, 2, 3] }]);
    });

    it('softmax and logSoftmax on any axis', () => {
      gradcheck((a) => T.softmax(a!), [{ shape: [3, 5], low: -2, high: 2 }]);
      gradcheck((a) => T.softmax(a!, 0), [{ shape: [3, 2], low: -2, high: 2 }]);
      gradcheck((a) => T.logSoftmax(a!), [{ shape: [2, 7], low: -2, high: 2 }]);
      gradcheck((a) => T.logSoftmax(a!, 1), [{ shape: [2, 3, 2], low: -2, high: 2 }]);
      gradcheck((a) => T.softmax(a!), [{ shape: [4, 1] }]);
    });

    it('dropout (fixed mask from the seeded rng)', () => {
      gradcheck((a) => T.dropout(a!, 0.3, new T.Rng(7)), [{ shape: [4, 5] }]);
      gradcheck((a) => T.dropout(a!, 0.3, new T.Rng(7), false), [{ shape: [2, 2] }]);
    });

    it('layerNorm', () => {
      gradcheck((x, g, b) => T.layerNorm(x!, g!, b!), [{ shape: [3, 6] }, { shape: [6], low: 0.5, high: 1.5 }, { shape: [6] }], { atol: 3e-3 });
      gradcheck((x, g, b) => T.layerNorm(x!, g!, b!), [{ shape: [2, 1, 5], low: -2, high: 2 }, { shape: [5] }, { shape: [5] }], { atol: 3e-3 });
    });

    it('lstmCell (both outputs, and c alone)', () => {
      gradcheck((g, c) => { const r = T.lstmCell(g!, c!); return [r.h, r.c]; }, [{ shape: [3, 8], low: -2, high: 2 }, { shape: [3, 2] }]);
      gradcheck((g, c) => T.lstmCell(g!, c!).c, [{ shape: [1, 20], low: -2, high: 2 }, { shape: [1, 5] }]);
      gradcheck((g, c) => T.lstmCell(g!, c!).h, [{ shape: [2, 4], low: -2, high: 2 }, { shape: [2, 1] }]);
    });

    it('gruCell', () => {
      gradcheck((x, h, p) => T.gruCell(x!, h!, p!), [{ shape: [3, 6], low: -2, high: 2 }, { shape: [3, 6], low: -2, high: 2 }, { shape: [3, 2] }]);
      gradcheck((x, h, p) => T.gruCell(x!, h!, p!), [{ shape: [1, 15] }, { shape: [1, 15] }, { shape: [1, 5] }]);
    });

    it('crossEntropy (ignore index, label smoothing, sum and mean)', () => {
      const tg = (): T.Tensor => T.intTensor([2, 0, 4, 1, 3], [5]);
      gradcheck((l) => T.crossEntropy(l!, tg()), [{ shape: [5, 5], low: -2, high: 2 }]);
      gradcheck((l) => T.crossEntropy(l!, tg(), { smoothing: 0.1 }), [{ shape: [5, 5], low: -2, high: 2 }]);
      gradcheck((l) => T.crossEntropy(l!, tg(), { ignoreIndex: -1, smoothing: 0.2, reduction: 'sum' }), [{ shape: [5, 5], low: -2, high: 2 }]);
      gradcheck((l) => T.crossEntropy(l!, T.intTensor([0], [1]), { ignoreIndex: -1 }), [{ shape: [1, 3] }]);
    });

    it('mseLoss with and without a mask', () => {
      gradcheck((p, t) => T.mseLoss(p!, t!), [{ shape: [3, 4] }, { shape: [3, 4] }]);
      gradcheck((p, t) => T.mseLoss(p!, t!, T.fromArray([1, 0, 1], [3, 1])), [{ shape: [3, 2] }, { shape: [3, 2] }]);
    });

    // ---- seeded random shapes: size-1 and odd dims, random broadcasting and axes ----
    // Each family draws from its own fixed-seed Rng, so a failure names a reproducible shape.
    const DIMS = [1, 2, 3, 5];
    const draws = (seed: number): { r: T.Rng; dim: () => number; shape: (rank: number) => number[]; int: (lo: number, hi: number) => number } => {
      const r = new T.Rng(seed);
      const int = (lo: number, hi: number): number => lo + r.int(hi - lo + 1); // lo..hi inclusive
      const dim = (): number => DIMS[r.int(DIMS.length)]!;
      return { r, dim, int, shape: (rank) => Array.from({ length: rank }, dim) };
    };
    /** A shape that broadcasts to `full`: some leading dims dropped, some others set to 1. */
    const broadcastFrom = (d: ReturnType<typeof draws>, full: number[]): number[] =>
      full.slice(d.r.uniform() < 0.5 ? 0 : d.int(1, full.length)).map((n) => (d.r.uniform() < 0.3 ? 1 : n));
    const RANDOM_DRAWS = 5;

    for (const [i, [name, f]] of ([['add', T.add], ['sub', T.sub], ['mul', T.mul], ['div', T.div]] as const).entries()) {
      it(`${name} with random broadcast shapes`, () => {
        const d = draws(101 + i);
        for (let k = 0; k < RANDOM_DRAWS; k++) {
          const full = d.shape(d.int(2, 3));
          const sa = broadcastFrom(d, full), sb = broadcastFrom(d, full);
          const bSpec = name === 'div' ? { shape: sb, low: 0.5, high: 2 } : { shape: sb };
          gradcheck((a, b) => f(a!, b!), [{ shape: sa }, bSpec], { seed: 7 + k });
        }
      });
    }

    it('sum and mean over random shapes and axes', () => {
      const d = draws(202);
      for (let k = 0; k < RANDOM_DRAWS; k++) {
        const rank = d.int(1, 3), shape = d.shape(rank);
        // a random non-empty subset of the axes, some written negative
        const axes = d.r.shuffle(Array.from({ length: rank }, (_, i) => i)).slice(0, d.int(1, rank))
          .map((ax) => (d.r.uniform() < 0.5 ? ax - rank : ax));
        const keep = d.r.uniform() < 0.5;
        const ax = axes.length === 1 && d.r.uniform() < 0.5 ? axes[0]! : axes;
        gradcheck((a) => T.sum(a!, ax, keep), [{ shape }]);
        gradcheck((a) => T.mean(a!, ax, keep), [{ shape }]);
      }
    });

    it('softmax and logSoftmax over random shapes and axes', () => {
      const d = draws(303);
      for (let k = 0; k < RANDOM_DRAWS; k++) {
        const rank = d.int(1, 3), shape = d.shape(rank), axis = d.int(-rank, rank - 1);
        gradcheck((a) => T.softmax(a!, axis), [{ shape, low: -2, high: 2 }]);
        gradcheck((a) => T.logSoftmax(a!, axis), [{ shape, low: -2, high: 2 }]);
      }
    });

    it('concat, slice and permute over random shapes and axes', () => {
      const d = draws(404);
      for (let k = 0; k < RANDOM_DRAWS; k++) {
        const rank = d.int(1, 3), base = d.shape(rank), axis = d.int(0, rank - 1);
        const parts = Array.from({ length: d.int(1, 3) }, () => base.map((n, i) => (i === axis ? d.dim() : n)));
        const cAxis = d.r.uniform() < 0.5 ? axis : axis - rank; // drawn once, outside the checked function
        gradcheck((...xs) => T.concat(xs, cAxis), parts.map((shape) => ({ shape })));

        const n = base[axis]!, start = d.int(0, n - 1), end = d.int(start + 1, n);
        gradcheck((a) => T.slice(a!, axis, start, end), [{ shape: base }]);

        const prank = d.int(1, 4), pshape = d.shape(prank);
        const perm = d.r.shuffle(Array.from({ length: prank }, (_, i) => i));
        gradcheck((a) => T.permute(a!, perm), [{ shape: pshape }]);
      }
    });

    it('a small composed model: embedding → lstm step → linear → crossEntropy', () => {
      gradcheck((tbl, w, b, wo) => {
        const x = T.embedding(tbl!, T.intTensor([1, 2], [2]));
        const gates = T.add(T.matmul(x, w!), b!);
        const { h } = T.lstmCell(gates, T.zeros([2, 2]));
        return T.crossEntropy(T.matmul(h, wo!), T.intTensor([1, 3], [2]), { smoothing: 0.1 });
      }, [{ shape: [4, 3] }, { shape: [3, 8] }, { shape: [8] }, { shape: [2, 4] }]);
    });
  });
}
