import { computeMetric } from '../metrics/index.js';
import type { Seq2SeqModel } from '../models/index.js';
import { noGrad, tidy } from '../tensor/index.js';
import { makeBatch, planEpoch, type Example } from './batching.js';
import type { TrainOptions } from './options.js';

export interface ValidResult {
  step: number;
  loss: number;
  ppl: number;
  /** Exact match (0–100) of greedy decodes against the references, when decoding ran. */
  exact?: number;
  /** The --metric score, when set. */
  metric?: number;
  /** The early-stopping criterion's value and whether it was the best so far. */
  score: number;
  best: boolean;
}

/** Greedy decoding of source id sequences → target id sequences (provided by the caller, see translator.ts). */
export type GreedyDecoder = (model: Seq2SeqModel, sources: number[][], maxLen: number) => number[][];

export interface ValidatorInit {
  model: Seq2SeqModel;
  valid: Example[];
  /** Reference text of each valid example (for --metric); tgtDecode turns hypothesis ids into text. */
  validRefs?: string[];
  tgtDecode?: (ids: number[]) => string;
  greedy?: GreedyDecoder;
  /** batchTokens/batchSize (as the trainer runs them), validDecode, metric. */
  options: Pick<TrainOptions, 'batchTokens' | 'batchSize' | 'validDecode' | 'metric'>;
}

/**
 * Scores the model on the validation set: token-weighted loss and perplexity (no label
 * smoothing, in the set's order), exact match and --metric on greedy decodes of the first
 * validDecode sentences. The score is the --metric when set, else the loss.
 */
export class Validator {
  constructor(private readonly init: ValidatorInit) {}

  get size(): number {
    return this.init.valid.length;
  }

  run(step: number): ValidResult {
    const { model, valid, options: o } = this.init;
    model.eval();
    try {
      let lossSum = 0;
      let tokSum = 0;
      const plan = planEpoch(valid, { batchTokens: o.batchTokens, batchSize: o.batchSize, shuffle: false }, 0, 0);
      noGrad(() => {
        for (const idx of plan) {
          tidy(() => {
            const { loss, tokens } = model.loss(makeBatch(valid, idx), { smoothing: 0 });
            lossSum += loss.item() * tokens;
            tokSum += tokens;
          });
        }
      });
      const loss = tokSum > 0 ? lossSum / tokSum : NaN;
      const result: ValidResult = { step, loss, ppl: Math.exp(loss), score: loss, best: false };
      const n = Math.min(o.validDecode, valid.length);
      const { greedy, tgtDecode, validRefs } = this.init;
      if (n > 0 && greedy) {
        const sample = valid.slice(0, n);
        const maxLen = Math.max(...sample.map((e) => e.tgt.length)) * 2 + 10;
        const hyps = greedy(model, sample.map((e) => e.src), maxLen);
        let same = 0;
        hyps.forEach((h, i) => {
          const ref = sample[i]!.tgt;
          if (h.length === ref.length && h.every((x, k) => x === ref[k])) same++;
        });
        result.exact = (100 * same) / n;
        if (o.metric && tgtDecode) {
          const refs = validRefs ? validRefs.slice(0, n) : sample.map((e) => tgtDecode(e.tgt));
          result.metric = computeMetric(o.metric, hyps.map((h) => tgtDecode(h)), refs.map((r) => [r])).score;
        }
      }
      if (o.metric) {
        if (result.metric === undefined) throw new Error('train: --metric needs greedy decoding and a target codec');
        result.score = result.metric;
      }
      return result;
    } finally {
      model.train();
    }
  }
}
