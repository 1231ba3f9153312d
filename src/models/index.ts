export { Seq2Seq, buildModel, type LossOptions } from './seq2seq.js';
export { SEQ2SEQ_DEFAULTS, resolveConfig, type Seq2SeqConfig, type ResolvedSeq2SeqConfig } from './config.js';
export {
  type Seq2SeqBatch, type ContinuousBatch, type EncoderOutput, type DecoderState, type StepResult,
} from './types.js';
export { Encoder } from './encoder.js';
export { Decoder } from './decoder.js';
export { Bridge } from './bridge.js';
