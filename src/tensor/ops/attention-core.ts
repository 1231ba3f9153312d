import { backend } from '../engine.js';
import { BinaryOp, UnaryOp, type F32, type I32 } from '../../kernels/backend.js';
import { packWeight, freePacked } from './cell-chain.js';

/**
 * The one definition of the attention math (Luong et al. 2015; Bahdanau et al. 2015), on raw
 * arrays. The attention op (Attention.step and Attention.forwardAll) and the fused decoder
 * sequence op both run these functions, so their values agree by construction.
 *
 * For B batch rows with Q queries each, q [B·Q, H] (row b·Q + j), memory [B, S, Hm], keys [B, S, H]
 * (general: memory·W_a; bahdanau: memory·W_1; dot: the memory itself):
 *   dot/general: score_s = keys_s · q
 *   bahdanau:    score_s = v · tanh(keys_s + q·W_2)
 * padded s get MASKED_SCORE, α = softmax_s, ctx = Σ_s α_s memory_s, and h̃ = tanh([ctx; q]·W_c).
 */

/** The score at padded source positions: exp underflows to exactly 0, so they get α = 0. */
export const MASKED_SCORE = -1e9;

export type AttentionScore = 'dot' | 'general' | 'bahdanau';

export interface AttentionArrays {
  kind: AttentionScore;
  B: number;
  S: number;
  /** Query (and output) width. */
  H: number;
  /** Memory width. */
  Hm: number;
  /** [B, S, Hm] */
  memory: F32;
  /** [B, S, H] */
  keys: F32;
  /** [B, S] (1 = padding) or null. */
  mask: I32 | F32 | null;
  /** [Hm + H, H] */
  weightC: F32;
  /** bahdanau only: W_2 [H, H] and v [H]. */
  w2: F32 | null;
  v: F32 | null;
}

/** Every call's saved values, in the caller's arrays (time-major for the decoder op, batch-major for the attention op). */
export interface AttentionSaved {
  /** [n, H] the queries */
  q: F32;
  /** [n, H] h̃ */
  y: F32;
  /** [n, Hm] */
  ctx: F32;
  /** [n, S] */
  alpha: F32;
  /** bahdanau: [n, S, H] tanh(keys + q·W_2) */
  e: F32 | null;
}

/** The gradients one backward call writes (blocks of the caller's all-steps arrays where the param gradients need them). */
export interface AttentionGrads {
  /** [n, H]: the gradient of h̃'s pre-activation (→ W_c). */
  dPre: F32;
  /** [n, Hm] (→ memory) */
  dCtx: F32;
  /** [n, S]: the score gradients (→ keys for dot/general; → v for bahdanau). */
  dS: F32;
  /** bahdanau: [n, S, H] the gradient of keys + q·W_2 (→ keys) and [n, H] of q·W_2 (→ W_2). */
  dE: F32 | null;
  dQw: F32 | null;
}

/**
 * Runs the attention for `calls` calls of Q queries per batch row. One instance serves one phase
 * (the forward loop, or the backward loop), with that phase's weights packed once when calls ≥ 2;
 * free it with dispose() at the phase's end, so nothing stays allocated between forward and backward.
 */
export class AttentionCore {
  private readonly n: number;
  private readonly wc2: F32;
  private readonly packs: (F32 | null)[] = [];
  private readonly pWc1: F32 | null = null;
  private readonly pWc2: F32 | null = null;
  private readonly pW2: F32 | null = null;
  private readonly sc: F32 | null = null;
  private readonly qw: F32 | null = null;
  private readonly maskQ: I32 | F32 | null = null;
  private readonly dAlpha: F32 | null = null;
  private readonly dEraw: F32 | null = null;
  private readonly scratch: (F32 | I32)[] = [];

  constructor(readonly a: AttentionArrays, readonly Q: number, calls: number, readonly phase: 'forward' | 'backward') {
    const k = backend();
    const { B, S, H, Hm, kind } = a;
    this.n = B * Q;
    this.wc2 = a.weightC.subarray(Hm * H);
    const bwd = phase === 'backward';
    this.pWc1 = packWeight(calls, bwd, bwd ? H : Hm, bwd ? Hm : H, a.weightC, H);
    this.pWc2 = packWeight(calls, bwd, H, H, this.wc2, H);
    this.pW2 = kind === 'bahdanau' ? packWeight(calls, bwd, H, H, a.w2!, H) : null;
    this.packs.push(this.pWc1, this.pWc2, this.pW2);
    const alloc = (n: number): F32 => { const x = k.allocF32(n); this.scratch.push(x); return x; };
    if (!bwd) {
      this.sc = alloc(this.n * S);
      if (kind === 'bahdanau') this.qw = alloc(this.n * H);
      // the [B, S] mask repeated for every query of a row
      if (a.mask === null || Q === 1) this.maskQ = a.mask;
      else {
        const m = a.mask instanceof Float32Array ? k.allocF32(this.n * S) : k.allocI32(this.n * S);
        this.scratch.push(m);
        for (let b = 0; b < B; b++) for (let j = 0; j < Q; j++) k.copyRows(1, S, a.mask.subarray(b * S), 0, m.subarray((b * Q + j) * S), 0, false);
        this.maskQ = m;
      }
    } else {
      this.dAlpha = alloc(this.n * S);
      if (kind === 'bahdanau') this.dEraw = alloc(this.n * S * H);
    }
  }

  dispose(): void {
    const k = backend();
    freePacked(this.packs);
    for (const x of this.scratch) k.free(x);
    this.packs.length = 0;
    this.scratch.length = 0;
  }

  /** One call: s.q's n rows → s.y, s.ctx, s.alpha (and s.e). */
  forward(s: AttentionSaved): void {
    const k = backend();
    const { B, S, H, Hm, kind, memory, keys } = this.a;
    const { Q, n } = this;
    const sc = this.sc!;
    if (kind === 'bahdanau') {
      const qw = this.qw!, e = s.e!;
      k.gemmPacked(false, false, n, H, H, 1, s.q, H, this.a.w2!, H, this.pW2, 0, qw, H);
      k.binaryStrided(BinaryOp.Add, [B, Q, S, H], keys, [S * H, 0, H, 1], qw, [Q * H, H, 0, 1], e);
      k.unary(UnaryOp.Tanh, n * S * H, e, e);
      k.gemm(false, false, n * S, 1, H, 1, e, H, this.a.v!, 1, 0, sc, 1);
    } else {
      k.gemmBatched(B, false, true, Q, S, H, 1, s.q, Q * H, H, keys, S * H, H, 0, sc, Q * S, S);
    }
    if (this.maskQ !== null) k.maskedFill(n * S, sc, this.maskQ, MASKED_SCORE, sc);
    k.softmax(n, S, sc, s.alpha);
    k.gemmBatched(B, false, false, Q, Hm, S, 1, s.alpha, Q * S, S, memory, S * Hm, Hm, 0, s.ctx, Q * Hm, Hm);
    k.gemmPacked(false, false, n, H, Hm, 1, s.ctx, Hm, this.a.weightC, H, this.pWc1, 0, s.y, H);
    k.gemmPacked(false, false, n, H, H, 1, s.q, H, this.wc2, H, this.pWc2, 1, s.y, H);
    k.unary(UnaryOp.Tanh, n * H, s.y, s.y);
  }

  /**
   * One call's backward: dY [n, H] the gradient at h̃ → dq [n, H] (written), and the call's blocks
   * of g. dAlphaOut: a gradient arriving at α itself, or null.
   */
  backward(s: AttentionSaved, dY: F32, dq: F32, g: AttentionGrads, dAlphaOut: F32 | null): void {
    const k = backend();
    const { B, S, H, Hm, kind, memory, keys } = this.a;
    const { Q, n } = this;
    const dAl = this.dAlpha!;
    k.unaryBackward(UnaryOp.Tanh, n * H, s.y, s.y, dY, g.dPre, false);
    k.gemmPacked(false, true, n, Hm, H, 1, g.dPre, H, this.a.weightC, H, this.pWc1, 0, g.dCtx, Hm);
    k.gemmPacked(false, true, n, H, H, 1, g.dPre, H, this.wc2, H, this.pWc2, 0, dq, H);
    k.gemmBatched(B, false, true, Q, S, Hm, 1, g.dCtx, Q * Hm, Hm, memory, S * Hm, Hm, 0, dAl, Q * S, S);
    if (dAlphaOut !== null) k.axpy(n * S, 1, dAlphaOut, dAl);
    k.softmaxBackward(n, S, s.alpha, dAl, g.dS, false);
    if (kind === 'bahdanau') {
      const dE = this.dEraw!;
      k.gemm(false, false, n * S, H, 1, 1, g.dS, 1, this.a.v!, H, 0, dE, H);
      k.unaryBackward(UnaryOp.Tanh, n * S * H, s.e!, s.e!, dE, g.dE!, false);
      k.reduceSum(n, S, H, g.dE!, g.dQw!, false);
      k.gemmPacked(false, true, n, H, H, 1, g.dQw!, H, this.a.w2!, H, this.pW2, 1, dq, H);
    } else {
      k.gemmBatched(B, false, false, Q, H, S, 1, g.dS, Q * S, S, keys, S * H, H, 1, dq, Q * H, H);
    }
  }

}

/**
 * Where row (b, j) — batch row b, query j of J — lies in the all-calls arrays: b·bStride + j·jStride.
 * Time-major (the decoder op: J steps of B rows): bStride 1, jStride B. Batch-major (one call of
 * J = Q queries): bStride J, jStride 1.
 */
export interface RowLayout {
  J: number;
  bStride: number;
  jStride: number;
}

/** Into which the parameter gradients go: (dst, accumulate) writers, or null where no gradient is wanted. */
export interface AttentionParamGradSinks {
  weightC: ((write: (dst: F32, acc: boolean) => void) => void) | null;
  memory: ((write: (dst: F32, acc: boolean) => void) => void) | null;
  keys: ((write: (dst: F32, acc: boolean) => void) => void) | null;
  w2: ((write: (dst: F32, acc: boolean) => void) => void) | null;
  v: ((write: (dst: F32, acc: boolean) => void) => void) | null;
}

/**
 * The parameter gradients over all calls at once (each one gemm with K = every query row):
 * W_c from [ctx; q]ᵀ·dPre, memory from αᵀ·dctx per batch row, keys from dSᵀ·q (dot/general) or
 * Σ_j dE (bahdanau), W_2 from qᵀ·dQw, v from eᵀ·dS. s and g are the all-calls arrays.
 */
export function attentionParamGrads(a: AttentionArrays, L: RowLayout, s: AttentionSaved, g: AttentionGrads, sinks: AttentionParamGradSinks): void {
  const k = backend();
  const { B, S, H, Hm, kind } = a;
  const { J, bStride, jStride } = L;
  const N = B * J;
  sinks.weightC?.((dst, acc) => {
    k.gemm(true, false, Hm, H, N, 1, s.ctx, Hm, g.dPre, H, acc ? 1 : 0, dst, H);
    k.gemm(true, false, H, H, N, 1, s.q, H, g.dPre, H, acc ? 1 : 0, dst.subarray(Hm * H), H);
  });
  sinks.memory?.((dst, acc) => k.gemmBatched(B, true, false, S, Hm, J, 1, s.alpha, bStride * S, jStride * S, g.dCtx, bStride * Hm, jStride * Hm, acc ? 1 : 0, dst, S * Hm, Hm));
  if (kind === 'bahdanau') {
    sinks.keys?.((dst, acc) => {
      if (bStride === 1) k.reduceSum(1, J, B * S * H, g.dE!, dst, acc);
      else k.reduceSum(B, J, S * H, g.dE!, dst, acc);
    });
    sinks.w2?.((dst, acc) => k.gemm(true, false, H, H, N, 1, s.q, H, g.dQw!, H, acc ? 1 : 0, dst, H));
    sinks.v?.((dst, acc) => k.gemm(true, false, H, 1, N * S, 1, s.e!, H, g.dS, 1, acc ? 1 : 0, dst, 1));
  } else {
    sinks.keys?.((dst, acc) => k.gemmBatched(B, true, false, S, H, J, 1, g.dS, bStride * S, jStride * S, s.q, bStride * H, jStride * H, acc ? 1 : 0, dst, S * H, H));
  }
}
