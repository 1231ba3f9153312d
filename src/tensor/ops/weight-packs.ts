import { backend, isGradEnabled, noGrad } from '../engine.js';
import type { F32 } from '../../kernels/backend.js';
import type { Tensor } from '../tensor.js';

/**
 * Packed weights for the length of one decode. A decoder step multiplies a few rows (the batch's
 * beams) by every weight, and gemm repacks the weight into its micro-kernel's panels on every
 * call: for the g2p model that repacking was 27% of decoding one word with beam 5. Inside
 * withPackedWeights (under noGrad, so no weight changes), each weight is packed on its first
 * multiplication and reused until the scope ends, when the packs are freed.
 *
 * Only weights come here: a pack is keyed by the weight's address, which an activation freed and
 * reallocated inside the scope could reuse with other values.
 */

/** Below this many rows of A the wasm gemm reads B directly (its 5-row micro-tile; assembly/gemm.ts). */
const PACKED_MIN_ROWS = 5;

interface Pack {
  length: number;
  transB: boolean;
  K: number;
  N: number;
  ldb: number;
  packed: F32 | null;
}

/** The scope's packs by the weight's byte address (a few per address at most: a weight and its parts). */
let packs: Map<number, Pack[]> | null = null;
let owned: Set<F32> | null = null;

/** Runs fn (synchronous) with weight packs cached; nested calls share the outer scope's packs. */
export function withPackedWeights<T>(fn: () => T): T {
  if (packs !== null) return fn();
  packs = new Map();
  owned = new Set();
  try {
    return fn();
  } finally {
    const k = backend();
    for (const p of owned) k.free(p);
    packs = null;
    owned = null;
  }
}

/**
 * The scope's pack of op(W) (K×N, row stride ldb) — packed now on first use — or undefined when no
 * scope is active or gradients are on (then the caller packs, or not, as it would otherwise).
 * null: the backend does not pack (js).
 */
export function scopedWeightPack(transB: boolean, K: number, N: number, W: F32, ldb: number): F32 | null | undefined {
  if (packs === null || isGradEnabled()) return undefined;
  let list = packs.get(W.byteOffset);
  if (list === undefined) packs.set(W.byteOffset, (list = []));
  for (const p of list) if (p.length === W.length && p.transB === transB && p.K === K && p.N === N && p.ldb === ldb) return p.packed;
  const packed = backend().packGemmB(transB, K, N, W, ldb);
  list.push({ length: W.length, transB, K, N, ldb, packed });
  if (packed !== null) owned!.add(packed);
  return packed;
}

/** True when p belongs to the active scope (callers that free their own packs must skip it). */
export function isScopedPack(p: F32): boolean {
  return owned !== null && owned.has(p);
}

/**
 * C = op(A)·op(W) (+ beta·C): with the scope's pack of W when W is a parameter (requiresGrad), a
 * scope is active and A has enough rows for the packed path; else the plain gemm (gemmPacked with
 * no pack is gemm). The same values either way.
 */
export function weightGemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: F32, lda: number, W: Tensor, ldb: number, beta: number, C: F32, ldc: number,
): void {
  const p = W.requiresGrad && M >= PACKED_MIN_ROWS ? scopedWeightPack(transB, K, N, W.f32, ldb) : undefined;
  backend().gemmPacked(transA, transB, M, N, K, 1, A, lda, W.f32, ldb, p ?? null, beta, C, ldc);
}

/** noGrad with the weight packs cached: the scope every decoding loop runs in. */
export function inference<T>(fn: () => T): T {
  return noGrad(() => withPackedWeights(fn));
}
