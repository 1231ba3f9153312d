// Single-precision gemm: C = alpha · op(A) · op(B) + beta · C, row-major, all four transposes.
//
// Goto/BLIS structure: the N range is cut in NC-wide blocks, K in KC-deep blocks (B block packed
// into NR-wide column panels), M in MC-tall blocks (A block packed into MR-tall row panels, alpha
// folded in while packing). The MR×NR micro-kernel then runs over contiguous panels only, so one
// micro-kernel serves every transpose combination and every edge (panels are zero-padded; partial
// tiles of C go through a small temporary tile).
//
// The micro-kernel is 5×8: 10 f32x4 accumulators + 2 B vectors + 1 broadcast A value + 1 product
// temporary = 14 xmm registers. No FMA in plain wasm SIMD, so each step is f32x4.mul + f32x4.add,
// and the product needs its own register: a 6×8 tile needs 16, one more than V8 gives wasm code on
// x64 (xmm15 is its scratch), and the spill it forces cost ~40% (measured: 6×8 ~30 GFLOP/s,
// 4×8 ~47, 5×8 ~55 at 512³ on one thread of the project's EPYC).
//
// Threads: every thread calls gemmPart with its own tid and its own scratch; the work is split
// over N (or over M when N is too narrow), so threads never write the same element of C.

import { madd } from './simd';

export const MR: i32 = 5;
export const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 70; // multiple of MR
const NC: i32 = 1024; // multiple of NR

const PACK_A_BYTES: i32 = MC * KC * 4;
const PACK_B_BYTES: i32 = NC * KC * 4;
const TILE_BYTES: i32 = MR * NR * 4;

/** Bytes of scratch one thread needs for gemm (packed A block, packed B block, one C tile). */
export function gemmScratchBytes(): i32 {
  return PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES + 64;
}

// Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A), times alpha, as MR-tall panels:
// panel q holds, for each k, MR consecutive values (rows i0+q·MR .. +MR), zero past row M-1.
function packA(transA: bool, A: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, alpha: f32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const d = dst + <usize>(ir * kc) * 4;
    if (!transA) {
      if (mr == MR) {
        const r0 = A + (<usize>(i0 + ir) * <usize>lda + <usize>p0) * 4;
        const st = <usize>lda * 4;
        const r1 = r0 + st, r2 = r1 + st, r3 = r2 + st, r4 = r3 + st;
        const va = f32x4.splat(alpha);
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          // 4 k-values from each of 5 rows → 20 floats in k-major order
          const ko = <usize>k * 4;
          const a0 = f32x4.mul(v128.load(r0 + ko), va);
          const a1 = f32x4.mul(v128.load(r1 + ko), va);
          const a2 = f32x4.mul(v128.load(r2 + ko), va);
          const a3 = f32x4.mul(v128.load(r3 + ko), va);
          const a4 = f32x4.mul(v128.load(r4 + ko), va);
          const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5); // a0k0 a1k0 a0k1 a1k1
          const t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7); // a0k2 a1k2 a0k3 a1k3
          const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
          const o = d + <usize>k * (MR * 4);
          v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), 0);
          v128.store32_lane(o, a4, 0, 16);
          v128.store(o, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 20);
          v128.store32_lane(o, a4, 1, 36);
          v128.store(o, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 40);
          v128.store32_lane(o, a4, 2, 56);
          v128.store(o, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 60);
          v128.store32_lane(o, a4, 3, 76);
        }
        for (; k < kc; k++) {
          const ko = <usize>k * 4;
          const o = d + <usize>k * (MR * 4);
          store<f32>(o, load<f32>(r0 + ko) * alpha, 0);
          store<f32>(o, load<f32>(r1 + ko) * alpha, 4);
          store<f32>(o, load<f32>(r2 + ko) * alpha, 8);
          store<f32>(o, load<f32>(r3 + ko) * alpha, 12);
          store<f32>(o, load<f32>(r4 + ko) * alpha, 16);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const o = d + <usize>(k * MR) * 4;
          for (let r = 0; r < MR; r++) {
            let v: f32 = 0;
            if (r < mr) v = load<f32>(A + (<usize>(i0 + ir + r) * <usize>lda + <usize>(p0 + k)) * 4) * alpha;
            store<f32>(o + <usize>r * 4, v);
          }
        }
      }
    } else {
      // op(A)(i, k) = A[k·lda + i]: MR consecutive floats per k.
      for (let k = 0; k < kc; k++) {
        const s = A + (<usize>(p0 + k) * <usize>lda + <usize>(i0 + ir)) * 4;
        const o = d + <usize>(k * MR) * 4;
        if (mr == MR) {
          v128.store(o, f32x4.mul(v128.load(s), f32x4.splat(alpha)));
          store<f32>(o, load<f32>(s, 16) * alpha, 16);
        } else {
          for (let r = 0; r < MR; r++) {
            store<f32>(o + <usize>r * 4, r < mr ? load<f32>(s + <usize>r * 4) * alpha : <f32>0);
          }
        }
      }
    }
  }
}

// Packs rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) as NR-wide panels: panel q holds, for each
// k, NR consecutive values (cols j0+q·NR .. +NR), zero past column N-1.
function packB(transB: bool, B: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const d = dst + <usize>(jr * kc) * 4;
    if (!transB) {
      if (nr == NR) {
        let s = B + (<usize>p0 * <usize>ldb + <usize>(j0 + jr)) * 4;
        const st = <usize>ldb * 4;
        let o = d;
        for (let k = 0; k < kc; k++) {
          v128.store(o, v128.load(s), 0);
          v128.store(o, v128.load(s, 16), 16);
          s += st;
          o += NR * 4;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const s = B + (<usize>(p0 + k) * <usize>ldb + <usize>(j0 + jr)) * 4;
          const o = d + <usize>(k * NR) * 4;
          for (let c = 0; c < NR; c++) {
            store<f32>(o + <usize>c * 4, c < nr ? load<f32>(s + <usize>c * 4) : <f32>0);
          }
        }
      }
    } else {
      // op(B)(k, j) = B[j·ldb + k]: 8 rows of B, transposed 4×4 at a time.
      if (nr == NR) {
        const st = <usize>ldb * 4;
        const b0 = B + (<usize>(j0 + jr) * <usize>ldb + <usize>p0) * 4;
        const b1 = b0 + st, b2 = b1 + st, b3 = b2 + st, b4 = b3 + st, b5 = b4 + st, b6 = b5 + st, b7 = b6 + st;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const ko = <usize>k * 4;
          const o = d + <usize>k * (NR * 4);
          transpose4(v128.load(b0 + ko), v128.load(b1 + ko), v128.load(b2 + ko), v128.load(b3 + ko), o, NR * 4);
          transpose4(v128.load(b4 + ko), v128.load(b5 + ko), v128.load(b6 + ko), v128.load(b7 + ko), o + 16, NR * 4);
        }
        for (; k < kc; k++) {
          const ko = <usize>k * 4;
          const o = d + <usize>k * (NR * 4);
          store<f32>(o, load<f32>(b0 + ko), 0);
          store<f32>(o, load<f32>(b1 + ko), 4);
          store<f32>(o, load<f32>(b2 + ko), 8);
          store<f32>(o, load<f32>(b3 + ko), 12);
          store<f32>(o, load<f32>(b4 + ko), 16);
          store<f32>(o, load<f32>(b5 + ko), 20);
          store<f32>(o, load<f32>(b6 + ko), 24);
          store<f32>(o, load<f32>(b7 + ko), 28);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const o = d + <usize>(k * NR) * 4;
          for (let c = 0; c < NR; c++) {
            let v: f32 = 0;
            if (c < nr) v = load<f32>(B + (<usize>(j0 + jr + c) * <usize>ldb + <usize>(p0 + k)) * 4);
            store<f32>(o + <usize>c * 4, v);
          }
        }
      }
    }
  }
}

// Rows r0..r3 (4 k-values each) → 4 stores of 4 values (one per k), `stride` bytes apart.
// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, o: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(o + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(o + stride * 2, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(o + stride * 3, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline function updRow(p: usize, a0: v128, a1: v128, mode: i32, vb: v128): void {
  // mode 0: C = acc; 1: C = acc + beta·C; 2: C += acc
  if (mode == 0) {
    v128.store(p, a0, 0);
    v128.store(p, a1, 16);
  } else if (mode == 1) {
    v128.store(p, f32x4.add(a0, f32x4.mul(v128.load(p, 0), vb)), 0);
    v128.store(p, f32x4.add(a1, f32x4.mul(v128.load(p, 16), vb)), 16);
  } else {
    v128.store(p, f32x4.add(a0, v128.load(p, 0)), 0);
    v128.store(p, f32x4.add(a1, v128.load(p, 16)), 16);
  }
}

// MR×NR micro-kernel over kc steps of packed panels pa (kc × MR) and pb (kc × NR). Writes to C
// directly when the tile is whole, else through `tile` and a scalar edge loop.
function kernel5x8(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, mr: i32, nr: i32, mode: i32, beta: f32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let a = pa, b = pb;
  const end = pb + <usize>kc * (NR * 4);
  while (b < end) {
    const b0 = v128.load(b, 0);
    const b1 = v128.load(b, 16);
    let x: v128;
    x = v128.load32_splat(a, 0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = madd(x, b0, c40);
    c41 = madd(x, b1, c41);
    a += MR * 4;
    b += NR * 4;
  }
  const vb = f32x4.splat(beta);
  if (mr == MR && nr == NR) {
    const st = <usize>ldc * 4;
    let p = C;
    updRow(p, c00, c01, mode, vb); p += st;
    updRow(p, c10, c11, mode, vb); p += st;
    updRow(p, c20, c21, mode, vb); p += st;
    updRow(p, c30, c31, mode, vb); p += st;
    updRow(p, c40, c41, mode, vb); p += st;
    return;
  }
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  for (let r = 0; r < mr; r++) {
    const p = C + <usize>r * <usize>ldc * 4;
    const t = tile + <usize>(r * NR) * 4;
    for (let c = 0; c < nr; c++) {
      const q = p + <usize>c * 4;
      const acc = load<f32>(t + <usize>c * 4);
      if (mode == 0) store<f32>(q, acc);
      else if (mode == 1) store<f32>(q, acc + beta * load<f32>(q));
      else store<f32>(q, acc + load<f32>(q));
    }
  }
}

function scaleC(m0: i32, m1: i32, n0: i32, n1: i32, beta: f32, C: usize, ldc: i32): void {
  for (let i = m0; i < m1; i++) {
    const row = C + <usize>i * <usize>ldc * 4;
    for (let j = n0; j < n1; j++) {
      const p = row + <usize>j * 4;
      store<f32>(p, beta == 0 ? <f32>0 : beta * load<f32>(p));
    }
  }
}

// Direct path for skinny problems (a few rows of C, or a tiny K), where packing and the padded 5×8
// tiles cost more than the arithmetic: the attention bmm's of one decoder step (M = 1, or K = 1),
// decoding with a small batch. Row i of alpha·op(A) is copied once into `arow` (contiguous), then
// - op(B) = B (rows of B contiguous along N): C[i, j..j+8) accumulated in registers over k;
// - op(B) = Bᵀ (B's rows contiguous along K): dot products, four columns of C at a time.
function gemmDirect(
  transA: bool, transB: bool, m0: i32, m1: i32, n0: i32, n1: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, arow: usize,
): void {
  const vbeta = f32x4.splat(beta);
  const ldbB = <usize>ldb << 2;
  for (let i = m0; i < m1; i++) {
    if (!transA) {
      const s = A + <usize>i * (<usize>lda << 2);
      let k = 0;
      const va = f32x4.splat(alpha);
      for (; k + 4 <= K; k += 4) v128.store(arow + (<usize>k << 2), f32x4.mul(v128.load(s + (<usize>k << 2)), va));
      for (; k < K; k++) store<f32>(arow + (<usize>k << 2), load<f32>(s + (<usize>k << 2)) * alpha);
    } else {
      let s = A + (<usize>i << 2);
      const sl = <usize>lda << 2;
      for (let k = 0; k < K; k++) { store<f32>(arow + (<usize>k << 2), load<f32>(s) * alpha); s += sl; }
    }
    const crow = C + <usize>i * (<usize>ldc << 2);
    if (!transB) {
      let j = n0;
      for (; j + 8 <= n1; j += 8) {
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        let b = B + (<usize>j << 2);
        for (let k = 0; k < K; k++) {
          const x = v128.load32_splat(arow + (<usize>k << 2));
          c0 = madd(x, v128.load(b), c0);
          c1 = madd(x, v128.load(b, 16), c1);
          b += ldbB;
        }
        const p = crow + (<usize>j << 2);
        if (beta == 0) { v128.store(p, c0); v128.store(p, c1, 16); }
        else {
          v128.store(p, f32x4.add(c0, f32x4.mul(v128.load(p), vbeta)));
          v128.store(p, f32x4.add(c1, f32x4.mul(v128.load(p, 16), vbeta)), 16);
        }
      }
      for (; j + 4 <= n1; j += 4) {
        let c0 = f32x4.splat(0);
        let b = B + (<usize>j << 2);
        for (let k = 0; k < K; k++) {
          c0 = madd(v128.load32_splat(arow + (<usize>k << 2)), v128.load(b), c0);
          b += ldbB;
        }
        const p = crow + (<usize>j << 2);
        if (beta == 0) v128.store(p, c0);
        else v128.store(p, f32x4.add(c0, f32x4.mul(v128.load(p), vbeta)));
      }
      for (; j < n1; j++) {
        let acc: f32 = 0;
        let b = B + (<usize>j << 2);
        for (let k = 0; k < K; k++) { acc += load<f32>(arow + (<usize>k << 2)) * load<f32>(b); b += ldbB; }
        const p = crow + (<usize>j << 2);
        store<f32>(p, beta == 0 ? acc : acc + beta * load<f32>(p));
      }
    } else {
      let j = n0;
      for (; j + 4 <= n1; j += 4) {
        const b0 = B + <usize>j * ldbB, b1 = b0 + ldbB, b2 = b1 + ldbB, b3 = b2 + ldbB;
        let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
        let k = 0;
        for (; k + 4 <= K; k += 4) {
          const ko = <usize>k << 2;
          const x = v128.load(arow + ko);
          s0 = madd(x, v128.load(b0 + ko), s0);
          s1 = madd(x, v128.load(b1 + ko), s1);
          s2 = madd(x, v128.load(b2 + ko), s2);
          s3 = madd(x, v128.load(b3 + ko), s3);
        }
        // horizontal sums of s0..s3 → one vector (c_j, c_j+1, c_j+2, c_j+3)
        const u0 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
        const u1 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
        let r = f32x4.add(v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7));
        for (; k < K; k++) {
          const ko = <usize>k << 2;
          const x = f32x4.splat(load<f32>(arow + ko));
          const bv = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(b0 + ko)), 1, load<f32>(b1 + ko)), 2, load<f32>(b2 + ko)), 3, load<f32>(b3 + ko));
          r = madd(x, bv, r);
        }
        const p = crow + (<usize>j << 2);
        if (beta == 0) v128.store(p, r);
        else v128.store(p, f32x4.add(r, f32x4.mul(v128.load(p), vbeta)));
      }
      for (; j < n1; j++) {
        const b0 = B + <usize>j * ldbB;
        let s0 = f32x4.splat(0);
        let k = 0;
        for (; k + 4 <= K; k += 4) s0 = madd(v128.load(arow + (<usize>k << 2)), v128.load(b0 + (<usize>k << 2)), s0);
        const u = f32x4.add(s0, v128.shuffle<f32>(s0, s0, 2, 3, 0, 1));
        let acc = f32x4.extract_lane(u, 0) + f32x4.extract_lane(u, 1);
        for (; k < K; k++) acc += load<f32>(arow + (<usize>k << 2)) * load<f32>(b0 + (<usize>k << 2));
        const p = crow + (<usize>j << 2);
        store<f32>(p, beta == 0 ? acc : acc + beta * load<f32>(p));
      }
    }
  }
}

// The direct path is chosen from the whole problem's M (not a thread's slice of it), so the
// summation order, and so the result, never depends on the thread split.
// @ts-ignore: decorator
@inline function isSkinny(M: i32, K: i32): bool {
  return (M < MR || K <= 4) && K <= PACK_A_BYTES / 4;
}

/** Computes the block C[m0:m1, n0:n1] of the gemm on one thread with the given scratch. */
export function gemmRange(
  transA: bool, transB: bool, m0: i32, m1: i32, n0: i32, n1: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, scratch: usize,
): void {
  gemmBlock(transA, transB, m0, m1, n0, n1, K, alpha, A, lda, B, ldb, beta, C, ldc, scratch, isSkinny(m1 - m0, K), 0, 0);
}

/** Floats of a whole op(B) (K×N) packed by gemmPackB: every KC block of K, N rounded up to NR. */
export function gemmPackedFloats(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) / NR * NR);
}

// Packs all of op(B) (K×N) into `dst` once, for several gemms with the same B (a weight over the
// steps of a sequence): KC block pc starts at pc·np floats (np = N rounded up to NR) and holds
// the NR-wide panels of the whole N range, each kc × NR, exactly as packB lays out one block — so
// the gemm reads block (pc, jc) at dst + (pc·np + jc·kc)·4 instead of packing it again.
export function gemmPackB(transB: bool, K: i32, N: i32, B: usize, ldb: i32, dst: usize): void {
  const np = (N + NR - 1) / NR * NR;
  for (let pc = 0; pc < K; pc += KC) {
    packB(transB, B, ldb, pc, min(KC, K - pc), 0, N, dst + <usize>pc * <usize>np * 4);
  }
}

function gemmBlock(
  transA: bool, transB: bool, m0: i32, m1: i32, n0: i32, n1: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, scratch: usize, skinny: bool,
  packed: usize, np: i32,
): void {
  if (m1 <= m0 || n1 <= n0) return;
  if (K == 0 || alpha == 0) {
    scaleC(m0, m1, n0, n1, beta, C, ldc);
    return;
  }
  const base = (scratch + 63) & ~(<usize>63);
  // skinny: fewer rows than one micro-tile, or a K too short to amortise packing
  if (skinny) {
    gemmDirect(transA, transB, m0, m1, n0, n1, K, alpha, A, lda, B, ldb, beta, C, ldc, base);
    return;
  }
  const pA = base;
  const pB = pA + <usize>PACK_A_BYTES;
  const tile = pB + <usize>PACK_B_BYTES;
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const mode = pc > 0 ? 2 : beta == 0 ? 0 : 1;
      let pBb = pB;
      if (packed != 0) pBb = packed + (<usize>pc * <usize>np + <usize>jc * <usize>kc) * 4;
      else packB(transB, B, ldb, pc, kc, jc, nc, pB);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(transA, A, lda, ic, mc, pc, kc, alpha, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = pBb + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pA + <usize>(ir * kc) * 4;
            const c = C + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            kernel5x8(kc, pa, pb, c, ldc, mr, nr, mode, beta, tile);
          }
        }
      }
    }
  }
}

// The share of thread tid of nth: split N in NR-aligned chunks, or M in MR-aligned chunks when N
// has too few panels for all threads.
export function gemmPart(
  transA: bool, transB: bool, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, scratch: usize,
  tid: i32, nth: i32,
): void {
  gemmSplit(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, scratch, tid, nth, 0);
}

/**
 * gemmPart with op(B) also given packed by gemmPackB (same B, transB, K, N): the same values,
 * without packing B again. Skinny problems still read B itself (gemmDirect).
 */
export function gemmPackedPart(
  transA: bool, transB: bool, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, packed: usize, beta: f32, C: usize, ldc: i32, scratch: usize,
  tid: i32, nth: i32,
): void {
  gemmSplit(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, scratch, tid, nth, packed);
}

function gemmSplit(
  transA: bool, transB: bool, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, scratch: usize,
  tid: i32, nth: i32, packed: usize,
): void {
  const np = (N + NR - 1) / NR * NR;
  const skinny = isSkinny(M, K);
  if (nth <= 1) {
    gemmBlock(transA, transB, 0, M, 0, N, K, alpha, A, lda, B, ldb, beta, C, ldc, scratch, skinny, packed, np);
    return;
  }
  const nPanels = (N + NR - 1) / NR;
  const mPanels = (M + MR - 1) / MR;
  if (nPanels >= nth * 2 || nPanels >= mPanels) {
    const per = (nPanels + nth - 1) / nth;
    const n0 = min(N, tid * per * NR);
    const n1 = min(N, (tid + 1) * per * NR);
    gemmBlock(transA, transB, 0, M, n0, n1, K, alpha, A, lda, B, ldb, beta, C, ldc, scratch, skinny, packed, np);
  } else {
    const per = (mPanels + nth - 1) / nth;
    const m0 = min(M, tid * per * MR);
    const m1 = min(M, (tid + 1) * per * MR);
    gemmBlock(transA, transB, m0, m1, 0, N, K, alpha, A, lda, B, ldb, beta, C, ldc, scratch, skinny, packed, np);
  }
}

/** Batched gemm, share of thread tid: whole matrices per thread when batch ≥ nth, else each split. */
export function gemmBatchedPart(
  batch: i32, transA: bool, transB: bool, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, strideA: i32, lda: i32, B: usize, strideB: i32, ldb: i32,
  beta: f32, C: usize, strideC: i32, ldc: i32, scratch: usize, tid: i32, nth: i32,
): void {
  if (batch >= nth) {
    const b0 = <i32>((<i64>batch * tid) / nth);
    const b1 = <i32>((<i64>batch * (tid + 1)) / nth);
    const skinny = isSkinny(M, K);
    for (let i = b0; i < b1; i++) {
      gemmBlock(transA, transB, 0, M, 0, N, K, alpha,
        A + <usize>i * <usize>strideA * 4, lda, B + <usize>i * <usize>strideB * 4, ldb, beta,
        C + <usize>i * <usize>strideC * 4, ldc, scratch, skinny, 0, 0);
    }
  } else {
    for (let i = 0; i < batch; i++) {
      gemmPart(transA, transB, M, N, K, alpha,
        A + <usize>i * <usize>strideA * 4, lda, B + <usize>i * <usize>strideB * 4, ldb, beta,
        C + <usize>i * <usize>strideC * 4, ldc, scratch, tid, nth);
    }
  }
}
