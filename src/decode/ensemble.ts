import { fromArray, type Tensor } from '../tensor/index.js';
import { stateTensors } from './memory.js';
import type { Scorer } from './scorer.js';

/**
 * The state of an ensemble: one state per member, in member order. Under the state convention
 * (scorer.ts) a search keeps alive only the tensors at a state's top level, so every member
 * state's tensors are also listed flat in `tensors`; each member state must itself follow the
 * convention.
 */
export interface EnsembleState {
  members: object[];
  tensors: Tensor[];
}

function pack(members: object[]): EnsembleState {
  return { members, tensors: members.flatMap((s) => stateTensors(s)) };
}

/** Something that can be put in training or evaluation mode (a Module: dropout on or off). */
interface ModeSwitch {
  training?: boolean;
  train?(on?: boolean): unknown;
}

/**
 * Ensemble decoding: several models behind one Scorer, so greedy, beam search, sampling, the
 * translator and the CLI decode with an ensemble unchanged. Every step runs each member on its
 * own state and averages the members' probabilities (as fairseq's EnsembleModel does), returned
 * as log-probabilities:
 *
 *   lp(v) = log( (1/M) · Σ_m exp(lp_m(v)) )
 *
 * computed as max_m lp_m(v) + log((1/M) · Σ_m exp(lp_m(v) − max)), so M copies of one model give
 * exactly that model's log-probabilities back (each exp is 1, the mean is 1, its log is 0), and a
 * single member's log-probabilities are passed through untouched. Members may be of any family
 * (RNN, Transformer) as long as they read the same source ids and write the same target
 * vocabulary (the loader checks the codecs; a different vocabulary size is an error here).
 *
 * Attention rows (for --json and the alignment heatmap) are the first member's that returns
 * any; the others' are not averaged (their layouts and meanings may differ).
 */
export class EnsembleScorer implements Scorer<EnsembleState, unknown[]> {
  readonly members: readonly Scorer[];

  constructor(members: readonly Scorer[]) {
    if (members.length === 0) throw new Error('EnsembleScorer: give at least one member scorer');
    this.members = [...members];
  }

  /** True when any member is in training mode. */
  get training(): boolean {
    return this.members.some((m) => (m as ModeSwitch).training === true);
  }

  /** Puts every member that has a mode (a Module) into training (true) or evaluation mode. */
  train(on = true): this {
    for (const m of this.members) (m as ModeSwitch).train?.(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  encode(src: Int32Array, srcLen: number[], B: number, S: number): unknown[] {
    return this.members.map((m) => m.encode(src, srcLen, B, S));
  }

  startState(enc: unknown[]): EnsembleState {
    return pack(this.members.map((m, i) => m.startState(enc[i])));
  }

  step(state: EnsembleState, prevTokens: Int32Array): { logProbs: Tensor; attention: Float32Array | null; state: EnsembleState } {
    const results = this.members.map((m, i) => m.step(state.members[i]!, prevTokens));
    const next = pack(results.map((r) => r.state));
    const attention = results.find((r) => r.attention !== null)?.attention ?? null;
    if (results.length === 1) return { logProbs: results[0]!.logProbs, attention, state: next };
    const shape = results[0]!.logProbs.shape;
    for (let i = 1; i < results.length; i++) {
      const s = results[i]!.logProbs.shape;
      if (s.join(',') !== shape.join(',')) {
        throw new Error(`EnsembleScorer: member ${i} gives log-probabilities of shape [${s.join(', ')}], member 0 [${shape.join(', ')}]; the members must share one target vocabulary`);
      }
    }
    return { logProbs: fromArray(meanOfProbabilities(results.map((r) => r.logProbs.f32.subarray(0, r.logProbs.size))), [...shape]), attention, state: next };
  }

  selectState(state: EnsembleState, rows: Int32Array): EnsembleState {
    return pack(this.members.map((m, i) => m.selectState(state.members[i]!, rows)));
  }
}

/** Element-wise log of the mean of exp over the arrays (all of one length), stably; −∞ where every member gives −∞. */
export function meanOfProbabilities(logProbs: readonly Float32Array[]): Float32Array {
  const n = logProbs[0]!.length;
  const M = logProbs.length;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let max = -Infinity;
    for (let m = 0; m < M; m++) max = Math.max(max, logProbs[m]![j]!);
    if (max === -Infinity) {
      out[j] = -Infinity;
      continue;
    }
    let sum = 0;
    for (let m = 0; m < M; m++) sum += Math.exp(logProbs[m]![j]! - max);
    out[j] = max + Math.log(sum / M);
  }
  return out;
}
