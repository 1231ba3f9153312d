// Fused scaled dot-product multi-head attention (the js reference of the wasm kernels in
// assembly/mha.ts). Layout: q [B, T, D], k and v [B, S, D], D = H·dh, head h in columns
// h·dh … (h+1)·dh − 1; probs [B, H, T, S]. The padding and causal masks are applied while the
// scores are computed, and the dropout mask is a hash of (seed, element index), so neither is
// ever stored.
import type { F32, I32 } from '../backend.js';

/** murmur3's 32-bit finaliser: a bijection that mixes every input bit into every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The per-call key of the dropout hash (the seed taken mod 2³²). */
export function dropKey(seed: number): number {
  return fmix32((seed >>> 0) ^ 0x5bd1e995);
}

/** Elements with drawBits(key, idx) < dropThreshold(p) are dropped: probability p (to 2⁻²⁴). */
export function dropThreshold(p: number): number {
  return Math.ceil(p * 16777216);
}

/** 24 pseudo-random bits for element idx (idx < 2³²): the draw the wasm kernels make too. */
export function drawBits(key: number, idx: number): number {
  return fmix32(Math.imul(idx, 0x9e3779b9) ^ key) >>> 8;
}

/** Keys j < keyLimit(...) that are not padding are visible to query i. */
function keyLimit(i: number, T: number, S: number, causal: boolean): number {
  if (!causal) return S;
  return Math.max(0, Math.min(S, i + S - T + 1));
}

/**
 * out [B, T, D] = heads of softmax(q·kᵀ/√dh, masked) (dropped out) · v. probs (or null) receives the
 * post-softmax, pre-dropout weights; masked keys get 0, a row with no visible key is all 0 (and so
 * is its output row).
 */
export function mhaForward(
  B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean,
  dropP: number, seed: number, out: F32, probs: F32 | null,
): void {
  const D = H * dh;
  const scale = 1 / Math.sqrt(dh);
  const thr = dropP > 0 ? dropThreshold(dropP) : 0;
  const key = dropKey(seed);
  const keep = Math.fround(1 / (1 - dropP));
  const p = new Float64Array(S);
  const acc = new Float64Array(dh);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const qo = (b * T + i) * D + h * dh;
        const lim = keyLimit(i, T, S, causal);
        let max = -Infinity;
        for (let j = 0; j < lim; j++) {
          if (keyPadding !== null && keyPadding[b * S + j] !== 0) { p[j] = -Infinity; continue; }
          const ko = (b * S + j) * D + h * dh;
          let s = 0;
          for (let d = 0; d < dh; d++) s += q[qo + d]! * k[ko + d]!;
          s *= scale;
          p[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j < lim; j++) {
          const e = p[j] === -Infinity ? 0 : Math.exp(p[j]! - max);
          p[j] = e;
          sum += e;
        }
        const inv = sum > 0 ? 1 / sum : 0;
        const row = ((b * H + h) * T + i) * S;
        acc.fill(0);
        for (let j = 0; j < S; j++) {
          const pj = j < lim ? Math.fround(p[j]! * inv) : 0;
          if (probs !== null) probs[row + j] = pj;
          if (pj === 0) continue;
          let w = pj;
          if (thr > 0) w = drawBits(key, row + j) < thr ? 0 : Math.fround(pj * keep);
          if (w === 0) continue;
          const vo = (b * S + j) * D + h * dh;
          for (let d = 0; d < dh; d++) acc[d] += w * v[vo + d]!;
        }
        for (let d = 0; d < dh; d++) out[qo + d] = acc[d]!;
      }
    }
  }
}

/**
 * Gradients of mhaForward given dOut and the saved probs: OVERWRITES dq [B, T, D], dk and dv
 * [B, S, D] (the dropout mask is drawn again from the seed).
 */
export function mhaBackward(
  B: number, T: number, S: number, H: number, dh: number, q: F32, k: F32, v: F32, keyPadding: I32 | null, causal: boolean,
  dropP: number, seed: number, probs: F32, dOut: F32, dq: F32, dk: F32, dv: F32,
): void {
  const D = H * dh;
  const scale = 1 / Math.sqrt(dh);
  const thr = dropP > 0 ? dropThreshold(dropP) : 0;
  const key = dropKey(seed);
  const keep = Math.fround(1 / (1 - dropP));
  dk.fill(0, 0, B * S * D);
  dv.fill(0, 0, B * S * D);
  const ds = new Float64Array(S);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const qo = (b * T + i) * D + h * dh;
        const lim = keyLimit(i, T, S, causal);
        const row = ((b * H + h) * T + i) * S;
        // dP_j = dO·v_j through the dropout mask; dV_j += (dropped-out P_j)·dO
        let dot = 0;
        for (let j = 0; j < lim; j++) {
          const pj = probs[row + j]!;
          ds[j] = 0;
          if (pj === 0 || (keyPadding !== null && keyPadding[b * S + j] !== 0)) continue;
          let m = 1;
          if (thr > 0) m = drawBits(key, row + j) < thr ? 0 : keep;
          if (m === 0) continue;
          const vo = (b * S + j) * D + h * dh;
          let g = 0;
          for (let d = 0; d < dh; d++) g += dOut[qo + d]! * v[vo + d]!;
          const w = m === 1 ? pj : Math.fround(pj * keep);
          for (let d = 0; d < dh; d++) dv[vo + d] = dv[vo + d]! + w * dOut[qo + d]!;
          ds[j] = g * m;
          dot += pj * ds[j]!;
        }
        // dS_j = P_j (dP_j − Σ P·dP); dq_i = Σ dS_j k_j / √dh; dk_j += dS_j q_i / √dh
        for (let d = 0; d < dh; d++) dq[qo + d] = 0;
        for (let j = 0; j < lim; j++) {
          const pj = probs[row + j]!;
          if (pj === 0) continue;
          const g = pj * (ds[j]! - dot) * scale;
          const ko = (b * S + j) * D + h * dh;
          for (let d = 0; d < dh; d++) {
            dq[qo + d] = dq[qo + d]! + g * k[ko + d]!;
            dk[ko + d] = dk[ko + d]! + g * q[qo + d]!;
          }
        }
      }
    }
  }
}
