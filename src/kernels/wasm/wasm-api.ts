// The slice of the WebAssembly JS API the engine uses. The project compiles with lib ES2022 only
// (no DOM), which declares no `WebAssembly` global, so it is typed here and read from globalThis.
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const PAGE = 65536;
/** Must match --maximumMemory in scripts/build-wasm.mjs (pages). */
export const MAX_PAGES = 65536;
/** Must be at least --initialMemory in scripts/build-wasm.mjs (pages). */
export const INITIAL_PAGES = 256;

/** The exports of dist/wasm/kernels.wasm (pointers are byte offsets; bools are 0/1). */
export interface KernelExports {
  heapBase(): number;
  gemmScratchBytes(): number;
  gemmPart(tA: number, tB: number, M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number, scratch: number, tid: number, nth: number): void;
  gemmPackedPart(tA: number, tB: number, M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, packed: number, beta: number, C: number, ldc: number, scratch: number, tid: number, nth: number): void;
  gemmPackB(tB: number, K: number, N: number, B: number, ldb: number, dst: number): void;
  gemmPackedFloats(K: number, N: number): number;
  gemmBatchedPart(batch: number, tA: number, tB: number, M: number, N: number, K: number, alpha: number, A: number, sA: number, lda: number, B: number, sB: number, ldb: number, beta: number, C: number, sC: number, ldc: number, scratch: number, tid: number, nth: number): void;
  axpy(n: number, alpha: number, x: number, y: number): void;
  scale(n: number, alpha: number, x: number, out: number): void;
  unary(op: number, n: number, x: number, out: number): void;
  binary(op: number, n: number, a: number, b: number, out: number): void;
  binaryRowBroadcast(op: number, rows: number, n: number, a: number, b: number, out: number): void;
  reduceSum(outer: number, reduce: number, inner: number, x: number, out: number, acc: number): void;
  sumSquares(n: number, x: number): number;
  softmax(rows: number, n: number, x: number, out: number): void;
  logSoftmax(rows: number, n: number, x: number, out: number): void;
  softmaxBackward(rows: number, n: number, y: number, dy: number, dx: number, acc: number): void;
  logSoftmaxBackward(rows: number, n: number, y: number, dy: number, dx: number, acc: number): void;
  softmaxCrossEntropy(rows: number, V: number, logits: number, targets: number, ignore: number, smoothing: number, lossRows: number, probs: number): number;
  softmaxCrossEntropyBackward(rows: number, V: number, probs: number, targets: number, ignore: number, smoothing: number, scale: number, dlogits: number, acc: number): void;
  gatherRows(n: number, dim: number, table: number, ids: number, out: number): void;
  scatterAddRows(n: number, dim: number, g: number, ids: number, dTable: number): void;
  lstmCell(B: number, H: number, gates: number, cPrev: number, h: number, c: number): void;
  lstmCellBackward(B: number, H: number, acts: number, cPrev: number, c: number, dh: number, dc: number, dGates: number, dcPrev: number, acc: number): void;
  gruCell(B: number, H: number, xg: number, hg: number, hPrev: number, h: number, acts: number): void;
  gruCellBackward(B: number, H: number, acts: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number, acc: number): void;
  fill32(out: number, bits: number, n: number): void;
  copy32(src: number, dst: number, n: number): void;
  addInto(n: number, x: number, y: number): void;
  copyStrided(rank: number, args: number, src: number, dst: number, acc: number, tid: number, nth: number): void;
  broadcastInner(outer: number, reduce: number, inner: number, g: number, out: number, acc: number): void;
  maskedFill(n: number, x: number, mask: number, maskInt: number, value: number, out: number): void;
  unaryBackward(op: number, n: number, x: number, y: number, dy: number, dx: number, acc: number): void;
  binaryStrided(op: number, rank: number, args: number, a: number, b: number, out: number): void;
  adamStepPart(n: number, p: number, g: number, m: number, v: number, lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number, bc1: number, bc2: number, tid: number, nth: number): void;
  lstmCellPart(B: number, H: number, gates: number, cPrev: number, h: number, c: number, tid: number, nth: number): void;
  lstmCellBackwardPart(B: number, H: number, acts: number, cPrev: number, c: number, dh: number, dc: number, dGates: number, dcPrev: number, acc: number, tid: number, nth: number): void;
  softmaxCrossEntropyPart(rows: number, V: number, logits: number, targets: number, ignore: number, smoothing: number, lossRows: number, probs: number, partials: number, tid: number, nth: number): void;
  softmaxCrossEntropyBackwardPart(rows: number, V: number, probs: number, targets: number, ignore: number, smoothing: number, scale: number, dlogits: number, acc: number, tid: number, nth: number): void;
  gruCellPart(B: number, H: number, xg: number, hg: number, hPrev: number, h: number, acts: number, tid: number, nth: number): void;
  gruCellBackwardPart(B: number, H: number, acts: number, hPrev: number, dh: number, dxg: number, dhg: number, dhPrev: number, acc: number, tid: number, nth: number): void;
  softmaxPart(rows: number, n: number, x: number, out: number, tid: number, nth: number): void;
  unaryPart(op: number, n: number, x: number, out: number, tid: number, nth: number): void;
  binaryPart(op: number, n: number, a: number, b: number, out: number, tid: number, nth: number): void;
  adamStep(n: number, p: number, g: number, m: number, v: number, lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number, bc1: number, bc2: number): void;
  mhaScratchFloats(S: number, dh: number): number;
  mhaForwardPart(B: number, T: number, S: number, H: number, dh: number, q: number, k: number, v: number, pad: number, causal: number, thr: number, key: number, keep: number, out: number, probs: number, scratch: number, tid: number, nth: number): void;
  mhaBackwardPart(B: number, T: number, S: number, H: number, dh: number, q: number, k: number, v: number, pad: number, causal: number, thr: number, key: number, keep: number, probs: number, dOut: number, dq: number, dk: number, dv: number, scratch: number, tid: number, nth: number): void;
  layerNormPart(rows: number, n: number, x: number, gamma: number, beta: number, eps: number, out: number, mean: number, rstd: number, tid: number, nth: number): void;
  layerNormBackwardPart(rows: number, n: number, x: number, gamma: number, mean: number, rstd: number, dy: number, dx: number, dg: number, db: number, tid: number, nth: number): void;
  biasActPart(rows: number, n: number, x: number, bias: number, act: number, out: number, tid: number, nth: number): void;
  biasActBackwardPart(rows: number, n: number, x: number, bias: number, act: number, dy: number, dx: number, acc: number, db: number, tid: number, nth: number): void;
}

export function instantiate(module: WasmModule, memory: WasmMemory): KernelExports {
  const inst = new WA.Instance(module, {
    env: {
      memory,
      abort: () => { throw new Error('s2s wasm kernel aborted'); },
    },
  });
  return inst.exports as unknown as KernelExports;
}
