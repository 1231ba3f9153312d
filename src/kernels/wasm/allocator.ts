// Size-class allocator over the wasm module's linear memory. Arrays handed out are typed-array
// views of the shared memory, so wasm kernels read them at `byteOffset` and the js kernels read
// them as ordinary arrays. Blocks are 64-byte aligned; freed blocks go to a free list per class
// and are reused for the next request of that class (training steps repeat the same sizes, so the
// pool reaches a steady state and memory stops growing after the first step). Steps of varying
// shapes (a Transformer on sentences of every length) free blocks of ever new classes, so before
// the memory grows, the free blocks are merged where they touch and handed out first-fit
// (compact): without that, the pools of a few hundred steps of translation data filled the 4 GiB.
import { PAGE, MAX_PAGES, type WasmMemory } from './wasm-api.js';

const ALIGN = 64;

/** Class size in bytes for a request: 64-byte steps up to 4 KiB, then 8 steps per power of two. */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(ALIGN, (bytes + ALIGN - 1) & ~(ALIGN - 1));
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 8;
  return Math.ceil(bytes / step) * step;
}

export class LinearAllocator {
  private top: number;
  private readonly start: number;
  private readonly free = new Map<number, number[]>();
  /** Merged free memory left by compact(), as [start, bytes] ranges in address order. */
  private ranges: [number, number][] = [];
  private readonly live = new Map<number, number>(); // byteOffset → class bytes
  private liveBytes = 0;
  private pooledBytes = 0;
  /** Every SharedArrayBuffer object memory.buffer has returned (one per grow). */
  readonly buffers: ArrayBufferLike[] = [];
  private buf: ArrayBufferLike;

  constructor(private readonly memory: WasmMemory, start: number) {
    this.start = this.top = (start + ALIGN - 1) & ~(ALIGN - 1);
    this.buf = memory.buffer;
    this.buffers.push(this.buf);
  }

  /** Reserves `bytes` at the bump pointer forever (scratch areas). */
  reserve(bytes: number): number {
    const p = this.top;
    this.ensure(p + bytes);
    this.top = (p + bytes + ALIGN - 1) & ~(ALIGN - 1);
    return p;
  }

  private ensure(end: number): void {
    const have = this.buf.byteLength;
    if (end <= have) return;
    const havePages = have / PAGE;
    const needPages = Math.ceil(end / PAGE) - havePages;
    // grow by at least half of what we have, so growth is amortised
    const pages = Math.min(MAX_PAGES - havePages, Math.max(needPages, Math.ceil(havePages / 2)));
    if (pages < needPages) throw new RangeError(`s2s wasm: out of memory (need ${end} bytes, limit ${MAX_PAGES * PAGE})`);
    this.memory.grow(pages);
    this.buf = this.memory.buffer;
    this.buffers.push(this.buf);
  }

  /** Byte offset of a block of at least `bytes`. */
  allocBytes(bytes: number): number {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    let p: number;
    if (list && list.length > 0) {
      p = list.pop()!;
      this.pooledBytes -= cls;
    } else {
      p = this.fromRanges(cls);
      if (p < 0 && this.top + cls > this.buf.byteLength && this.pooledBytes >= cls) {
        // about to grow while blocks of other classes lie free: merge them first
        this.compact();
        p = this.fromRanges(cls);
      }
      if (p < 0) {
        p = this.top;
        this.ensure(p + cls);
        this.top = p + cls;
      }
    }
    this.live.set(p, cls);
    this.liveBytes += cls;
    return p;
  }

  /** A block of `cls` bytes carved first-fit from the merged ranges, or -1. */
  private fromRanges(cls: number): number {
    const r = this.ranges;
    for (let i = 0; i < r.length; i++) {
      const range = r[i]!;
      if (range[1] < cls) continue;
      const p = range[0];
      range[0] += cls;
      range[1] -= cls;
      if (range[1] === 0) r.splice(i, 1);
      this.pooledBytes -= cls;
      return p;
    }
    return -1;
  }

  /**
   * Merges every free block and range into maximal ranges of touching memory; a range that ends
   * at the bump pointer lowers it instead. Live blocks never move.
   */
  private compact(): void {
    const blocks: [number, number][] = this.ranges;
    for (const [cls, list] of this.free) for (const p of list) blocks.push([p, cls]);
    this.free.clear();
    blocks.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [p, n] of blocks) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === p) last[1] += n;
      else merged.push([p, n]);
    }
    const tail = merged[merged.length - 1];
    if (tail && tail[0] + tail[1] === this.top) {
      this.top = tail[0];
      this.pooledBytes -= tail[1];
      merged.pop();
    }
    this.ranges = merged;
  }

  allocF32(n: number): Float32Array {
    const p = this.allocBytes(n * 4); // first: it may grow the memory and replace this.buf
    return new Float32Array(this.buf, p, n);
  }

  allocI32(n: number): Int32Array {
    const p = this.allocBytes(n * 4);
    return new Int32Array(this.buf, p, n);
  }

  freeBytes(p: number): void {
    const cls = this.live.get(p);
    if (cls === undefined) throw new Error(`s2s wasm: free of an array not allocated here (or freed twice) at byte ${p}`);
    this.live.delete(p);
    this.liveBytes -= cls;
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(p);
    this.pooledBytes += cls;
  }

  /** True when `a` is a view of this memory (allocated here or a subarray of such). */
  owns(a: ArrayBufferView): boolean {
    const b = a.buffer;
    if (b === this.buf) return true;
    for (let i = 0; i < this.buffers.length; i++) if (this.buffers[i] === b) return true;
    return false;
  }

  stats(): { liveBytes: number; pooledBytes: number; reservedBytes: number } {
    return { liveBytes: this.liveBytes, pooledBytes: this.pooledBytes, reservedBytes: this.buf.byteLength };
  }

  /** Bytes handed out by the bump pointer so far (arrays and scratch). */
  get usedBytes(): number {
    return this.top - this.start;
  }
}
