import { inference } from '../tensor/index.js';
import { advance, releaseState, scoreStep } from './memory.js';
import { BOS_ID, EOS_ID, type Scorer, type SourceBatch } from './scorer.js';

export interface ForceOptions {
  bos?: number;
  eos?: number;
}

/**
 * Forced decoding: the log-probability a model gives to given outputs, log p(y | x) summed over
 * the tokens of y and the closing EOS — the score greedy and beam search (with no length penalty)
 * report for the hypotheses they find, so a search's hypothesis forced back through the same model
 * scores what the search said. Row b of the batch is scored against targets[b] (ids without BOS
 * and EOS). Rescoring an n-best list with another model (a right-to-left one, say) is this call
 * with each hypothesis's source repeated.
 *
 * One decoder pass over the batch, feeding the target instead of the model's own choices; a row
 * leaves the batch after its EOS, as in greedy search.
 */
export function forcedScores<S extends object>(model: Scorer<S>, batch: SourceBatch, targets: readonly (readonly number[])[], opts: ForceOptions = {}): number[] {
  const bos = opts.bos ?? BOS_ID;
  const eos = opts.eos ?? EOS_ID;
  const { B, S, src, srcLen } = batch;
  if (targets.length !== B) throw new Error(`forcedScores: ${targets.length} targets for a batch of ${B} sources`);
  if (B === 0) return [];
  return inference(() => {
    const scores = new Array<number>(B).fill(0);
    let rowSent = Array.from({ length: B }, (_, b) => b); // state row → batch row
    let state = advance<S>(null, () => model.startState(model.encode(src, srcLen, B, S)));
    let prev = new Int32Array(B).fill(bos);
    for (let t = 0; rowSent.length > 0; t++) {
      const r = scoreStep(model, state, prev);
      state = r.state;
      const keep: number[] = [];
      const nextPrev: number[] = [];
      rowSent.forEach((b, i) => {
        const y = targets[b]!;
        const tok = t < y.length ? y[t]! : eos;
        if (tok < 0 || tok >= r.V) throw new Error(`forcedScores: target id ${tok} of row ${b} is outside the vocabulary of ${r.V}`);
        scores[b] += r.logProbs[i * r.V + tok]!;
        if (t < y.length) {
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
    return scores;
  });
}
