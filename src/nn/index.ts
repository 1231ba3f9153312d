export { Module, expectShape } from './module.js';
export { INIT_RANGE, weightParam, biasParam, normalEmbeddingParam } from './init.js';
export { Linear } from './linear.js';
export { Embedding } from './embedding.js';
export { Dropout } from './dropout.js';
export {
  CELL_KINDS, gateCount, RecurrentCell, SequenceLayout, Rnn,
  type CellKind, type EmbeddedInput, type RecurrentState, type RnnOptions, type RnnOutput,
} from './recurrent.js';
export { Attention, ATTENTION_KINDS, type AttentionKind } from './attention.js';
export { LayerNorm } from './layer-norm.js';
export { FeedForward, ACTIVATIONS, type Activation } from './feed-forward.js';
export { MultiHeadAttention, type ProjectedKeys, type AttendOptions } from './multi-head-attention.js';
export { Positions, sinusoidalTable, POSITION_KINDS, type PositionKind } from './positions.js';
