// Whole-sequence fused recurrences: finite-difference gradients, and the same values and
// gradients as the per-step composition of primitive ops they replace. Run once per backend.
import { describe, it, before, after } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { assertClose, gradcheck } from '../helpers/gradcheck.js';
import { testBackends, skipped } from '../helpers/backends.js';

const backends = await testBackends();
for (const reason of skipped) it(`backend skipped: ${reason}`, { skip: reason }, () => {});

type Tn = T.Tensor;

/** The per-step reference: lstmCell over slices, h·W_hh by matmul. */
function lstmSteps(xp: Tn, h0: Tn, c0: Tn, w: Tn): { h: Tn; c: Tn } {
  const B = h0.shape[0]!;
  const steps = xp.shape[0]! / B;
  let h = h0, c = c0;
  const hs: Tn[] = [], cs: Tn[] = [];
  for (let t = 0; t < steps; t++) {
    const r = T.lstmCell(T.add(T.slice(xp, 0, t * B, (t + 1) * B), T.matmul(h, w)), c);
    h = r.h; c = r.c;
    hs.push(h); cs.push(c);
  }
  return { h: T.concat(hs, 0), c: T.concat(cs, 0) };
}

/** The per-step reference of lstmAttentionSequence (as Decoder.core + Attention.step did it). */
function attnSteps(xp: Tn, h0: Tn, c0: Tn, feed0: Tn | null, whh: Tn, wf: Tn, mem: Tn, keys: Tn, mask: Tn | null, wc: Tn): Tn {
  const [B, H] = h0.shape as [number, number];
  const [, S, Hm] = mem.shape as [number, number, number];
  void S;
  const steps = xp.shape[0]! / B;
  let h = h0, c = c0, feed = feed0;
  const outs: Tn[] = [];
  for (let t = 0; t < steps; t++) {
    let g = T.slice(xp, 0, t * B, (t + 1) * B);
    if (feed !== null) g = T.add(g, T.matmul(feed, wf));
    const r = T.lstmCell(T.add(g, T.matmul(h, whh)), c);
    h = r.h; c = r.c;
    const q3 = T.reshape(h, [B, 1, H]);
    let scores = T.bmm(q3, keys, false, true);
    if (mask !== null) scores = T.maskedFill(scores, mask, -1e9);
    const alpha = T.softmax(scores, -1);
    const ctx = T.bmm(alpha, mem);
    const cat = T.reshape(T.concat([ctx, q3], 2), [B, Hm + H]);
    feed = T.tanh(T.matmul(cat, wc));
    outs.push(feed);
  }
  return T.concat(outs, 0);
}

function rand(shape: number[], rng: T.Rng, scale = 1): Tn {
  const n = shape.reduce((a, b) => a * b, 1);
  return T.fromArray(Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale), shape, true);
}

/** Forward values and every input gradient of f and g agree (loss = Σ out · R). */
function sameAsReference(make: () => Tn[], f: (xs: Tn[]) => Tn[], g: (xs: Tn[]) => Tn[]): void {
  const run = (fn: (xs: Tn[]) => Tn[]): { outs: number[][]; grads: number[][] } => T.tidy(() => {
    const xs = make();
    const outs = fn(xs);
    const rng = new T.Rng(99);
    for (const o of outs) o.gradBuffer().set(Float32Array.from({ length: o.size }, () => rng.normal()));
    T.runBackward();
    const res = { outs: outs.map((o) => o.toArray()), grads: xs.map((x) => (x.grad ? Array.from(x.grad) : new Array<number>(x.size).fill(0))) };
    return res;
  });
  const a = run(f), b = run(g);
  a.outs.forEach((o, i) => assertClose(o, b.outs[i]!, 1e-5, 1e-4, `output ${i}`));
  a.grads.forEach((o, i) => assertClose(o, b.grads[i]!, 1e-5, 1e-4, `gradient of input ${i}`));
}

for (const bk of backends) {
  describe(`fused recurrences on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    it('lstmSequence: finite differences (both outputs; odd and size-1 dims)', () => {
      gradcheck((x, h, c, w) => { const r = T.lstmSequence(x!, h!, c!, w!); return [r.h, r.c]; },
        [{ shape: [6, 8], low: -2, high: 2 }, { shape: [2, 2] }, { shape: [2, 2] }, { shape: [2, 8] }]);
      gradcheck((x, h, c, w) => T.lstmSequence(x!, h!, c!, w!).h, [{ shape: [3, 12] }, { shape: [3, 3] }, { shape: [3, 3] }, { shape: [3, 12] }]);
      gradcheck((x, h, c, w) => T.lstmSequence(x!, h!, c!, w!).c, [{ shape: [4, 4] }, { shape: [1, 1] }, { shape: [1, 1] }, { shape: [1, 4] }]);
    });

    it('lstmSequence equals lstmCell steps (values and gradients)', () => {
      const B = 5, H = 7, steps = 4;
      const make = (): Tn[] => { const r = new T.Rng(3); return [rand([steps * B, 4 * H], r), rand([B, H], r), rand([B, H], r), rand([H, 4 * H], r, 0.3)]; };
      sameAsReference(make, ([x, h, c, w]) => { const r = T.lstmSequence(x!, h!, c!, w!); return [r.h, r.c]; },
        ([x, h, c, w]) => { const r = lstmSteps(x!, h!, c!, w!); return [r.h, r.c]; });
    });

    it('lstmAttentionSequence: finite differences (mask, feed, Hm ≠ H)', () => {
      const B = 2, H = 2, S = 3, Hm = 3, steps = 3;
      const mask = (): Tn => T.intTensor([0, 0, 1, 0, 0, 0], [B, 1, S]);
      gradcheck((x, h, c, f, whh, wf, m, k, wc) => T.lstmAttentionSequence({
        xp: x!, h0: h!, c0: c!, feed0: f!, weightHh: whh!, weightFeed: wf!, memory: m!, keys: k!, mask: mask(), weightC: wc!,
      }), [{ shape: [steps * B, 4 * H], low: -2, high: 2 }, { shape: [B, H] }, { shape: [B, H] }, { shape: [B, H] }, { shape: [H, 4 * H] },
        { shape: [H, 4 * H] }, { shape: [B, S, Hm] }, { shape: [B, S, H] }, { shape: [Hm + H, H] }]);
      // no feed, no mask, one step, batch 1
      gradcheck((x, h, c, whh, wf, m, k, wc) => T.lstmAttentionSequence({
        xp: x!, h0: h!, c0: c!, feed0: null, weightHh: whh!, weightFeed: wf!, memory: m!, keys: k!, mask: null, weightC: wc!,
      }), [{ shape: [1, 8] }, { shape: [1, 2] }, { shape: [1, 2] }, { shape: [2, 8] }, { shape: [2, 8] }, { shape: [1, 1, 2] }, { shape: [1, 1, 2] }, { shape: [4, 2] }]);
      // dot attention: keys are the memory itself (both gradients land in one tensor)
      gradcheck((x, h, c, whh, wf, m, wc) => T.lstmAttentionSequence({
        xp: x!, h0: h!, c0: c!, feed0: null, weightHh: whh!, weightFeed: wf!, memory: m!, keys: m!, mask: null, weightC: wc!,
      }), [{ shape: [4, 8] }, { shape: [2, 2] }, { shape: [2, 2] }, { shape: [2, 8] }, { shape: [2, 8] }, { shape: [2, 3, 2] }, { shape: [4, 2] }]);
    });

    it('lstmAttentionSequence equals the per-step ops (values and gradients)', () => {
      const B = 4, H = 6, S = 5, Hm = 6, steps = 5;
      const make = (): Tn[] => {
        const r = new T.Rng(5);
        return [rand([steps * B, 4 * H], r), rand([B, H], r), rand([B, H], r), rand([B, H], r), rand([H, 4 * H], r, 0.3), rand([H, 4 * H], r, 0.3),
          rand([B, S, Hm], r), rand([B, S, H], r), rand([Hm + H, H], r, 0.5)];
      };
      const mask = (): Tn => T.intTensor(Array.from({ length: B * S }, (_, i) => (i % S >= S - (i / S | 0) ? 1 : 0)), [B, 1, S]);
      sameAsReference(make, ([x, h, c, f, whh, wf, m, k, wc]) => [T.lstmAttentionSequence({
        xp: x!, h0: h!, c0: c!, feed0: f!, weightHh: whh!, weightFeed: wf!, memory: m!, keys: k!, mask: mask(), weightC: wc!,
      })], ([x, h, c, f, whh, wf, m, k, wc]) => [attnSteps(x!, h!, c!, f!, whh!, wf!, m!, k!, mask(), wc!)]);
    });
  });
}
