// Optimizers, gradient clipping, LR schedules and the RNG.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { assertClose } from '../helpers/gradcheck.js';

/** A [2] parameter at [1, −2] whose gradient we set by hand for each step. */
function param(): T.Tensor {
  return T.parameter([2], (t) => t.f32.set([1, -2]));
}
const grads = [[0.5, 0.25], [-1, 0]];

function run(make: (p: T.Tensor) => T.Optimizer): number[][] {
  const p = param();
  const opt = make(p);
  return grads.map((g) => {
    p.gradBuffer().set(g);
    opt.step();
    return p.toArray();
  });
}

describe('optimizers', () => {
  // Expected values: the textbook update written out in float64 (Python):
  //   m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
  //   with g += wd·p first (Adam) or p −= lr·wd·p first (AdamW); lr 0.1, β (0.9, 0.999), ε 1e-8.
  it('Adam: two steps', () => {
    const r = run((p) => new T.Adam([p], { lr: 0.1 }));
    assertClose(r[0]!, [0.900000002, -2.099999996], 1e-6);
    assertClose(r[1]!, [0.9366103542405654, -2.167005817622284], 1e-6);
  });

  it('Adam with L2 weight decay: two steps', () => {
    const r = run((p) => new T.Adam([p], { lr: 0.1, weightDecay: 0.1 }));
    assertClose(r[0]!, [0.9000000016666666, -2.099999980000004], 1e-6);
    assertClose(r[1]!, [0.9252635194456061, -2.043120528202705], 1e-6);
  });

  it('AdamW (decoupled weight decay): two steps', () => {
    const r = run((p) => new T.AdamW([p], { lr: 0.1, weightDecay: 0.1 }));
    assertClose(r[0]!, [0.890000002, -2.079999996], 1e-6);
    assertClose(r[1]!, [0.9177103542205653, -2.1262058176622842], 1e-6);
  });

  it('SGD with momentum and weight decay: two steps', () => {
    // v = μv + g + wd·p; p −= lr·v (lr 0.1, μ 0.9, wd 0.1), element 0:
    //   g₁ = 0.5 + 0.1 = 0.6, v = 0.6, p = 0.94; g₂ = −1 + 0.094 = −0.906, v = 0.54 − 0.906 = −0.366, p = 0.9766
    // element 1: g₁ = 0.25 − 0.2 = 0.05, v = 0.05, p = −2.005; g₂ = −0.2005, v = 0.045 − 0.2005 = −0.1555, p = −1.98945
    const r = run((p) => new T.SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }));
    assertClose(r[0]!, [0.94, -2.005], 1e-6);
    assertClose(r[1]!, [0.9766, -1.98945], 1e-6);
    // plain SGD: p −= lr·g → [0.95, −2.025], then [1.05, −2.025]
    const s = run((p) => new T.SGD([p], { lr: 0.1 }));
    assertClose(s[1]!, [1.05, -2.025], 1e-6);
  });

  it('zeroGrad, settable lr, parameters without a gradient are skipped', () => {
    const p = param();
    const q = param();
    const opt = new T.SGD([p, q], { lr: 1 });
    p.gradBuffer().set([1, 1]);
    opt.lr = 0.5;
    opt.step();
    assert.deepEqual(p.toArray(), [0.5, -2.5]);
    assert.deepEqual(q.toArray(), [1, -2]);
    opt.zeroGrad();
    assert.deepEqual(Array.from(p.grad!), [0, 0]);
  });

  it('stateDict/loadStateDict resume Adam exactly', () => {
    const a = param();
    const optA = new T.Adam([a], { lr: 0.05 });
    const stepWith = (opt: T.Optimizer, p: T.Tensor, g: number[]): void => { p.gradBuffer().set(g); opt.step(); };
    stepWith(optA, a, [0.3, -0.1]);
    stepWith(optA, a, [0.2, 0.4]);
    const saved = optA.stateDict();
    const b = T.parameter([2], (t) => t.f32.set(a.f32));
    const optB = new T.Adam([b], { lr: 0.05 });
    optB.loadStateDict(saved);
    assert.equal(optB.stepCount, 2);
    stepWith(optA, a, [-0.5, 0.1]);
    stepWith(optB, b, [-0.5, 0.1]);
    assert.deepEqual(b.toArray(), a.toArray());
    // the saved state is a copy, not a view of the live buffers
    assert.notEqual(saved.slots['m']![0], optA.stateDict().slots['m']![0]);
  });

  it('rejects bad parameter lists', () => {
    assert.throws(() => new T.Adam([], { lr: 1 }), /Adam: needs a non-empty list of parameters/);
    assert.throws(() => new T.SGD([T.zeros([2])], { lr: 1 }), /SGD: every parameter must be a float32 tensor with requiresGrad/);
  });
});

describe('clipGradNorm', () => {
  it('scales all gradients by maxNorm / total and returns the total', () => {
    const p = T.parameter([2]);
    const q = T.parameter([1]);
    p.gradBuffer().set([3, 4]);
    q.gradBuffer().set([12]);
    // √(9 + 16 + 144) = 13; maxNorm 6.5 halves every gradient
    const total = T.clipGradNorm([p, q], 6.5);
    assertClose([total], [13], 1e-6);
    assertClose(Array.from(p.grad!), [1.5, 2], 1e-5);
    assertClose(Array.from(q.grad!), [6], 1e-5);
    // under the limit: untouched
    assertClose([T.clipGradNorm([p, q], 100)], [6.5], 1e-5);
    assertClose(Array.from(q.grad!), [6], 1e-5);
  });
});

describe('LR schedules', () => {
  const steps = (s: T.LrSchedule, n: number): number[] => Array.from({ length: n }, (_, i) => s.lrAt(i + 1));

  it('constant', () => {
    assert.deepEqual(steps(new T.ConstantLr(0.3), 3), [0.3, 0.3, 0.3]);
  });

  it('step decay: ×γ every stepSize steps', () => {
    assert.deepEqual(steps(new T.StepDecay({ lr: 1, stepSize: 2, gamma: 0.5 }), 6), [1, 1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('linear warmup then inverse square root', () => {
    // lr · min(s/4, √(4/s))
    assertClose(steps(new T.WarmupInverseSqrt({ lr: 1, warmup: 4 }), 8),
      [0.25, 0.5, 0.75, 1, Math.sqrt(4 / 5), Math.sqrt(4 / 6), Math.sqrt(4 / 7), Math.sqrt(4 / 8)], 1e-12);
  });

  it("fairseq's inverse_sqrt: linear from warmup-init-lr, update k uses k − 1 updates done", () => {
    // fairseq: lr_step = (lr − init)/W; after n updates lr = init + n·lr_step (n < W), else lr·√W/√n;
    // update k runs with n = k − 1. Here lr 1, W 4, init 0.2: lr_step 0.2.
    assertClose(steps(new T.FairseqInverseSqrt({ lr: 1, warmup: 4, warmupInitLr: 0.2 }), 8),
      [0.2, 0.4, 0.6, 0.8, 1, Math.sqrt(4 / 5), Math.sqrt(4 / 6), Math.sqrt(4 / 7)], 1e-12);
    // fairseq's default init (0 when --warmup-init-lr is not given), and far past the warm-up: 5e-4·√4000/√99999
    const d = new T.FairseqInverseSqrt({ lr: 5e-4, warmup: 4000 });
    assert.equal(d.lrAt(1), 0);
    assertClose([d.lrAt(2001), d.lrAt(4001), d.lrAt(100000)], [2.5e-4, 5e-4, 5e-4 * Math.sqrt(4000 / 99999)], 1e-15);
    // Vaswani's noam peaks one update earlier and never starts at 0
    const noam = new T.WarmupInverseSqrt({ lr: 5e-4, warmup: 4000 });
    assertClose([noam.lrAt(1), noam.lrAt(4000), noam.lrAt(4001)], [5e-4 / 4000, 5e-4, 5e-4 * Math.sqrt(4000 / 4001)], 1e-15);
    assert.throws(() => new T.FairseqInverseSqrt({ lr: 1, warmup: 0 }), /warmup must be ≥ 1/);
  });

  it('reduce on plateau, with resume', () => {
    const make = (): T.ReduceOnPlateau => new T.ReduceOnPlateau({ lr: 1, factor: 0.5, patience: 1, minLr: 0.2 });
    const scores = [5, 4, 4, 4, 4, 4, 3, 3, 3, 3];
    // improvements at 5, 4, 3; each second non-improving score halves lr, floored at 0.2
    const expected = [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2];
    const s = make();
    assert.deepEqual(scores.map((x) => s.observe(x)), expected);
    const a = make();
    scores.slice(0, 5).forEach((x) => a.observe(x));
    const b = make();
    b.loadState(JSON.parse(JSON.stringify(a.state())) as Record<string, number>);
    assert.deepEqual(scores.slice(5).map((x) => b.observe(x)), expected.slice(5));
    assert.equal(b.lrAt(100), 0.2);
    // 'max' mode (BLEU-like): rising scores never reduce
    const m = new T.ReduceOnPlateau({ lr: 1, patience: 0, mode: 'max' });
    assert.deepEqual([10, 11, 12].map((x) => m.observe(x)), [1, 1, 1]);
    assert.equal(m.observe(12), 0.5);
  });
});

describe('Rng', () => {
  it('matches the xoshiro128** reference stream', () => {
    // reference C implementation from state {1, 2, 3, 4}
    const r = new T.Rng();
    r.setState([1, 2, 3, 4]);
    assert.deepEqual([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()], [11520, 0, 5927040, 70819200]);
  });

  it('is deterministic per seed and resumes from its state', () => {
    const a = new T.Rng(99);
    const b = new T.Rng(99);
    const xs = Array.from({ length: 20 }, () => a.uniform());
    assert.deepEqual(Array.from({ length: 20 }, () => b.uniform()), xs);
    assert.notDeepEqual(Array.from({ length: 20 }, () => new T.Rng(100).uniform()), xs.slice(0, 1));
    const state = a.getState();
    const next = [a.normal(), a.int(10), a.uniform()];
    const c = new T.Rng(1);
    c.setState(JSON.parse(JSON.stringify(state)) as number[]);
    assert.deepEqual([c.normal(), c.int(10), c.uniform()], next);
  });

  it('has sane distributions', () => {
    const r = new T.Rng(5);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1 && Math.fround(u) < 1);
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    assert.ok(Math.abs(s / n) < 0.03, `normal mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - 1) < 0.05, `normal variance ${s2 / n}`);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.int(5)]!++;
    assert.ok(counts.every((c) => c > 900 && c < 1100), `int(5) counts ${counts.join(',')}`);
    const arr = r.shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(arr.slice().sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('initialisers', () => {
    const r = new T.Rng(1);
    const w = T.parameter([30, 50], (t) => T.xavierUniform(t, r));
    const a = Math.sqrt(6 / 80);
    assert.ok(w.toArray().every((x) => Math.abs(x) <= a));
    assert.ok(w.requiresGrad && w.persistent);
    const u = T.parameter([100], (t) => T.uniformInit(t, 0.1, r));
    assert.ok(u.toArray().every((x) => Math.abs(x) <= 0.1));
    const nrm = T.parameter([2000], (t) => T.normalInit(t, 0.02, r));
    const sd = Math.sqrt(nrm.toArray().reduce((x, y) => x + y * y, 0) / 2000);
    assert.ok(Math.abs(sd - 0.02) < 0.002, `std ${sd}`);
    assert.deepEqual(T.zerosInit(u).toArray(), new Array(100).fill(0));
    assert.deepEqual(T.parameter([2], 0.5).toArray(), [0.5, 0.5]);
  });
});
