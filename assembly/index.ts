// Entry point of the wasm kernel module (dist/wasm/kernels.wasm). Every export takes byte offsets
// into the imported shared memory; the JS side (src/kernels/wasm/) owns allocation above heapBase().
export { gemmScratchBytes, gemmRange, gemmPart, gemmPackedPart, gemmPackB, gemmPackedFloats, gemmBatchedPart } from './gemm';
export { axpy, scale, unary, binary, binaryRowBroadcast, unaryPart, binaryPart } from './elementwise';
export { reduceSum, sumSquares } from './reduce';
export {
  softmax, logSoftmax, softmaxBackward, logSoftmaxBackward, softmaxCrossEntropy, softmaxCrossEntropyBackward,
  softmaxPart, softmaxCrossEntropyPart, softmaxCrossEntropyBackwardPart,
} from './softmax';
export { gatherRows, scatterAddRows } from './embedding';
export { lstmCell, lstmCellBackward, gruCell, gruCellBackward, lstmCellPart, lstmCellBackwardPart, gruCellPart, gruCellBackwardPart } from './cells';
export { adamStep, adamStepPart } from './optim';
export {
  fill32, copy32, addInto, copyStrided, broadcastInner, maskedFill, unaryBackward, binaryStrided,
} from './memops';

/** First byte past the module's static data: the JS allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
export { mhaForwardPart, mhaBackwardPart, mhaScratchFloats } from './mha';
export { layerNormPart, layerNormBackwardPart } from './layernorm';
export { biasActPart, biasActBackwardPart } from './bias-act';
