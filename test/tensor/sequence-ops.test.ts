// The fused sequence ops for every cell (recurrentSequence: LSTM, GRU, RNN), the stacked attention
// decoder (decoderSequence: any cell, any layer count, dot/general/Bahdanau attention) and the
// attention op: finite-difference gradients, and the same values and gradients as the per-step
// composition of primitive ops (written out here, independent of the ops' shared cores). Run once
// per backend (js, wasm with 1 and 2 threads).
import { describe, it, before, after } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { assertClose, gradcheck } from '../helpers/gradcheck.js';
import { testBackends, skipped } from '../helpers/backends.js';

const backends = await testBackends();
for (const reason of skipped) it(`backend skipped: ${reason}`, { skip: reason }, () => {});

type Tn = T.Tensor;
type Cell = T.SequenceCell;
type Score = T.AttentionScore;

const gates = (k: Cell): number => (k === 'lstm' ? 4 : k === 'gru' ? 3 : 1);

/** One cell step from primitives: pre is the input-side pre-activation [B, G·H]. */
function cellStep(kind: Cell, pre: Tn, h: Tn, c: Tn | null, whh: Tn, bhh: Tn | null): { h: Tn; c: Tn | null } {
  if (kind === 'lstm') return T.lstmCell(T.add(pre, T.matmul(h, whh)), c!);
  if (kind === 'gru') return { h: T.gruCell(pre, T.add(T.matmul(h, whh), bhh!), h), c: null };
  return { h: T.tanh(T.add(pre, T.matmul(h, whh))), c: null };
}

function seqSteps(kind: Cell, xp: Tn, h0: Tn, c0: Tn | null, whh: Tn, bhh: Tn | null): Tn[] {
  const B = h0.shape[0]!;
  const steps = xp.shape[0]! / B;
  let s = { h: h0, c: c0 };
  const hs: Tn[] = [], cs: Tn[] = [];
  for (let t = 0; t < steps; t++) {
    s = cellStep(kind, T.slice(xp, 0, t * B, (t + 1) * B), s.h, s.c, whh, bhh);
    hs.push(s.h);
    if (s.c) cs.push(s.c);
  }
  return kind === 'lstm' ? [T.concat(hs, 0), T.concat(cs, 0)] : [T.concat(hs, 0)];
}

/** Attention from primitives (as nn/attention.ts composed it): q3 [B, Q, H] → h̃ [B·Q, H], α [B, Q, S]. */
function attnRef(kind: Score, q3: Tn, mem: Tn, keys: Tn, mask: Tn | null, wc: Tn, w2: Tn | null, v: Tn | null): { out: Tn; alpha: Tn } {
  const [B, Q, H] = q3.shape as [number, number, number];
  const [, S, Hm] = mem.shape as [number, number, number];
  let scores: Tn;
  if (kind === 'bahdanau') {
    const e = T.tanh(T.add(T.reshape(keys, [B, 1, S, H]), T.reshape(T.matmul(T.reshape(q3, [B * Q, H]), w2!), [B, Q, 1, H])));
    scores = T.reshape(T.matmul(T.reshape(e, [B * Q * S, H]), T.reshape(v!, [H, 1])), [B, Q, S]);
  } else {
    scores = T.bmm(q3, keys, false, true);
  }
  if (mask !== null) scores = T.maskedFill(scores, mask, -1e9);
  const alpha = T.softmax(scores, -1);
  const ctx = T.bmm(alpha, mem);
  return { out: T.tanh(T.matmul(T.reshape(T.concat([ctx, q3], 2), [B * Q, Hm + H]), wc)), alpha };
}

interface DecCase {
  kind: Cell;
  score: Score;
  L: number;
  B: number;
  H: number;
  S: number;
  Hm: number;
  steps: number;
  feed: boolean;
  mask: boolean;
  drop: boolean;
}

/**
 * The inputs of decoderSequence as a flat tensor list (for gradcheck and the reference), in order:
 * xp, weightFeed, memory, keys, weightC, [feed0], [w2, v], then per layer [weightIh, bias] (l > 0),
 * weightHh, [biasHh], h0, [c0].
 */
function decSpecs(c: DecCase): { shape: number[]; low?: number; high?: number }[] {
  const G = gates(c.kind) * c.H;
  const s: { shape: number[]; low?: number; high?: number }[] = [
    { shape: [c.steps * c.B, G], low: -1.5, high: 1.5 }, { shape: [c.H, G] }, { shape: [c.B, c.S, c.Hm] }, { shape: [c.B, c.S, c.H] }, { shape: [c.Hm + c.H, c.H] },
  ];
  if (c.feed) s.push({ shape: [c.B, c.H] });
  if (c.score === 'bahdanau') s.push({ shape: [c.H, c.H] }, { shape: [c.H, 1] });
  for (let l = 0; l < c.L; l++) {
    if (l > 0) s.push({ shape: [c.H, G] }, { shape: [G] });
    s.push({ shape: [c.H, G] });
    if (c.kind === 'gru') s.push({ shape: [G] });
    s.push({ shape: [c.B, c.H] });
    if (c.kind === 'lstm') s.push({ shape: [c.B, c.H] });
  }
  return s;
}

function unpack(c: DecCase, xs: Tn[]) {
  let i = 0;
  const next = (): Tn => xs[i++]!;
  const xp = next(), wf = next(), mem = next(), keys0 = next(), wc = next();
  const feed0 = c.feed ? next() : null;
  const w2 = c.score === 'bahdanau' ? next() : null;
  const v = c.score === 'bahdanau' ? next() : null;
  const layers: T.DecoderLayerInputs[] = [];
  for (let l = 0; l < c.L; l++) {
    const weightIh = l > 0 ? next() : null;
    const bias = l > 0 ? next() : null;
    const weightHh = next();
    const biasHh = c.kind === 'gru' ? next() : null;
    const h0 = next();
    const c0 = c.kind === 'lstm' ? next() : null;
    const dropMask = l > 0 && c.drop ? T.dropoutMask([c.steps * c.B, c.H], 0.3, new T.Rng(40 + l)) : null;
    layers.push({ weightIh, bias, weightHh, biasHh, h0, c0, dropMask });
  }
  // dot attention reads the memory itself as keys (both gradients land in one tensor)
  const keys = c.score === 'dot' && c.Hm === c.H ? mem : keys0;
  const mask = c.mask ? T.intTensor(Array.from({ length: c.B * c.S }, (_, j) => (j % c.S >= c.S - (j / c.S | 0) % c.S ? 1 : 0)), [c.B, 1, c.S]) : null;
  return { xp, wf, mem, keys, wc, feed0, w2, v, layers, mask };
}

function fused(c: DecCase, xs: Tn[]): Tn {
  const u = unpack(c, xs);
  return T.decoderSequence({
    cell: c.kind, xp: u.xp, layers: u.layers, feed0: u.feed0, weightFeed: u.wf,
    attention: { kind: c.score, memory: u.mem, keys: u.keys, mask: u.mask, weightC: u.wc, w2: u.w2, v: u.v },
  });
}

/** The same decoder step by step from primitives. */
function stepwise(c: DecCase, xs: Tn[]): Tn {
  const u = unpack(c, xs);
  const { B, H } = c;
  let st = u.layers.map((l) => ({ h: l.h0, c: l.c0 }));
  let feed = u.feed0;
  const outs: Tn[] = [];
  for (let t = 0; t < c.steps; t++) {
    let pre = T.slice(u.xp, 0, t * B, (t + 1) * B);
    if (feed !== null) pre = T.add(pre, T.matmul(feed, u.wf));
    const next: { h: Tn; c: Tn | null }[] = [];
    for (let l = 0; l < c.L; l++) {
      const lay = u.layers[l]!;
      if (l > 0) {
        let x = next[l - 1]!.h;
        if (lay.dropMask !== null) x = T.mul(x, T.slice(lay.dropMask, 0, t * B, (t + 1) * B));
        pre = T.add(T.matmul(x, lay.weightIh!), lay.bias!);
      }
      next.push(cellStep(c.kind, pre, st[l]!.h, st[l]!.c, lay.weightHh, lay.biasHh));
    }
    st = next;
    feed = attnRef(c.score, T.reshape(st[c.L - 1]!.h, [B, 1, H]), u.mem, u.keys, u.mask, u.wc, u.w2, u.v).out;
    outs.push(feed);
  }
  return T.concat(outs, 0);
}

function rand(shape: number[], rng: T.Rng, scale = 1): Tn {
  const n = shape.reduce((a, b) => a * b, 1);
  return T.fromArray(Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale), shape, true);
}

function makeInputs(specs: { shape: number[]; low?: number; high?: number }[], seed: number): () => Tn[] {
  return () => {
    const r = new T.Rng(seed);
    return specs.map((s) => rand(s.shape, r, s.shape.length === 2 && s.shape[0] !== s.shape[1] ? 0.4 : 0.8));
  };
}

/** Forward values and every input gradient of f and g agree (loss = Σ out · R). */
export function sameAsReference(make: () => Tn[], f: (xs: Tn[]) => Tn[], g: (xs: Tn[]) => Tn[], atol = 1e-5, rtol = 1e-4): void {
  const run = (fn: (xs: Tn[]) => Tn[]): { outs: number[][]; grads: number[][] } => T.tidy(() => {
    const xs = make();
    const outs = fn(xs);
    const rng = new T.Rng(99);
    for (const o of outs) o.gradBuffer().set(Float32Array.from({ length: o.size }, () => rng.normal()));
    T.runBackward();
    return { outs: outs.map((o) => o.toArray()), grads: xs.map((x) => (x.grad ? Array.from(x.grad) : new Array<number>(x.size).fill(0))) };
  });
  const a = run(f), b = run(g);
  a.outs.forEach((o, i) => assertClose(o, b.outs[i]!, atol, rtol, `output ${i}`));
  a.grads.forEach((o, i) => assertClose(o, b.grads[i]!, atol, rtol, `gradient of input ${i}`));
}

const DEC_CASES: DecCase[] = [
  { kind: 'gru', score: 'general', L: 1, B: 3, H: 5, S: 4, Hm: 6, steps: 4, feed: true, mask: true, drop: false },
  { kind: 'rnn', score: 'dot', L: 1, B: 2, H: 4, S: 3, Hm: 4, steps: 3, feed: false, mask: true, drop: false },
  { kind: 'lstm', score: 'general', L: 2, B: 3, H: 4, S: 5, Hm: 3, steps: 3, feed: true, mask: false, drop: true },
  { kind: 'lstm', score: 'bahdanau', L: 1, B: 4, H: 6, S: 5, Hm: 6, steps: 4, feed: true, mask: true, drop: false },
  { kind: 'gru', score: 'bahdanau', L: 3, B: 2, H: 3, S: 4, Hm: 5, steps: 3, feed: true, mask: true, drop: true },
  { kind: 'rnn', score: 'bahdanau', L: 2, B: 1, H: 2, S: 1, Hm: 2, steps: 1, feed: false, mask: false, drop: false },
];

for (const bk of backends) {
  describe(`fused sequence ops on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    for (const kind of ['gru', 'rnn'] as const) {
      it(`recurrentSequence(${kind}): finite differences and equal to cell steps`, () => {
        const G = gates(kind);
        const args = (xs: Tn[]): [Tn, Tn, Tn, Tn | null] => [xs[0]!, xs[1]!, xs[2]!, kind === 'gru' ? xs[3]! : null];
        const specs = (B: number, H: number, steps: number) => {
          const s = [{ shape: [steps * B, G * H], low: -2, high: 2 }, { shape: [B, H] }, { shape: [H, G * H] }];
          return kind === 'gru' ? [...s, { shape: [G * H] }] : s;
        };
        gradcheck((...xs) => { const [x, h, w, b] = args(xs); return T.recurrentSequence(kind, x, h, null, w, b).h; }, specs(2, 3, 3));
        gradcheck((...xs) => { const [x, h, w, b] = args(xs); return T.recurrentSequence(kind, x, h, null, w, b).h; }, specs(1, 1, 1));
        sameAsReference(makeInputs(specs(5, 7, 4), 3),
          (xs) => { const [x, h, w, b] = args(xs); return [T.recurrentSequence(kind, x, h, null, w, b).h]; },
          (xs) => { const [x, h, w, b] = args(xs); return seqSteps(kind, x, h, null, w, b); });
      });
    }

    it('recurrentSequence rejects a c0 for GRU and a missing biasHh', () => {
      const x = T.zeros([2, 6]), h = T.zeros([1, 2]), w = T.zeros([2, 6]);
      throws(() => T.recurrentSequence('gru', x, h, null, w, null), /needs biasHh/);
      throws(() => T.recurrentSequence('gru', x, h, h, w, T.zeros([6])), /c0 is for LSTM only/);
      throws(() => T.recurrentSequence('rnn', x, h, null, w, null), /xp must be \[T·B, 1H\]/);
    });

    for (const c of DEC_CASES) {
      const name = `${c.L}-layer ${c.kind}, ${c.score}${c.feed ? ', feed' : ''}${c.mask ? ', mask' : ''}${c.drop ? ', dropout' : ''}`;
      it(`decoderSequence (${name}) equals the per-step ops (values and gradients)`, () => {
        sameAsReference(makeInputs(decSpecs(c), 5 + c.L), (xs) => [fused(c, xs)], (xs) => [stepwise(c, xs)]);
      });
    }

    it('decoderSequence: finite differences (GRU 2 layers + Bahdanau + mask + dropout; LSTM 2 layers general; RNN dot)', () => {
      const cases: DecCase[] = [
        { kind: 'gru', score: 'bahdanau', L: 2, B: 2, H: 2, S: 3, Hm: 3, steps: 3, feed: true, mask: true, drop: true },
        { kind: 'lstm', score: 'general', L: 2, B: 2, H: 2, S: 2, Hm: 2, steps: 2, feed: false, mask: false, drop: false },
        { kind: 'rnn', score: 'dot', L: 1, B: 2, H: 2, S: 3, Hm: 2, steps: 3, feed: true, mask: true, drop: false },
      ];
      for (const c of cases) gradcheck((...xs) => fused(c, xs), decSpecs(c));
    });

    for (const score of ['dot', 'general', 'bahdanau'] as const) {
      it(`attention(${score}): one query and many queries equal the primitive ops; finite differences`, () => {
        const B = 3, S = 4, H = 5, Hm = score === 'dot' ? 5 : 6;
        const mask = (): Tn => T.intTensor(Array.from({ length: B * S }, (_, j) => (j % S >= S - (j / S | 0) ? 1 : 0)), [B, 1, S]);
        for (const Q of [1, 3]) {
          const specs = [[B, Q, H], [B, S, Hm], [B, S, H], [Hm + H, H], [H, H], [H, 1]].map((shape) => ({ shape }));
          const split = (xs: Tn[]) => ({ q: xs[0]!, m: xs[1]!, k: score === 'dot' ? xs[1]! : xs[2]!, wc: xs[3]!, w2: score === 'bahdanau' ? xs[4]! : null, v: score === 'bahdanau' ? xs[5]! : null });
          sameAsReference(makeInputs(specs, 11 + Q), (xs) => {
            const u = split(xs);
            const r = T.attention({ kind: score, query: u.q, memory: u.m, keys: u.k, mask: mask(), weightC: u.wc, w2: u.w2, v: u.v });
            return [r.out, r.alpha];
          }, (xs) => {
            const u = split(xs);
            const r = attnRef(score, u.q, u.m, u.k, mask(), u.wc, u.w2, u.v);
            return [r.out, r.alpha];
          });
        }
        const small = [[2, 2, 2], [2, 3, score === 'dot' ? 2 : 3], [2, 3, 2], [(score === 'dot' ? 2 : 3) + 2, 2], [2, 2], [2, 1]].map((shape) => ({ shape }));
        gradcheck((...xs) => {
          const k = score === 'dot' ? xs[1]! : xs[2]!;
          const r = T.attention({ kind: score, query: xs[0]!, memory: xs[1]!, keys: k, mask: T.intTensor([0, 0, 1, 0, 0, 0], [2, 1, 3]), weightC: xs[3]!, w2: score === 'bahdanau' ? xs[4]! : null, v: score === 'bahdanau' ? xs[5]! : null });
          return [r.out, r.alpha];
        }, small);
      });
    }
  });
}

function throws(fn: () => unknown, re: RegExp): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  if (!(err instanceof Error) || !re.test(err.message)) throw new Error(`expected an error matching ${re}, got ${String(err)}`);
}
