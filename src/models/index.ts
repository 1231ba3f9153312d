export { Seq2Seq, type LossOptions } from './seq2seq.js';
export {
  buildModel, resolveModelConfig, isTransformerConfig, MODEL_ARCHS,
  type Seq2SeqModel, type ModelConfig, type ResolvedModelConfig, type PartialModelConfig, type ModelArch,
} from './model.js';
export { SEQ2SEQ_DEFAULTS, resolveConfig, type Seq2SeqConfig, type ResolvedSeq2SeqConfig } from './config.js';
export { Transformer, buildTransformer, type TransformerEncoding, type TransformerState } from './transformer.js';
export { TRANSFORMER_DEFAULTS, resolveTransformerConfig, type TransformerConfig, type ResolvedTransformerConfig } from './transformer-config.js';
export {
  type Seq2SeqBatch, type ContinuousBatch, type EncoderOutput, type DecoderState, type StepResult,
} from './types.js';
export { Encoder } from './encoder.js';
export { Decoder } from './decoder.js';
export { Bridge } from './bridge.js';
