// The fused sequence ops on the wasm backend (1 and 2 threads) against the js reference, on
// awkward sizes: every output and every input gradient. The ops are built from backend kernels
// (gemm, cells, softmax, strided adds), so this pins the wasm kernels in the combinations and
// sub-array offsets the sequence loops use.
import { describe, it, after } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import type { Backend } from '../../src/kernels/backend.js';
import { testBackends, skipped } from '../helpers/backends.js';
import { close, rng } from './helpers.js';

const wasm = (await testBackends()).filter((b) => b.name !== 'js');
for (const reason of skipped) it(`backend skipped: ${reason}`, { skip: reason }, () => {});

type Tn = T.Tensor;

interface Result { outs: Float32Array[]; grads: Float32Array[] }

/** Runs fn on inputs of `shapes` (seeded values) under `be`: outputs, and gradients of Σ out · R. */
function run(be: Backend, shapes: number[][], fn: (xs: Tn[]) => Tn[]): Result {
  T.setBackend(be);
  return T.tidy(() => {
    const r = rng(7);
    // weights [fan-in, ·] scaled by 1/√fan-in (as initialisers do), so that wide layers do not
    // saturate: a saturated tanh's gradient 1 − y² loses its digits to cancellation
    const scale = (s: number[]): number => (s.length === 2 && s[0]! > 8 ? 0.6 / Math.sqrt(s[0]!) : 0.6);
    const xs = shapes.map((s) => T.fromArray(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * scale(s)), s, true));
    const outs = fn(xs);
    const rr = rng(9);
    for (const o of outs) o.gradBuffer().set(Float32Array.from({ length: o.size }, () => rr() * 2 - 1));
    T.runBackward();
    return { outs: outs.map((o) => Float32Array.from(o.f32)), grads: xs.map((x) => (x.grad ? Float32Array.from(x.grad) : new Float32Array(x.size))) };
  });
}

function compare(a: Result, b: Result, what: string): void {
  a.outs.forEach((o, i) => close(o, b.outs[i]!, 1e-4, 2e-5, `${what}: output ${i}`));
  a.grads.forEach((g, i) => close(g, b.grads[i]!, 1e-4, 5e-5, `${what}: gradient ${i}`));
}

const gates = (k: T.SequenceCell): number => (k === 'lstm' ? 4 : k === 'gru' ? 3 : 1);

function seqCase(kind: T.SequenceCell, B: number, H: number, steps: number): { shapes: number[][]; fn: (xs: Tn[]) => Tn[] } {
  const G = gates(kind) * H;
  const shapes = [[steps * B, G], [B, H], [H, G], kind === 'lstm' ? [B, H] : [G]];
  return {
    shapes,
    fn: (xs) => {
      const r = T.recurrentSequence(kind, xs[0]!, xs[1]!, kind === 'lstm' ? xs[3]! : null, xs[2]!, kind === 'gru' ? xs[3]! : null);
      return r.c ? [r.h, r.c] : [r.h];
    },
  };
}

function decCase(kind: T.SequenceCell, score: T.AttentionScore, L: number, B: number, H: number, S: number, steps: number): { shapes: number[][]; fn: (xs: Tn[]) => Tn[] } {
  const G = gates(kind) * H;
  const Hm = score === 'dot' ? H : H + 2;
  const shapes = [[steps * B, G], [H, G], [B, S, Hm], [B, S, H], [Hm + H, H], [B, H], [H, H], [H, 1]];
  for (let l = 0; l < L; l++) shapes.push([H, G], [G], [H, G], [G], [B, H], [B, H]);
  return {
    shapes,
    fn: (xs) => {
      const layers = Array.from({ length: L }, (_, l): T.DecoderLayerInputs => {
        const o = 8 + 6 * l;
        return {
          weightIh: l > 0 ? xs[o]! : null, bias: l > 0 ? xs[o + 1]! : null, weightHh: xs[o + 2]!, biasHh: kind === 'gru' ? xs[o + 3]! : null,
          h0: xs[o + 4]!, c0: kind === 'lstm' ? xs[o + 5]! : null, dropMask: l > 0 ? T.dropoutMask([steps * B, H], 0.25, new T.Rng(3 + l)) : null,
        };
      });
      const mask = T.intTensor(Array.from({ length: B * S }, (_, j) => (j % S === S - 1 && (j / S | 0) % 2 === 1 ? 1 : 0)), [B, 1, S]);
      return [T.decoderSequence({
        cell: kind, xp: xs[0]!, layers, feed0: xs[5]!, weightFeed: xs[1]!,
        attention: { kind: score, memory: xs[2]!, keys: score === 'dot' ? xs[2]! : xs[3]!, mask, weightC: xs[4]!, w2: score === 'bahdanau' ? xs[6]! : null, v: score === 'bahdanau' ? xs[7]! : null },
      })];
    },
  };
}

for (const bk of wasm) {
  describe(`fused sequence ops: ${bk.name} against js`, () => {
    after(() => T.setBackend(new JsBackend()));

    it('recurrentSequence, every cell, on B × H ∈ {1×1, 3×17, 1×255, 3×3 over 5 steps, 1×1031}', async () => {
      const be = await bk.make();
      const js = new JsBackend();
      for (const kind of ['lstm', 'gru', 'rnn'] as const) {
        for (const [B, H, steps] of [[1, 1, 1], [3, 17, 3], [1, 255, 2], [3, 3, 5], [1, 1031, 2]] as const) {
          const c = seqCase(kind, B, H, steps);
          compare(run(be, c.shapes, c.fn), run(js, c.shapes, c.fn), `${kind} B=${B} H=${H} T=${steps}`);
        }
      }
    });

    it('decoderSequence, every cell and score, 1–2 layers, on awkward B, H, S', async () => {
      const be = await bk.make();
      const js = new JsBackend();
      const cases: [T.SequenceCell, T.AttentionScore, number, number, number, number, number][] = [
        ['lstm', 'general', 2, 3, 17, 5, 3], ['gru', 'bahdanau', 1, 1, 1, 1, 1], ['rnn', 'dot', 2, 3, 3, 17, 2],
        ['gru', 'general', 2, 1, 255, 3, 2], ['lstm', 'bahdanau', 1, 3, 17, 3, 3], ['rnn', 'bahdanau', 1, 2, 33, 7, 2],
      ];
      for (const [kind, score, L, B, H, S, steps] of cases) {
        const c = decCase(kind, score, L, B, H, S, steps);
        compare(run(be, c.shapes, c.fn), run(js, c.shapes, c.fn), `${L}-layer ${kind} ${score} B=${B} H=${H} S=${S} T=${steps}`);
      }
    });
  });
}
