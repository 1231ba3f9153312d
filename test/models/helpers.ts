/**
 * Shared by the model, layer and decoding tests: digit-string tasks, batching, a tiny Adam
 * training loop (independent of src/train) and exact-match evaluation through greedy decoding.
 */
import { Adam, Rng, clipGradNorm, tidy } from '../../src/tensor/index.js';
import { greedy } from '../../src/decode/index.js';
import type { Seq2SeqModel, Seq2SeqBatch } from '../../src/models/index.js';
import type { Backend, F32 } from '../../src/kernels/index.js';

export interface Pair {
  src: number[];
  tgt: number[];
}

/** Digits are ids 4..13 after pad, unk, bos, eos: vocab 14. */
export const DIGIT_VOCAB = 14;

export function digitPairs(rng: Rng, n: number, task: 'copy' | 'reverse', minLen = 3, maxLen = 8): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const len = minLen + rng.int(maxLen - minLen + 1);
    const src = Array.from({ length: len }, () => 4 + rng.int(10));
    out.push({ src, tgt: task === 'copy' ? src.slice() : src.slice().reverse() });
  }
  return out;
}

/** Padded teacher-forcing batch: tgtIn = BOS + y, tgtOut = y + EOS. */
export function tokenBatch(pairs: readonly Pair[]): Seq2SeqBatch {
  const B = pairs.length;
  const S = Math.max(1, ...pairs.map((p) => p.src.length));
  const T = Math.max(...pairs.map((p) => p.tgt.length)) + 1;
  const src = new Int32Array(B * S);
  const tgtIn = new Int32Array(B * T);
  const tgtOut = new Int32Array(B * T);
  pairs.forEach((p, b) => {
    p.src.forEach((x, s) => (src[b * S + s] = x));
    tgtIn[b * T] = 2;
    p.tgt.forEach((y, t) => {
      tgtIn[b * T + t + 1] = y;
      tgtOut[b * T + t] = y;
    });
    tgtOut[b * T + p.tgt.length] = 3;
  });
  return { B, S, T, src, srcLen: pairs.map((p) => p.src.length), tgtIn, tgtOut };
}

/** Fraction of pairs whose greedy output equals the target exactly. */
export function exactMatch(model: Seq2SeqModel, pairs: readonly Pair[], batchSize = 100): number {
  let ok = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const chunk = pairs.slice(i, i + batchSize);
    const hyps = greedy(model, tokenBatch(chunk), { maxLenA: 1, maxLenB: 3 });
    hyps.forEach((h, j) => {
      const t = chunk[j]!.tgt;
      if (h.tokens.length === t.length && h.tokens.every((x, k) => x === t[k])) ok++;
    });
  }
  return ok / pairs.length;
}

export interface FitOptions {
  steps: number;
  batchSize?: number;
  lr?: number;
  /** Evaluate every this many steps and stop once `target` is reached. */
  evalEvery?: number;
  target?: number;
  seed?: number;
  /**
   * Halve the learning rate every this many steps (lr · 0.5^(step/lrHalfLife)); default: constant.
   * Without it a fixed-context (attention `none`) model plateaus at 85–97%, oscillating.
   */
  lrHalfLife?: number;
  /** Training string lengths (default 3–8). */
  minLen?: number;
  maxLen?: number;
}

/**
 * Trains on freshly drawn pairs with Adam until exact match on `test` reaches `target` (checked
 * every evalEvery steps) or `steps` run out. Returns the last accuracy and steps taken.
 */
export function fitDigits(model: Seq2SeqModel, task: 'copy' | 'reverse', test: readonly Pair[], o: FitOptions): { acc: number; steps: number } {
  const rng = new Rng(o.seed ?? 7);
  const lr = o.lr ?? 0.01;
  const opt = new Adam(model.parameters(), { lr });
  const evalEvery = o.evalEvery ?? 100;
  let acc = 0;
  for (let step = 1; step <= o.steps; step++) {
    const batch = tokenBatch(digitPairs(rng, o.batchSize ?? 32, task, o.minLen ?? 3, o.maxLen ?? 8));
    model.train();
    if (o.lrHalfLife !== undefined) opt.lr = lr * Math.pow(0.5, (step - 1) / o.lrHalfLife);
    tidy(() => {
      opt.zeroGrad();
      const { loss } = model.loss(batch);
      loss.backward();
      clipGradNorm(model.parameters(), 5);
      opt.step();
    });
    if (step % evalEvery === 0 || step === o.steps) {
      model.eval();
      acc = exactMatch(model, test);
      if (acc >= (o.target ?? 1)) return { acc, steps: step };
    }
  }
  return { acc, steps: o.steps };
}

/**
 * A backend whose results differ from `inner`'s by one ulp here and there: every third element
 * (the phase moves with each call) of each gemm, unary op and RNN cell output is moved one ulp
 * away from zero. The maths is unchanged, the float rounding is not, as after a kernel rewrite —
 * for checking that a training test does not depend on one exact float sequence.
 */
export function ulpPerturbedBackend(inner: Backend): Backend {
  let phase = 0;
  const nudge = (a: F32, rows: number, n: number, ld: number): void => {
    const bits = new Int32Array(a.buffer, a.byteOffset, a.length);
    phase = (phase + 1) % 3;
    for (let r = 0; r < rows; r++) {
      for (let j = (phase + r) % 3; j < n; j += 3) {
        const i = r * ld + j;
        if (a[i] !== 0 && Number.isFinite(a[i]!)) bits[i]! += 1;
      }
    }
  };
  // Per kernel (looked up by name, so kernels added to or dropped from Backend need no change here):
  // nudges the outputs of a call given its arguments.
  type Args = readonly unknown[];
  const n = (x: unknown) => x as number;
  const f = (x: unknown) => x as F32;
  const outputs: Record<string, (a: Args) => void> = {
    // gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
    gemm: (a) => nudge(f(a[11]), n(a[2]), n(a[3]), n(a[12])),
    // gemmPacked(transA, transB, M, N, K, alpha, A, lda, B, ldb, packed, beta, C, ldc)
    gemmPacked: (a) => nudge(f(a[12]), n(a[2]), n(a[3]), n(a[13])),
    // gemmBatched(batch, transA, transB, M, N, K, alpha, A, strideA, lda, B, strideB, ldb, beta, C, strideC, ldc)
    gemmBatched: (a) => {
      for (let b = 0; b < n(a[0]); b++) nudge(f(a[14]).subarray(b * n(a[15])), n(a[3]), n(a[4]), n(a[16]));
    },
    // unary(op, n, x, out)
    unary: (a) => nudge(f(a[3]), 1, n(a[1]), n(a[1])),
    // lstmCell(B, H, gates, cPrev, h, c)
    lstmCell: (a) => nudge(f(a[4]), 1, n(a[0]) * n(a[1]), n(a[0]) * n(a[1])),
    // gruCell(B, H, xg, hg, hPrev, h, acts)
    gruCell: (a) => nudge(f(a[5]), 1, n(a[0]) * n(a[1]), n(a[0]) * n(a[1])),
  };
  return new Proxy(inner, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      const out = typeof key === 'string' ? outputs[key] : undefined;
      if (!out) return fn;
      return (...a: unknown[]) => {
        const r = fn(...a);
        out(a);
        return r;
      };
    },
  });
}
