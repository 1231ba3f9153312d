/**
 * The wasm backend: AssemblyScript SIMD kernels (dist/wasm/kernels.wasm) over one shared
 * WebAssembly.Memory, the heavy ones (gemm, batched gemm, and from `minParallelElems` elements Adam,
 * the LSTM cell, softmax / cross-entropy, unary/binary and the strided copies) split over a pool of
 * workers that run the same module on the same memory.
 *
 * Every array from allocF32/allocI32 is a view into that memory, so a kernel gets `byteOffset` and
 * runs without copies; kernels not (yet) written in wasm are inherited from JsBackend and run their
 * js loops on the same views. Arrays that do not live in the wasm memory (plain typed arrays from
 * elsewhere) are accepted too: such calls take the js path.
 */
import { JsBackend } from '../js/index.js';
import type { F32, I32, UnaryOp, BinaryOp, ActKind } from '../backend.js';
import { dropKey, dropThreshold } from '../js/attention.js';
import { getPlatform, type Platform } from '../../platform/index.js';
import { LinearAllocator } from './allocator.js';
import { ThreadPool } from './pool.js';
import { JOBS, callJob, writeJobArgs, type Job, type JobArgs } from './jobs.js';
import { WA, INITIAL_PAGES, MAX_PAGES, instantiate, type KernelExports, type WasmMemory, type WasmModule } from './wasm-api.js';

export interface WasmBackendOptions {
  /** Threads for the heavy kernels, the calling thread included (default: all CPUs; 1 = no workers). */
  threads?: number;
  /** Below this many flops (2·M·N·K) a gemm runs on the calling thread only. */
  minParallelFlops?: number;
  /** From this many elements the elementwise kernels (Adam, LSTM cells, softmax, copies) use the pool. */
  minParallelElems?: number;
}

const DEFAULT_MIN_PARALLEL_FLOPS = 4e6;
/** i32 slots of the strided kernels' argument block: dims, strides, strides for up to 16 dims. */
const MAX_RANK = 16;
const ARG_SLOTS = 3 * MAX_RANK;
/**
 * Elementwise kernels (Adam, LSTM cells, softmax/cross-entropy, big copies) go to the pool from
 * this many elements (each thread then gets at least half of it): below, the wake-up and the
 * cache traffic cost more than the split saves.
 */
const DEFAULT_MIN_PARALLEL_ELEMS = 32768;
/** f64 slots for the per-thread partial sums of the reducing kernels. */
const MAX_PARTIALS = 64;
const f32bits = new Int32Array(1);
const f32view = new Float32Array(f32bits.buffer);

export class WasmBackend extends JsBackend {
  override readonly name: 'js' | 'wasm' = 'wasm';
  override readonly threads: number;
  private readonly E: KernelExports;
  private readonly heap: LinearAllocator;
  private pool: ThreadPool | null;
  private readonly scratch0: number;
  private readonly minParallelFlops: number;
  /** A small block of the linear memory for shape/stride arguments of the strided kernels. */
  private readonly argp: number;
  private readonly argv: Int32Array;
  private readonly partp: number;
  private readonly partials: Float64Array;
  private readonly minParallelElems: number;

  private constructor(E: KernelExports, heap: LinearAllocator, pool: ThreadPool | null, scratch0: number, minParallelFlops: number, minParallelElems: number) {
    super();
    this.minParallelElems = Math.max(1, minParallelElems);
    this.argp = heap.reserve(ARG_SLOTS * 4);
    this.partp = heap.reserve(MAX_PARTIALS * 8);
    this.E = E;
    this.heap = heap;
    this.pool = pool;
    this.scratch0 = scratch0;
    this.threads = pool ? pool.size + 1 : 1;
    this.minParallelFlops = minParallelFlops;
    // shared memory never detaches a view on grow, so this view of today's buffer stays valid
    this.argv = new Int32Array(heap.buffers[heap.buffers.length - 1]!, this.argp, ARG_SLOTS);
    this.partials = new Float64Array(heap.buffers[heap.buffers.length - 1]!, this.partp, MAX_PARTIALS);
  }

  /** Loads and instantiates the module, reserves per-thread gemm scratch, starts the workers. */
  static async create(opts: WasmBackendOptions = {}, platform?: Platform): Promise<WasmBackend> {
    const pf = platform ?? await getPlatform();
    const threads = Math.max(1, Math.floor(opts.threads ?? pf.cpuCount()));
    const bytes = await pf.loadWasmBytes();
    const module: WasmModule = await WA.compile(bytes);
    const memory: WasmMemory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    const E = instantiate(module, memory);
    const heap = new LinearAllocator(memory, E.heapBase() + 1024);
    const scratchBytes = E.gemmScratchBytes();
    const scratch: number[] = [];
    for (let t = 0; t < threads; t++) scratch.push(heap.reserve(scratchBytes));
    const pool = threads > 1 ? await ThreadPool.start(pf, threads - 1, module, memory, (tid) => scratch[tid]!) : null;
    return new WasmBackend(E, heap, pool, scratch[0]!, opts.minParallelFlops ?? DEFAULT_MIN_PARALLEL_FLOPS, opts.minParallelElems ?? DEFAULT_MIN_PARALLEL_ELEMS);
  }

  /** Stops the workers. The backend still works afterwards, on one thread. */
  async dispose(): Promise<void> {
    if (this.pool) await this.pool.dispose();
    this.pool = null;
  }

  // ---- memory ----
  override allocF32(n: number, zero?: boolean): F32 {
    const a = this.heap.allocF32(n);
    if (zero && n > 0) this.E.fill32(a.byteOffset, 0, n);
    return a;
  }
  override allocI32(n: number, zero?: boolean): I32 {
    const a = this.heap.allocI32(n);
    if (zero && n > 0) this.E.fill32(a.byteOffset, 0, n);
    return a;
  }
  override free(a: F32 | I32): void {
    this.heap.freeBytes(a.byteOffset);
  }
  override memoryStats(): { liveBytes: number; pooledBytes: number; reservedBytes: number } {
    return this.heap.stats();
  }

  /** True when every array is a view of the wasm memory (else the js kernel runs). */
  private w1(a: ArrayBufferView): boolean { return this.heap.owns(a); }
  private w2(a: ArrayBufferView, b: ArrayBufferView): boolean { return this.heap.owns(a) && this.heap.owns(b); }
  private w3(a: ArrayBufferView, b: ArrayBufferView, c: ArrayBufferView): boolean {
    return this.heap.owns(a) && this.heap.owns(b) && this.heap.owns(c);
  }

  // ---- linear algebra ----
  override gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, lda: number, B: F32, ldb: number, beta: number, C: F32, ldc: number): void {
    if (M <= 0 || N <= 0) return;
    if (!this.w3(A, B, C)) { super.gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return; }
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const a = A.byteOffset, b = B.byteOffset, c = C.byteOffset;
    const pool = this.pool;
    const nth = pool ? this.threadsFor(2 * M * N * K) : 1;
    if (nth <= 1 || !pool) {
      this.E.gemmPart(tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, this.scratch0, 0, 1);
      return;
    }
    this.runJob(JOBS.gemm, nth, { tA, tB, M, N, K, alpha, A: a, lda, B: b, ldb, beta, C: c, ldc });
  }

  /** The whole op(B) in the micro-kernel's panel layout (null where gemm would not pack it). */
  override packGemmB(transB: boolean, K: number, N: number, B: F32, ldb: number): F32 | null {
    if (K <= 0 || N <= 0 || !this.w1(B)) return null;
    const p = this.allocF32(this.E.gemmPackedFloats(K, N));
    this.E.gemmPackB(transB ? 1 : 0, K, N, B.byteOffset, ldb, p.byteOffset);
    return p;
  }

  override gemmPacked(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, lda: number, B: F32, ldb: number, packed: F32 | null, beta: number, C: F32, ldc: number): void {
    if (packed === null || M <= 0 || N <= 0 || !this.w3(A, B, C)) { this.gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); return; }
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const a = A.byteOffset, b = B.byteOffset, c = C.byteOffset, p = packed.byteOffset;
    const pool = this.pool;
    const nth = pool ? this.threadsFor(2 * M * N * K) : 1;
    if (nth <= 1 || !pool) {
      this.E.gemmPackedPart(tA, tB, M, N, K, alpha, a, lda, b, ldb, p, beta, c, ldc, this.scratch0, 0, 1);
      return;
    }
    this.runJob(JOBS.gemmPacked, nth, { tA, tB, M, N, K, alpha, A: a, lda, B: b, ldb, packed: p, beta, C: c, ldc });
  }

  override gemmBatched(batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, strideA: number, lda: number, B: F32, strideB: number, ldb: number, beta: number, C: F32, strideC: number, ldc: number): void {
    if (batch <= 0 || M <= 0 || N <= 0) return;
    if (!this.w3(A, B, C)) {
      super.gemmBatched(batch, transA, transB, M, N, K, alpha, A, strideA, lda, B, strideB, ldb, beta, C, strideC, ldc);
      return;
    }
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const a = A.byteOffset, b = B.byteOffset, c = C.byteOffset;
    const pool = this.pool;
    // many small matrices (attention over a batch) are bound by memory traffic, not flops, and
    // split into whole matrices per thread with no shared packing: worth the pool from 1/8 the size
    const flops = 2 * batch * M * N * K;
    const nth = !pool ? 1 : batch >= this.threads ? this.threadsFor(flops * 8) : this.threadsFor(flops);
    const E = this.E, s0 = this.scratch0;
    if (nth <= 1 || !pool) {
      E.gemmBatchedPart(batch, tA, tB, M, N, K, alpha, a, strideA, lda, b, strideB, ldb, beta, c, strideC, ldc, s0, 0, 1);
      return;
    }
    this.runJob(JOBS.gemmBatched, nth, { batch, tA, tB, M, N, K, alpha, A: a, strideA, lda, B: b, strideB, ldb, beta, C: c, strideC, ldc });
  }

  /** Runs a pooled job (jobs.ts) on nth threads, this one included: arguments by name, in the table's order. */
  private runJob<J extends Job>(j: J, nth: number, args: JobArgs<J>): void {
    const pool = this.pool!;
    const block = pool.args;
    writeJobArgs(j, args, block);
    const E = this.E, s0 = this.scratch0;
    pool.run(j.id, nth, () => callJob(E, j, block, s0, 0, nth));
  }

  private threadsFor(flops: number): number {
    if (flops < this.minParallelFlops) return 1;
    // at least ~minParallelFlops/2 of work per thread
    return Math.max(1, Math.min(this.threads, Math.floor(flops / (this.minParallelFlops / 2))));
  }

  /** Threads for an elementwise kernel over `elems` elements (1 = run here, no pool). */
  private elemThreads(elems: number): number {
    const min = this.minParallelElems;
    if (!this.pool || elems < min) return 1;
    return Math.max(1, Math.min(this.threads, Math.floor(elems / Math.max(1, min / 2)), MAX_PARTIALS));
  }

  // ---- elementwise ----
  override axpy(n: number, alpha: number, x: F32, y: F32): void {
    if (this.w2(x, y)) this.E.axpy(n, alpha, x.byteOffset, y.byteOffset); else super.axpy(n, alpha, x, y);
  }
  override scale(n: number, alpha: number, x: F32, out: F32): void {
    if (this.w2(x, out)) this.E.scale(n, alpha, x.byteOffset, out.byteOffset); else super.scale(n, alpha, x, out);
  }
  override unary(op: UnaryOp, n: number, x: F32, out: F32): void {
    if (!this.w2(x, out)) { super.unary(op, n, x, out); return; }
    const nth = this.elemThreads(n), E = this.E, xo = x.byteOffset, oo = out.byteOffset;
    if (nth <= 1) { E.unary(op, n, xo, oo); return; }
    this.runJob(JOBS.unary, nth, { op, n, x: xo, out: oo });
  }
  override binary(op: BinaryOp, n: number, a: F32, b: F32, out: F32): void {
    if (!this.w3(a, b, out)) { super.binary(op, n, a, b, out); return; }
    const nth = this.elemThreads(n), E = this.E, ao = a.byteOffset, bo = b.byteOffset, oo = out.byteOffset;
    if (nth <= 1) { E.binary(op, n, ao, bo, oo); return; }
    this.runJob(JOBS.binary, nth, { op, n, a: ao, b: bo, out: oo });
  }
  override binaryRowBroadcast(op: BinaryOp, rows: number, n: number, a: F32, b: F32, out: F32): void {
    if (this.w3(a, b, out)) this.E.binaryRowBroadcast(op, rows, n, a.byteOffset, b.byteOffset, out.byteOffset);
    else super.binaryRowBroadcast(op, rows, n, a, b, out);
  }

  override fill(out: F32 | I32, value: number, n: number): void {
    if (n <= 0) return;
    if (!this.w1(out)) { super.fill(out, value, n); return; }
    let bits: number;
    if (out instanceof Float32Array) { f32view[0] = value; bits = f32bits[0]!; } else bits = value | 0;
    this.E.fill32(out.byteOffset, bits, n);
  }
  override copy(src: F32 | I32, dst: F32 | I32, n: number): void {
    if (src === dst || n <= 0) return;
    // f32 → i32 (or back) converts values in js; same-type copies move bits
    if (this.w2(src, dst) && (src instanceof Float32Array) === (dst instanceof Float32Array)) this.E.copy32(src.byteOffset, dst.byteOffset, n);
    else super.copy(src, dst, n);
  }
  override unaryBackward(op: UnaryOp, n: number, x: F32, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
    if (n > 0 && this.w3(x, y, dy) && this.w1(dx)) this.E.unaryBackward(op, n, x.byteOffset, y.byteOffset, dy.byteOffset, dx.byteOffset, accumulate ? 1 : 0);
    else super.unaryBackward(op, n, x, y, dy, dx, accumulate);
  }
  override maskedFill(n: number, x: F32, mask: F32 | I32, value: number, out: F32): void {
    if (n > 0 && this.w3(x, mask, out)) this.E.maskedFill(n, x.byteOffset, mask.byteOffset, mask instanceof Int32Array ? 1 : 0, value, out.byteOffset);
    else super.maskedFill(n, x, mask, value, out);
  }

  /**
   * Writes `shape` and two stride lists into the argument block with size-1 dimensions dropped and
   * neighbours merged where both operands are contiguous across them (a slice of rows, a concat, a
   * whole-array copy become one or two runs). Returns the rank (≥ 1), 0 for an empty shape, or −1
   * when the shape is too long for the block.
   */
  private packStrides(shape: readonly number[], s1: readonly number[], s2: readonly number[]): number {
    const R = shape.length;
    if (R > MAX_RANK) return -1;
    const v = this.argv;
    let r = 0;
    for (let d = 0; d < R; d++) {
      const n = shape[d]!;
      if (n === 0) return 0;
      if (n === 1) continue;
      const a = s1[d]!, b = s2[d]!;
      if (r > 0) {
        const pn = v[r - 1]!, pa = v[MAX_RANK + r - 1]!, pb = v[2 * MAX_RANK + r - 1]!;
        if (pa === a * n && pb === b * n) {
          v[r - 1] = pn * n; v[MAX_RANK + r - 1] = a; v[2 * MAX_RANK + r - 1] = b;
          continue;
        }
      }
      v[r] = n; v[MAX_RANK + r] = a; v[2 * MAX_RANK + r] = b;
      r++;
    }
    if (r === 0) { v[0] = 1; v[MAX_RANK] = 0; v[2 * MAX_RANK] = 0; r = 1; }
    // the kernels read dims, strides, strides packed back to back at rank spacing
    if (r < MAX_RANK) {
      for (let d = 0; d < r; d++) v[r + d] = v[MAX_RANK + d]!;
      for (let d = 0; d < r; d++) v[2 * r + d] = v[2 * MAX_RANK + d]!;
    }
    return r;
  }

  override copyStrided(shape: readonly number[], src: F32 | I32, srcStrides: readonly number[], dst: F32 | I32, dstStrides: readonly number[], accumulate: boolean): void {
    const sameType = (src instanceof Float32Array) === (dst instanceof Float32Array);
    if (!this.w2(src, dst) || !sameType || (accumulate && !(dst instanceof Float32Array))) {
      super.copyStrided(shape, src, srcStrides, dst, dstStrides, accumulate); return;
    }
    const rank = this.packStrides(shape, srcStrides, dstStrides);
    if (rank === 0) return;
    if (rank < 0) { super.copyStrided(shape, src, srcStrides, dst, dstStrides, accumulate); return; }
    const v = this.argv;
    let elems = 1;
    for (let d = 0; d < rank; d++) elems *= v[d]!;
    this.runCopy(rank, src.byteOffset, dst.byteOffset, accumulate, elems);
  }

  /** Runs the strided copy whose shape and strides are in the argument block, on the pool if big. */
  private runCopy(rank: number, so: number, dof: number, accumulate: boolean, elems: number): void {
    const nth = this.elemThreads(elems), E = this.E, argp = this.argp, acc = accumulate ? 1 : 0;
    if (nth <= 1) { E.copyStrided(rank, argp, so, dof, acc, 0, 1); return; }
    this.runJob(JOBS.copyStrided, nth, { rank, args: argp, src: so, dst: dof, acc });
  }

  override copyRows(rows: number, n: number, src: F32 | I32, srcStride: number, dst: F32 | I32, dstStride: number, accumulate: boolean): void {
    if (rows <= 0 || n <= 0) return;
    const sameType = (src instanceof Float32Array) === (dst instanceof Float32Array);
    if (!this.w2(src, dst) || !sameType || (accumulate && !(dst instanceof Float32Array))) {
      super.copyRows(rows, n, src, srcStride, dst, dstStride, accumulate); return;
    }
    if (!accumulate && src === dst) return;
    const v = this.argv;
    let rank: number;
    if (rows === 1 || (srcStride === n && dstStride === n)) {
      rank = 1; v[0] = rows * n; v[1] = 1; v[2] = 1;
    } else {
      rank = 2; v[0] = rows; v[1] = n; v[2] = srcStride; v[3] = 1; v[4] = dstStride; v[5] = 1;
    }
    this.runCopy(rank, src.byteOffset, dst.byteOffset, accumulate, rows * n);
  }

  override binaryStrided(op: BinaryOp, shape: readonly number[], a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32): void {
    if (!this.w3(a, b, out)) { super.binaryStrided(op, shape, a, aStrides, b, bStrides, out); return; }
    const rank = this.packStrides(shape, aStrides, bStrides);
    if (rank === 0) return;
    if (rank < 0) { super.binaryStrided(op, shape, a, aStrides, b, bStrides, out); return; }
    this.E.binaryStrided(op, rank, this.argp, a.byteOffset, b.byteOffset, out.byteOffset);
  }

  // ---- reductions ----
  override broadcastInner(outer: number, reduce: number, inner: number, g: F32, out: F32, accumulate: boolean): void {
    if (outer <= 0 || reduce <= 0 || inner <= 0) return;
    if (this.w2(g, out)) this.E.broadcastInner(outer, reduce, inner, g.byteOffset, out.byteOffset, accumulate ? 1 : 0);
    else super.broadcastInner(outer, reduce, inner, g, out, accumulate);
  }
  override reduceSum(outer: number, reduce: number, inner: number, x: F32, out: F32, accumulate: boolean): void {
    if (this.w2(x, out)) this.E.reduceSum(outer, reduce, inner, x.byteOffset, out.byteOffset, accumulate ? 1 : 0);
    else super.reduceSum(outer, reduce, inner, x, out, accumulate);
  }
  override sumSquares(n: number, x: F32): number {
    return this.w1(x) ? this.E.sumSquares(n, x.byteOffset) : super.sumSquares(n, x);
  }

  // ---- softmax family ----
  override softmax(rows: number, n: number, x: F32, out: F32): void {
    if (!this.w2(x, out)) { super.softmax(rows, n, x, out); return; }
    const nth = Math.min(rows, this.elemThreads(rows * n)), E = this.E, xo = x.byteOffset, oo = out.byteOffset;
    if (nth <= 1) { E.softmax(rows, n, xo, oo); return; }
    this.runJob(JOBS.softmax, nth, { rows, n, x: xo, out: oo });
  }
  override logSoftmax(rows: number, n: number, x: F32, out: F32): void {
    if (this.w2(x, out)) this.E.logSoftmax(rows, n, x.byteOffset, out.byteOffset); else super.logSoftmax(rows, n, x, out);
  }
  override softmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
    if (this.w3(y, dy, dx)) this.E.softmaxBackward(rows, n, y.byteOffset, dy.byteOffset, dx.byteOffset, accumulate ? 1 : 0);
    else super.softmaxBackward(rows, n, y, dy, dx, accumulate);
  }
  override logSoftmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
    if (this.w3(y, dy, dx)) this.E.logSoftmaxBackward(rows, n, y.byteOffset, dy.byteOffset, dx.byteOffset, accumulate ? 1 : 0);
    else super.logSoftmaxBackward(rows, n, y, dy, dx, accumulate);
  }
  override softmaxCrossEntropy(rows: number, V: number, logits: F32, targets: I32, ignoreIndex: number, smoothing: number, lossRows: F32, probs: F32 | null): number {
    if (!(this.w3(logits, targets, lossRows) && (probs === null || this.w1(probs)))) {
      return super.softmaxCrossEntropy(rows, V, logits, targets, ignoreIndex, smoothing, lossRows, probs);
    }
    const E = this.E, lo = logits.byteOffset, to = targets.byteOffset, lro = lossRows.byteOffset, po = probs === null ? 0 : probs.byteOffset;
    const nth = Math.min(rows, this.elemThreads(rows * V));
    if (nth <= 1) return E.softmaxCrossEntropy(rows, V, lo, to, ignoreIndex, smoothing, lro, po);
    this.runJob(JOBS.softmaxCrossEntropy, nth, { rows, V, logits: lo, targets: to, ignore: ignoreIndex, smoothing, lossRows: lro, probs: po, partials: this.partp });
    let total = 0;
    for (let t = 0; t < nth; t++) total += this.partials[t]!;
    return total;
  }
  override softmaxCrossEntropyBackward(rows: number, V: number, probs: F32, targets: I32, ignoreIndex: number, smoothing: number, scale: number, dlogits: F32, accumulate: boolean): void {
    if (!this.w3(probs, targets, dlogits)) {
      super.softmaxCrossEntropyBackward(rows, V, probs, targets, ignoreIndex, smoothing, scale, dlogits, accumulate); return;
    }
    const E = this.E, po = probs.byteOffset, to = targets.byteOffset, dlo = dlogits.byteOffset, acc = accumulate ? 1 : 0;
    const nth = Math.min(rows, this.elemThreads(rows * V));
    if (nth <= 1) { E.softmaxCrossEntropyBackward(rows, V, po, to, ignoreIndex, smoothing, scale, dlo, acc); return; }
    this.runJob(JOBS.softmaxCrossEntropyBackward, nth, { rows, V, probs: po, targets: to, ignore: ignoreIndex, smoothing, scale, dlogits: dlo, acc });
  }

  // ---- embedding ----
  override gatherRows(n: number, dim: number, table: F32, ids: I32, out: F32): void {
    if (this.w3(table, ids, out)) this.E.gatherRows(n, dim, table.byteOffset, ids.byteOffset, out.byteOffset);
    else super.gatherRows(n, dim, table, ids, out);
  }
  override scatterAddRows(n: number, dim: number, g: F32, ids: I32, dTable: F32): void {
    if (this.w3(g, ids, dTable)) this.E.scatterAddRows(n, dim, g.byteOffset, ids.byteOffset, dTable.byteOffset);
    else super.scatterAddRows(n, dim, g, ids, dTable);
  }

  // ---- fused recurrent cells ----
  override lstmCell(B: number, H: number, gates: F32, cPrev: F32, h: F32, c: F32): void {
    if (!(this.w2(gates, cPrev) && this.w2(h, c))) { super.lstmCell(B, H, gates, cPrev, h, c); return; }
    const E = this.E, g = gates.byteOffset, cp = cPrev.byteOffset, ho = h.byteOffset, co = c.byteOffset;
    const nth = Math.min(B, this.elemThreads(B * H * 4));
    if (nth <= 1) { E.lstmCell(B, H, g, cp, ho, co); return; }
    this.runJob(JOBS.lstmCell, nth, { B, H, gates: g, cPrev: cp, h: ho, c: co });
  }
  override lstmCellBackward(B: number, H: number, acts: F32, cPrev: F32, c: F32, dh: F32, dc: F32 | null, dGates: F32, dcPrev: F32, accumulate: boolean): void {
    if (!(this.w3(acts, cPrev, c) && this.w3(dh, dGates, dcPrev) && (dc === null || this.w1(dc)))) {
      super.lstmCellBackward(B, H, acts, cPrev, c, dh, dc, dGates, dcPrev, accumulate); return;
    }
    const E = this.E, ao = acts.byteOffset, cp = cPrev.byteOffset, co = c.byteOffset, dho = dh.byteOffset, dco = dc === null ? 0 : dc.byteOffset;
    const dg = dGates.byteOffset, dcp = dcPrev.byteOffset, acc = accumulate ? 1 : 0;
    const nth = Math.min(B, this.elemThreads(B * H * 4));
    if (nth <= 1) { E.lstmCellBackward(B, H, ao, cp, co, dho, dco, dg, dcp, acc); return; }
    this.runJob(JOBS.lstmCellBackward, nth, { B, H, acts: ao, cPrev: cp, c: co, dh: dho, dc: dco, dGates: dg, dcPrev: dcp, acc });
  }
  override gruCell(B: number, H: number, xg: F32, hg: F32, hPrev: F32, h: F32, acts: F32): void {
    if (!(this.w3(xg, hg, hPrev) && this.w2(h, acts))) { super.gruCell(B, H, xg, hg, hPrev, h, acts); return; }
    const E = this.E, xo = xg.byteOffset, ho = hg.byteOffset, hp = hPrev.byteOffset, out = h.byteOffset, ao = acts.byteOffset;
    const nth = Math.min(B, this.elemThreads(B * H * 3));
    if (nth <= 1) { E.gruCell(B, H, xo, ho, hp, out, ao); return; }
    this.runJob(JOBS.gruCell, nth, { B, H, xg: xo, hg: ho, hPrev: hp, h: out, acts: ao });
  }
  override gruCellBackward(B: number, H: number, acts: F32, hPrev: F32, dh: F32, dxg: F32, dhg: F32, dhPrev: F32, accumulate: boolean): void {
    if (!(this.w3(acts, hPrev, dh) && this.w3(dxg, dhg, dhPrev))) { super.gruCellBackward(B, H, acts, hPrev, dh, dxg, dhg, dhPrev, accumulate); return; }
    const E = this.E, ao = acts.byteOffset, hp = hPrev.byteOffset, dho = dh.byteOffset, dxo = dxg.byteOffset, dhgo = dhg.byteOffset, dpo = dhPrev.byteOffset;
    const acc = accumulate ? 1 : 0;
    const nth = Math.min(B, this.elemThreads(B * H * 3));
    if (nth <= 1) { E.gruCellBackward(B, H, ao, hp, dho, dxo, dhgo, dpo, acc); return; }
    this.runJob(JOBS.gruCellBackward, nth, { B, H, acts: ao, hPrev: hp, dh: dho, dxg: dxo, dhg: dhgo, dhPrev: dpo, acc });
  }

  // ---- optimizers ----
  override adamStep(n: number, param: F32, grad: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, biasCorrection1: number, biasCorrection2: number): void {
    if (!(this.w2(param, grad) && this.w2(m, v))) {
      super.adamStep(n, param, grad, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, biasCorrection1, biasCorrection2); return;
    }
    const E = this.E, po = param.byteOffset, go = grad.byteOffset, mo = m.byteOffset, vo = v.byteOffset, dec = decoupled ? 1 : 0;
    const nth = this.elemThreads(n);
    if (nth <= 1) { E.adamStep(n, po, go, mo, vo, lr, beta1, beta2, eps, weightDecay, dec, biasCorrection1, biasCorrection2); return; }
    this.runJob(JOBS.adam, nth, { n, param: po, grad: go, m: mo, v: vo, lr, beta1, beta2, eps, weightDecay, decoupled: dec, bc1: biasCorrection1, bc2: biasCorrection2 });
  }

  // ---- Transformer blocks (assembly/mha.ts, layernorm.ts, bias-act.ts) ----
  /** Whether every non-null array lives in the wasm memory. */
  private wAll(...arrs: (ArrayBufferView | null)[]): boolean {
    for (const a of arrs) if (a !== null && !this.heap.owns(a)) return false;
    return true;
  }

  /**
   * Runs a row-split kernel whose parameter gradient (n floats per thread) is a sum over rows: one
   * thread adds into `dParams` itself; several add into zeroed per-thread partial rows that are then
   * summed in thread order (deterministic for a thread count).
   */
  private withPartials(nth: number, n: number, dParams: (F32 | null)[], run: (parts: number[]) => void): void {
    if (nth <= 1) { run(dParams.map((d) => (d === null ? 0 : d.byteOffset))); return; }
    const parts = dParams.map((d) => (d === null ? null : this.allocF32(nth * n, true)));
    run(parts.map((p) => (p === null ? 0 : p.byteOffset)));
    parts.forEach((p, k) => {
      if (p === null) return;
      for (let t = 0; t < nth; t++) this.E.axpy(n, 1, p.byteOffset + t * n * 4, dParams[k]!.byteOffset);
      this.free(p);
    });
  }

  /** Threads for attention over (batch, head) units: by the score work B·H·T·S·dh, at most one per unit. */
  private mhaThreads(B: number, T: number, S: number, H: number, dh: number): number {
    return Math.min(B * H, this.elemThreads((B * H * T * S * dh) / 16));
  }

  override mhaForward(B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean, dropP: number, seed: number, out: F32, probs: F32 | null): void {
    if (!this.wAll(q, k, v, out, keyPadding, probs) || this.E.mhaScratchFloats(S, dh) * 4 > this.E.gemmScratchBytes() || B * H * T === 0) {
      super.mhaForward(B, T, S, H, dh, q, k, v, keyPadding, causal, dropP, seed, out, probs);
      return;
    }
    const args = {
      B, T, S, H, dh, q: q.byteOffset, k: k.byteOffset, v: v.byteOffset, pad: keyPadding === null ? 0 : keyPadding.byteOffset, causal: causal ? 1 : 0,
      thr: dropP > 0 ? dropThreshold(dropP) : 0, key: dropKey(seed), keep: Math.fround(1 / (1 - dropP)), out: out.byteOffset, probs: probs === null ? 0 : probs.byteOffset,
    };
    const nth = this.mhaThreads(B, T, S, H, dh);
    if (nth <= 1) {
      const a = args;
      this.E.mhaForwardPart(a.B, a.T, a.S, a.H, a.dh, a.q, a.k, a.v, a.pad, a.causal, a.thr, a.key, a.keep, a.out, a.probs, this.scratch0, 0, 1);
      return;
    }
    this.runJob(JOBS.mhaForward, nth, args);
  }

  override mhaBackward(B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean, dropP: number, seed: number, probs: F32, dOut: F32, dq: F32, dk: F32, dv: F32): void {
    if (!this.wAll(q, k, v, keyPadding, probs, dOut, dq, dk, dv) || this.E.mhaScratchFloats(S, dh) * 4 > this.E.gemmScratchBytes() || B * H === 0) {
      super.mhaBackward(B, T, S, H, dh, q, k, v, keyPadding, causal, dropP, seed, probs, dOut, dq, dk, dv);
      return;
    }
    const args = {
      B, T, S, H, dh, q: q.byteOffset, k: k.byteOffset, v: v.byteOffset, pad: keyPadding === null ? 0 : keyPadding.byteOffset, causal: causal ? 1 : 0,
      thr: dropP > 0 ? dropThreshold(dropP) : 0, key: dropKey(seed), keep: Math.fround(1 / (1 - dropP)),
      probs: probs.byteOffset, dOut: dOut.byteOffset, dq: dq.byteOffset, dk: dk.byteOffset, dv: dv.byteOffset,
    };
    const nth = this.mhaThreads(B, T, S, H, dh);
    if (nth <= 1) {
      const a = args;
      this.E.mhaBackwardPart(a.B, a.T, a.S, a.H, a.dh, a.q, a.k, a.v, a.pad, a.causal, a.thr, a.key, a.keep, a.probs, a.dOut, a.dq, a.dk, a.dv, this.scratch0, 0, 1);
      return;
    }
    this.runJob(JOBS.mhaBackward, nth, args);
  }

  override layerNorm(rows: number, n: number, x: F32, gamma: F32, beta: F32, eps: number, out: F32, mean: F32, rstd: F32): void {
    if (!this.wAll(x, gamma, beta, out, mean, rstd)) { super.layerNorm(rows, n, x, gamma, beta, eps, out, mean, rstd); return; }
    const a = { rows, n, x: x.byteOffset, gamma: gamma.byteOffset, beta: beta.byteOffset, eps, out: out.byteOffset, mean: mean.byteOffset, rstd: rstd.byteOffset };
    const nth = Math.min(rows, this.elemThreads(rows * n));
    if (nth <= 1) { this.E.layerNormPart(a.rows, a.n, a.x, a.gamma, a.beta, a.eps, a.out, a.mean, a.rstd, 0, 1); return; }
    this.runJob(JOBS.layerNorm, nth, a);
  }

  override layerNormBackward(rows: number, n: number, x: F32, gamma: F32, mean: F32, rstd: F32, dy: F32, dx: F32, dGamma: F32, dBeta: F32): void {
    if (!this.wAll(x, gamma, mean, rstd, dy, dx, dGamma, dBeta)) { super.layerNormBackward(rows, n, x, gamma, mean, rstd, dy, dx, dGamma, dBeta); return; }
    const nth = Math.min(rows, this.elemThreads(rows * n));
    this.withPartials(nth, n, [dGamma, dBeta], ([dg, db]) => {
      const a = { rows, n, x: x.byteOffset, gamma: gamma.byteOffset, mean: mean.byteOffset, rstd: rstd.byteOffset, dy: dy.byteOffset, dx: dx.byteOffset, dg: dg!, db: db! };
      if (nth <= 1) this.E.layerNormBackwardPart(a.rows, a.n, a.x, a.gamma, a.mean, a.rstd, a.dy, a.dx, a.dg, a.db, 0, 1);
      else this.runJob(JOBS.layerNormBackward, nth, a);
    });
  }

  override biasAct(rows: number, n: number, x: F32, bias: F32, act: ActKind, out: F32): void {
    if (!this.wAll(x, bias, out)) { super.biasAct(rows, n, x, bias, act, out); return; }
    const a = { rows, n, x: x.byteOffset, bias: bias.byteOffset, act, out: out.byteOffset };
    const nth = Math.min(rows, this.elemThreads(rows * n));
    if (nth <= 1) { this.E.biasActPart(a.rows, a.n, a.x, a.bias, a.act, a.out, 0, 1); return; }
    this.runJob(JOBS.biasAct, nth, a);
  }

  override biasActBackward(rows: number, n: number, x: F32, bias: F32, act: ActKind, dy: F32, dx: F32 | null, accumulate: boolean, dBias: F32 | null): void {
    if (!this.wAll(x, bias, dy, dx, dBias)) { super.biasActBackward(rows, n, x, bias, act, dy, dx, accumulate, dBias); return; }
    const nth = Math.min(rows, this.elemThreads(rows * n));
    this.withPartials(nth, n, [dBias], ([db]) => {
      const a = { rows, n, x: x.byteOffset, bias: bias.byteOffset, act, dy: dy.byteOffset, dx: dx === null ? 0 : dx.byteOffset, acc: accumulate ? 1 : 0, db: db! };
      if (nth <= 1) this.E.biasActBackwardPart(a.rows, a.n, a.x, a.bias, a.act, a.dy, a.dx, a.acc, a.db, 0, 1);
      else this.runJob(JOBS.biasActBackward, nth, a);
    });
  }
}
