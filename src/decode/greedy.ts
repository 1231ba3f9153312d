import { inference } from '../tensor/index.js';
import { advance, releaseState, scoreStep } from './memory.js';
import { BOS_ID, EOS_ID, maxSteps, type Hypothesis, type LengthOptions, type Scorer, type SourceBatch } from './scorer.js';

export interface GreedyOptions extends LengthOptions {
  bos?: number;
  eos?: number;
  /** Return each hypothesis's attention rows (default false: they cost output length × source length). */
  attention?: boolean;
}

/**
 * Batched greedy decoding: at each step every unfinished sentence takes its most probable token
 * (ties: the lowest id). Finished sentences leave the batch, so late steps run on fewer rows.
 * Attention rows are returned only with `attention: true`.
 */
export function greedy<S extends object>(model: Scorer<S>, batch: SourceBatch, opts: GreedyOptions = {}): Hypothesis[] {
  return pickEachStep(model, batch, opts, argmaxRow);
}

function argmaxRow(lp: Float32Array, off: number, V: number): number {
  let best = 0;
  let bv = -Infinity;
  for (let v = 0; v < V; v++) {
    const x = lp[off + v]!;
    if (x > bv) {
      bv = x;
      best = v;
    }
  }
  return best;
}

/**
 * The loop shared by greedy and sampling: one token per sentence per step, chosen by `pick` from
 * the row of log-probabilities lp[off … off+V) of batch sentence `sentence`.
 */
export function pickEachStep<S extends object>(
  model: Scorer<S>, batch: SourceBatch, opts: GreedyOptions, pick: (lp: Float32Array, off: number, V: number, sentence: number) => number,
): Hypothesis[] {
  const bos = opts.bos ?? BOS_ID;
  const eos = opts.eos ?? EOS_ID;
  const withAttention = opts.attention === true;
  const { B, S, src, srcLen } = batch;
  return inference(() => {
    const hyps: Hypothesis[] = Array.from({ length: B }, () => ({ tokens: [], score: 0, attention: [] }));
    const limit = srcLen.map((n) => maxSteps(Math.max(1, n), opts));
    let rowSent = Array.from({ length: B }, (_, b) => b); // state row → sentence
    let state = advance<S>(null, () => model.startState(model.encode(src, srcLen, B, S)));
    let prev = new Int32Array(B).fill(bos);
    for (let t = 0; rowSent.length > 0; t++) {
      const r = scoreStep(model, state, prev);
      state = r.state;
      const keep: number[] = [];
      const nextPrev: number[] = [];
      rowSent.forEach((b, i) => {
        const tok = pick(r.logProbs, i * r.V, r.V, b);
        const h = hyps[b]!;
        h.score += r.logProbs[i * r.V + tok]!;
        if (tok === eos) return;
        h.tokens.push(tok);
        if (withAttention && r.attention) h.attention.push(Array.from(r.attention.subarray(i * S, i * S + Math.max(1, srcLen[b]!))));
        if (t + 1 < limit[b]!) {
          keep.push(i);
          nextPrev.push(tok);
        }
      });
      if (keep.length < rowSent.length && keep.length > 0) {
        const cur = state;
        state = advance(cur, () => model.selectState(cur, Int32Array.from(keep)));
      }
      rowSent = keep.map((i) => rowSent[i]!);
      prev = Int32Array.from(nextPrev);
    }
    releaseState(state, null);
    return hyps;
  });
}
