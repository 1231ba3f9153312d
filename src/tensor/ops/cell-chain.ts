import { backend } from '../engine.js';
import { UnaryOp, type F32 } from '../../kernels/backend.js';
import { isScopedPack, scopedWeightPack } from './weight-packs.js';

/** The recurrent cells the fused sequence ops run: LSTM (gates i, f, g, o), GRU (r, z, n), Elman RNN (tanh). */
export type SequenceCell = 'lstm' | 'gru' | 'rnn';

/** Gate blocks per cell (the G in a [·, G·H] projection). */
export function cellGates(kind: SequenceCell): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

/** A B×n block of a [T·B, n] buffer: rows t·B … (t + 1)·B − 1. */
export function rows(a: F32, t: number, B: number, n: number): F32 {
  return a.subarray(t * B * n, (t + 1) * B * n);
}

/**
 * op(W) packed once for the gemms of every step (null when T < 2 or the backend does not pack):
 * the per-step gemms are small in M (the batch), so packing the weight each step cost as much as
 * a good part of the multiplication. Inside withPackedWeights (a decode) the scope's pack is
 * reused, for a single step too.
 */
export function packWeight(T: number, transB: boolean, K: number, N: number, W: F32, ldb: number): F32 | null {
  const scoped = scopedWeightPack(transB, K, N, W, ldb);
  if (scoped !== undefined) return scoped;
  return T < 2 ? null : backend().packGemmB(transB, K, N, W, ldb);
}

/** Frees packWeight's packs, except the ones the decode scope owns (it frees them at its end). */
export function freePacked(ps: (F32 | null)[]): void {
  const k = backend();
  for (const p of ps) if (p !== null && !isScopedPack(p)) k.free(p);
}

/** The raw arrays of one layer's step chain; the caller owns them (saved tensors of its op). */
export interface CellChainArrays {
  /** [T·B, G·H]: the input-side pre-activation of every step. LSTM overwrites it with its activated gates. */
  pre: F32;
  /** [T·B, H] and, LSTM only, [T·B, H]: every step's states. */
  hs: F32;
  cs: F32 | null;
  /** GRU only, [T·B, 4H]: the cell's saved activations (r, z, n, hn). */
  acts: F32 | null;
  /** [B, H]: the state before step 0 (c0 for LSTM only). */
  h0: F32;
  c0: F32 | null;
  /** [H, G·H] */
  weightHh: F32;
  /** GRU only, [G·H]: b_hh, which sits inside r ⊙ (h·W_hn + b_hn) and so cannot fold into pre. */
  biasHh: F32 | null;
}

/**
 * One recurrent layer's step chain over T steps of B rows, on raw arrays — the shared core of every
 * fused sequence op (a plain layer, and each layer of the attention decoder). Step t reads the
 * caller-filled pre block t (x_t·W_ih + b plus any extra input term) and h_{t−1}:
 *   LSTM: gates = pre_t + h_{t−1}·W_hh → lstmCell
 *   GRU:  gruCell(pre_t, h_{t−1}·W_hh + b_hh, h_{t−1})
 *   RNN:  h_t = tanh(pre_t + h_{t−1}·W_hh)
 * The backward runs the same chain in reverse and keeps every step's pre-activation gradient in
 * one [T·B, G·H] buffer (`dPre`), so the weight gradients are each one gemm over all steps, and
 * dPre is exactly the gradient of the pre blocks (the projected inputs).
 */
export class CellChain {
  readonly G: number;
  private readonly BH: number;
  private readonly pFwd: F32 | null = null;
  private pBwd: F32 | null = null;
  private readonly hg: F32 | null = null;
  /** [T·B, G·H] after startBackward: the gradient of every pre block. */
  dPre: F32 | null = null;
  /** GRU: the gradient of every step's h·W_hh + b_hh (dPre for LSTM and RNN, where the two are one sum). */
  private dHh: F32 | null = null;
  /** The gradient reaching h_{t−1} from step t (after step 0: the gradient of h0). */
  dhCarry: F32 | null = null;
  /** LSTM: the gradient reaching c_{t−1} from step t (after step 0: the gradient of c0). */
  dcCarry: F32 | null = null;
  private dcNext: F32 | null = null;

  /**
   * One instance serves one phase: 'forward' (then forward(t) for t = 0 … T − 1, endForward) or
   * 'backward' (backward(t) for t = T − 1 … 0, read the gradients, endBackward), so that nothing
   * stays allocated between the forward and a backward that may never run.
   */
  constructor(readonly kind: SequenceCell, readonly T: number, readonly B: number, readonly H: number, readonly a: CellChainArrays, phase: 'forward' | 'backward') {
    this.G = cellGates(kind) * H;
    this.BH = B * H;
    if (phase === 'forward') {
      this.pFwd = packWeight(T, false, H, this.G, a.weightHh, this.G);
      this.hg = kind === 'gru' ? backend().allocF32(B * this.G) : null;
    } else {
      this.startBackward();
    }
  }

  hPrev(t: number): F32 {
    return t === 0 ? this.a.h0 : rows(this.a.hs, t - 1, this.B, this.H);
  }

  private cPrev(t: number): F32 {
    return t === 0 ? this.a.c0! : rows(this.a.cs!, t - 1, this.B, this.H);
  }

  /** Step t: pre block t must hold its input-side pre-activation. Writes h_t (and c_t). */
  forward(t: number): void {
    const k = backend();
    const { B, H, G, a } = this;
    const pre = rows(a.pre, t, B, G);
    const h = rows(a.hs, t, B, H);
    switch (this.kind) {
      case 'lstm':
        k.gemmPacked(false, false, B, G, H, 1, this.hPrev(t), H, a.weightHh, G, this.pFwd, 1, pre, G);
        k.lstmCell(B, H, pre, this.cPrev(t), h, rows(a.cs!, t, B, H));
        break;
      case 'gru': {
        const hg = this.hg!;
        k.copyRows(B, G, a.biasHh!, 0, hg, G, false);
        k.gemmPacked(false, false, B, G, H, 1, this.hPrev(t), H, a.weightHh, G, this.pFwd, 1, hg, G);
        k.gruCell(B, H, pre, hg, this.hPrev(t), h, rows(a.acts!, t, B, 4 * H));
        break;
      }
      case 'rnn':
        k.gemmPacked(false, false, B, G, H, 1, this.hPrev(t), H, a.weightHh, G, this.pFwd, 1, pre, G);
        k.unary(UnaryOp.Tanh, B * H, pre, h);
        break;
    }
  }

  /** Frees the forward's scratch; call once the forward loop is done. */
  endForward(): void {
    const k = backend();
    freePacked([this.pFwd]);
    if (this.hg !== null) k.free(this.hg);
  }

  private startBackward(): void {
    const k = backend();
    const { T, B, G, BH } = this;
    this.dPre = k.allocF32(T * B * G);
    this.dHh = this.kind === 'gru' ? k.allocF32(T * B * G) : this.dPre;
    this.dhCarry = k.allocF32(BH, true);
    if (this.kind === 'lstm') {
      this.dcCarry = k.allocF32(BH);
      this.dcNext = k.allocF32(BH);
    }
    this.pBwd = packWeight(T, true, G, this.H, this.a.weightHh, G);
  }

  /**
   * Step t of the reverse chain (t = T − 1 first). dh [B, H]: the gradient reaching h_t from
   * outside the chain (outputs, the layer above, attention); the chain adds its own share from step
   * t + 1 into it (dh is overwritten). dcOut: the gradient at c_t from outside, or null.
   */
  backward(t: number, dh: F32, dcOut: F32 | null): void {
    const k = backend();
    const { B, H, G, BH, T, a } = this;
    if (t < T - 1) k.axpy(BH, 1, this.dhCarry!, dh);
    const dPre = rows(this.dPre!, t, B, G);
    switch (this.kind) {
      case 'lstm': {
        // carried: dcCarry holds the gradient at c_t from step t + 1
        let dcIn: F32 | null = t < T - 1 ? this.dcCarry : null;
        if (dcOut !== null) {
          if (dcIn === null) { k.copyRows(1, BH, dcOut, 0, this.dcCarry!, 0, false); dcIn = this.dcCarry; } else k.axpy(BH, 1, dcOut, dcIn);
        }
        k.lstmCellBackward(B, H, rows(a.pre, t, B, G), this.cPrev(t), rows(a.cs!, t, B, H), dh, dcIn, dPre, this.dcNext!, false);
        const s = this.dcCarry; this.dcCarry = this.dcNext; this.dcNext = s;
        k.gemmPacked(false, true, B, H, G, 1, dPre, G, a.weightHh, G, this.pBwd, 0, this.dhCarry!, H);
        break;
      }
      case 'gru': {
        const dHh = rows(this.dHh!, t, B, G);
        // the direct path z ⊙ dh lands in dhCarry, then h_{t−1}'s share through W_hh adds to it
        k.gruCellBackward(B, H, rows(a.acts!, t, B, 4 * H), this.hPrev(t), dh, dPre, dHh, this.dhCarry!, false);
        k.gemmPacked(false, true, B, H, G, 1, dHh, G, a.weightHh, G, this.pBwd, 1, this.dhCarry!, H);
        break;
      }
      case 'rnn': {
        const h = rows(a.hs, t, B, H);
        k.unaryBackward(UnaryOp.Tanh, BH, h, h, dh, dPre, false);
        k.gemmPacked(false, true, B, H, G, 1, dPre, G, a.weightHh, G, this.pBwd, 0, this.dhCarry!, H);
        break;
      }
    }
  }

  /** dW_hh (+)= Σ_t h_{t−1}ᵀ · dHh_t as two gemms (h0's share, then K = (T − 1)·B); into dst [H, G·H]. */
  weightHhGrad(dst: F32, accumulate: boolean): void {
    const k = backend();
    const { T, B, H, G, a } = this;
    const dG = this.dHh!;
    k.gemm(true, false, H, G, B, 1, a.h0, H, dG, G, accumulate ? 1 : 0, dst, G);
    if (T > 1) k.gemm(true, false, H, G, (T - 1) * B, 1, a.hs, H, dG.subarray(B * G), G, 1, dst, G);
  }

  /** GRU: db_hh (+)= Σ over every step and row of dHh; into dst [G·H]. */
  biasHhGrad(dst: F32, accumulate: boolean): void {
    backend().reduceSum(1, this.T * this.B, this.G, this.dHh!, dst, accumulate);
  }

  /** Frees the backward's buffers except dPre, which the caller takes (to hand over as a gradient) or frees. */
  endBackward(): void {
    const k = backend();
    freePacked([this.pBwd]);
    if (this.dHh !== null && this.dHh !== this.dPre) k.free(this.dHh);
    for (const x of [this.dhCarry, this.dcCarry, this.dcNext]) if (x !== null) k.free(x);
    this.dHh = this.dhCarry = this.dcCarry = this.dcNext = this.pBwd = null;
  }
}
