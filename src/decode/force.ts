import { pickEachStep } from './greedy.js';
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
 * One decoder pass over the batch, feeding the target instead of the model's own choices: the
 * loop of greedy search with the next target token as its pick, so a row leaves the batch after
 * its EOS as it does there.
 */
export function forcedScores<S extends object>(model: Scorer<S>, batch: SourceBatch, targets: readonly (readonly number[])[], opts: ForceOptions = {}): number[] {
  const eos = opts.eos ?? EOS_ID;
  if (targets.length !== batch.B) throw new Error(`forcedScores: ${targets.length} targets for a batch of ${batch.B} sources`);
  if (batch.B === 0) return [];
  const next = new Array<number>(batch.B).fill(0); // the position each row's target is at
  const longest = Math.max(...targets.map((y) => y.length));
  const pick = (_lp: Float32Array, _off: number, V: number, b: number): number => {
    const y = targets[b]!;
    const t = next[b]!++;
    const tok = t < y.length ? y[t]! : eos;
    if (tok < 0 || tok >= V) throw new Error(`forcedScores: target id ${tok} of row ${b} is outside the vocabulary of ${V}`);
    return tok;
  };
  // room for the longest target and its EOS, whatever the source lengths
  const hyps = pickEachStep(model, batch, { bos: opts.bos ?? BOS_ID, eos, maxLenA: 0, maxLenB: longest + 1 }, pick);
  return hyps.map((h) => h.score);
}
