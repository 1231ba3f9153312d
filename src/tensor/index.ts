/**
 * The tensor layer's public surface: Tensor and its constructors, the engine (backend, autograd
 * tape, scopes), every op, initialisers, the RNG, optimizers and LR schedules.
 */
export {
  Tensor, empty, zeros, full, fromArray, scalar, intTensor, opOutput, shapeSize, shapeStr, stridesOf, assertShape,
  type DType, type Shape,
} from './tensor.js';
export {
  backend, setBackend, noGrad, isGradEnabled, tidy, tapeLength, clearTape, scopeDepth, runBackward, track, untrack,
  type Disposable, type TapeNode,
} from './engine.js';
export { matmul, bmm, linear } from './ops/linalg.js';
export { inference, withPackedWeights } from './ops/weight-packs.js';
export {
  add, sub, mul, div, addScalar, mulScalar, neg, exp, log, tanh, sigmoid, relu, sqrt, square, abs,
} from './ops/elementwise.js';
export { sum, mean } from './ops/reduce.js';
export { reshape, detach, permute, transpose, concat, stack, slice, split, index } from './ops/shape.js';
export { embedding, embeddingLinear } from './ops/embedding.js';
export { gatherRows } from './ops/gather.js';
export { maskedFill, dropout, dropoutMask } from './ops/mask.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { layerNorm } from './ops/norm.js';
export { multiHeadAttention, type MhaInputs } from './ops/mha.js';
export { biasActivation, type Activation } from './ops/bias-act.js';
export { lstmCell, gruCell } from './ops/cells.js';
export {
  recurrentSequence, lstmSequence, decoderSequence, lstmAttentionSequence,
  type SequenceCell, type DecoderLayerInputs, type DecoderSequenceInputs, type LstmAttentionInputs,
} from './ops/recurrent.js';
export { attention, MASKED_SCORE, type AttentionScore, type AttentionOpInputs } from './ops/attention.js';
export { crossEntropy, mseLoss, type CrossEntropyOptions } from './ops/loss.js';
export { Rng } from './rng.js';
export { parameter, uniformInit, normalInit, xavierUniform, zerosInit } from './init.js';
export {
  Optimizer, SGD, Adam, AdamW, clipGradNorm, ConstantLr, StepDecay, WarmupInverseSqrt, FairseqInverseSqrt, BudgetDecay, ReduceOnPlateau,
  type OptimizerState, type SgdOptions, type AdamOptions, type LrSchedule, type PlateauOptions,
} from './optim/index.js';
