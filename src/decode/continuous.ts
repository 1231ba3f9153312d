import { inference, type Tensor } from '../tensor/index.js';
import { advance, releaseState } from './memory.js';

/** What autoregressive generation of real-valued vectors needs from a model (Seq2Seq in continuous mode). */
export interface ValueScorer<S extends object = object, E = unknown> {
  encodeValues(srcVals: Float32Array, srcLen: number[], B: number, S: number): E;
  startState(enc: E): S;
  stepValues(state: S, prev: Float32Array): { output: Tensor; attention: Float32Array | null; state: S };
}

export interface ValueBatch {
  B: number;
  S: number;
  srcVals: Float32Array;
  srcLen: number[];
}

/**
 * Generates `steps` output vectors per sequence, feeding each prediction back as the next input
 * (a zero vector first, as in training). Returns B×steps×outputDim values, row-major.
 */
export function generateValues<S extends object>(model: ValueScorer<S>, batch: ValueBatch, opts: { steps: number; outputDim: number }): Float32Array {
  const { B, S, srcVals, srcLen } = batch;
  const { steps, outputDim: D } = opts;
  return inference(() => {
    const out = new Float32Array(B * steps * D);
    let state = advance<S>(null, () => model.startState(model.encodeValues(srcVals, srcLen, B, S)));
    let prev = new Float32Array(B * D);
    for (let t = 0; t < steps; t++) {
      let y = new Float32Array(0);
      const cur = state;
      const p = prev;
      state = advance(cur, () => {
        const r = model.stepValues(cur, p);
        y = (r.output.data as Float32Array).slice(0, B * D);
        return r.state;
      });
      for (let b = 0; b < B; b++) out.set(y.subarray(b * D, (b + 1) * D), (b * steps + t) * D);
      prev = y;
    }
    releaseState(state, null);
    return out;
  });
}
