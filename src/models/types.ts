import type { Tensor } from '../tensor/index.js';
import type { RecurrentState } from '../nn/index.js';

/** Token ids shared with the data layer's Vocab. */
import { PAD_ID as PAD, UNK_ID as UNK, BOS_ID as BOS, EOS_ID as EOS } from '../util/special-ids.js';
export { PAD, UNK, BOS, EOS };

/**
 * A teacher-forcing batch of token ids, row-major and padded with 0:
 * src B×S, tgtIn B×T (BOS + y), tgtOut B×T (y + EOS).
 */
export interface Seq2SeqBatch {
  B: number;
  S: number;
  T: number;
  src: Int32Array;
  srcLen: number[];
  tgtIn: Int32Array;
  tgtOut: Int32Array;
}

/**
 * A continuous-mode batch: srcVals B×S×inputDim, tgtVals B×T×outputDim (row-major). The decoder's
 * input at step t is the target at t − 1 (a zero vector at t = 0). tgtLen (default all T) masks
 * the loss at padded target steps.
 */
export interface ContinuousBatch {
  B: number;
  S: number;
  T: number;
  srcVals: Float32Array;
  srcLen: number[];
  tgtVals: Float32Array;
  tgtLen?: number[];
}

/** What the encoder hands to the decoder. */
export interface EncoderOutput {
  B: number;
  S: number;
  /** True source lengths (0 is treated as 1: one padding step). */
  srcLen: number[];
  /** Encoder outputs [B, S, hidden], zero at padding; null when the model has no attention. */
  memory: Tensor | null;
  /** i32 [B, 1, S], 1 at padded source positions; null when no row is padded. */
  mask: Tensor | null;
  /** Per encoder layer, the state at each sequence's true end, directions concatenated: [B, hidden]. */
  final: RecurrentState[];
}

/**
 * The decoder's state between steps. Every tensor sits at the top level (directly or in an array):
 * search code relies on that to keep and free states (see src/decode/memory.ts).
 */
export interface DecoderState {
  B: number;
  S: number;
  srcLen: number[];
  /** Row i of this state decodes source sentence srcRow[i] of the encoded batch. */
  srcRow: Int32Array;
  /** Per decoder layer [B, hidden]. */
  h: Tensor[];
  /** Per decoder layer [B, hidden] (LSTM decoders), else null. */
  c: Tensor[] | null;
  /** The previous attentional vector h̃ [B, hidden] (input feeding), else null. */
  feed: Tensor | null;
  memory: Tensor | null;
  /** The attention's precomputed keys [B, S, hidden]. */
  keys: Tensor | null;
  mask: Tensor | null;
}

export interface StepResult {
  /** [B, V] log-probabilities of the next token. */
  logProbs: Tensor;
  /** [B, S] attention weights (row-major copy), or null without attention. */
  attention: Float32Array | null;
  state: DecoderState;
}
