import { backend } from '../engine.js';
import { shapeStr, type Tensor } from '../tensor.js';
import { UnaryOp, type F32 } from '../../kernels/backend.js';
import { checkTensor, multiOutput, rawTensor, accGrad } from './util.js';

/**
 * Whole-sequence fused recurrences. A per-step loop of small ops costs a tape node, an output
 * tensor and a copy per op and step, and its backward runs one K = B weight-gradient gemm per step.
 * These ops run the loop inside one op: the forward writes every step straight into preallocated
 * [T·B, …] buffers, and the backward runs the step chain in reverse, keeping each step's
 * pre-activation gradient in one [T·B, 4H] buffer so that every weight gradient is one big gemm
 * (K = T·B) after the loop — and that buffer is exactly the gradient of the projected inputs.
 */

/** A B×n block of a [T·B, n] buffer: rows t·B … (t + 1)·B − 1. */
function rows(a: F32, t: number, B: number, n: number): F32 {
  return a.subarray(t * B * n, (t + 1) * B * n);
}

/** Hands a freshly computed full-size gradient to t: it becomes t.grad, or is added and freed. */
function giveGrad(t: Tensor, g: F32): void {
  const k = backend();
  if (t.grad === null) {
    t.grad = g;
  } else {
    k.axpy(t.size, 1, g, t.grad);
    k.free(g);
  }
}

/**
 * dW (+)= hPrevᵀ · dG over a sequence whose step t reads h_{t−1} (h_{−1} = h0, or zero when null)
 * and h_t = row block t of hs: h0ᵀ·dG₀ + hs[0 : T−1]ᵀ · dG[1 : T] — one gemm with K = (T − 1)·B.
 */
function accWeightGrad(W: Tensor, h0: F32 | null, hs: F32, dG: F32, T: number, B: number, Hin: number, G: number): void {
  const k = backend();
  accGrad(W, (dst, acc) => {
    let beta = acc ? 1 : 0;
    if (h0 !== null) {
      k.gemm(true, false, Hin, G, B, 1, h0, Hin, dG, G, beta, dst, G);
      beta = 1;
    }
    if (T > 1) {
      k.gemm(true, false, Hin, G, (T - 1) * B, 1, hs, Hin, dG.subarray(B * G), G, beta, dst, G);
    } else if (beta === 0) {
      k.fill(dst, 0, Hin * G);
    }
  });
}

/**
 * op(W) packed once for the gemms of every step (null when T < 2 or the backend does not pack):
 * the per-step gemms are small in M (the batch), so packing the weight each step cost as much as
 * a good part of the multiplication.
 */
function packWeight(T: number, transB: boolean, K: number, N: number, W: F32, ldb: number): F32 | null {
  return T < 2 ? null : backend().packGemmB(transB, K, N, W, ldb);
}

function freePacked(ps: (F32 | null)[]): void {
  const k = backend();
  for (const p of ps) if (p !== null) k.free(p);
}

/** The shared entry checks of the LSTM sequence ops: xp [T·B, 4H], h0 and c0 [B, H]. */
function checkLstmInputs(op: string, xp: Tensor, h0: Tensor, c0: Tensor): { B: number; H: number; G: number } {
  checkTensor(op, 'xp', xp, 'f32', 2);
  checkTensor(op, 'h0', h0, 'f32', 2);
  const [B, H] = h0.shape as [number, number];
  const G = 4 * H;
  if (xp.shape[1] !== G || B === 0 || xp.shape[0]! % B !== 0) {
    throw new Error(`${op}: xp must be [T·B, 4H] for h0 [B, H]: ${shapeStr(xp.shape)} and ${shapeStr(h0.shape)}`);
  }
  checkState(op, 'c0', c0, B, H);
  return { B, H, G };
}

function checkState(op: string, name: string, t: Tensor, B: number, H: number): void {
  checkTensor(op, name, t, 'f32', 2);
  if (t.shape[0] !== B || t.shape[1] !== H) throw new Error(`${op}: ${name} must be [${B}, ${H}], got ${shapeStr(t.shape)}`);
}

/**
 * A whole LSTM layer over T steps from (h0, c0): step t computes gates = xp_t + h_{t−1}·W_hh (xp
 * already holds x·W_ih + b for every step), then the LSTM cell (gate order i, f, g, o).
 * xp [T·B, 4H] (row t·B + b is step t of sequence b), h0, c0 [B, H], weightHh [H, 4H]
 * → h [T·B, H] and c [T·B, H], every step's states. Equal to T lstmCell steps.
 */
export function lstmSequence(xp: Tensor, h0: Tensor, c0: Tensor, weightHh: Tensor): { h: Tensor; c: Tensor } {
  const op = 'lstmSequence';
  const { B, H, G } = checkLstmInputs(op, xp, h0, c0);
  checkTensor(op, 'weightHh', weightHh, 'f32', 2);
  if (weightHh.shape[0] !== H || weightHh.shape[1] !== G) throw new Error(`${op}: weightHh must be [${H}, ${G}], got ${shapeStr(weightHh.shape)}`);
  const T = xp.shape[0]! / B;
  const BH = B * H;
  const k = backend();
  const acts = rawTensor([T * B, G], 'f32');
  k.copyRows(1, T * B * G, xp.f32, 0, acts.f32, 0, false);
  const [hs, cs] = multiOutput([[T * B, H], [T * B, H]], [xp, h0, c0, weightHh], ([hs, cs]) => {
    const k = backend();
    const A = acts.f32;
    const W = weightHh.f32;
    const dHs = hs!.grad;
    const dCs = cs!.grad;
    const dG = k.allocF32(T * B * G);
    const dh = k.allocF32(BH);
    let dc = k.allocF32(BH);
    let dcPrev = k.allocF32(BH);
    const pW = packWeight(T - 1, true, G, H, W, G);
    for (let t = T - 1; t >= 0; t--) {
      // gradient at h_t: from the output, and through step t + 1's gates
      if (dHs !== null) k.copyRows(1, BH, rows(dHs, t, B, H), 0, dh, 0, false);
      if (t < T - 1) k.gemmPacked(false, true, B, H, G, 1, rows(dG, t + 1, B, G), G, W, G, pW, dHs !== null ? 1 : 0, dh, H);
      else if (dHs === null) k.fill(dh, 0, BH);
      // gradient at c_t: from the output, and carried from step t + 1
      let dcIn: F32 | null = t < T - 1 ? dc : null;
      if (dCs !== null) {
        if (dcIn === null) { k.copyRows(1, BH, rows(dCs, t, B, H), 0, dc, 0, false); dcIn = dc; } else k.axpy(BH, 1, rows(dCs, t, B, H), dc);
      }
      const cPrev = t === 0 ? c0.f32 : rows(cs!.f32, t - 1, B, H);
      k.lstmCellBackward(B, H, rows(A, t, B, G), cPrev, rows(cs!.f32, t, B, H), dh, dcIn, rows(dG, t, B, G), dcPrev, false);
      const s = dc; dc = dcPrev; dcPrev = s;
    }
    // dc now holds the gradient at c0
    if (c0.requiresGrad) accGrad(c0, (dst, acc) => (acc ? k.axpy(BH, 1, dc, dst) : k.copyRows(1, BH, dc, 0, dst, 0, false)));
    if (h0.requiresGrad) accGrad(h0, (dst, acc) => k.gemmPacked(false, true, B, H, G, 1, dG, G, W, G, pW, acc ? 1 : 0, dst, H));
    freePacked([pW]);
    if (weightHh.requiresGrad) accWeightGrad(weightHh, h0.f32, hs!.f32, dG, T, B, H, G);
    k.free(dh);
    k.free(dc);
    k.free(dcPrev);
    if (xp.requiresGrad) giveGrad(xp, dG);
    else k.free(dG);
  }) as [Tensor, Tensor];
  const A = acts.f32;
  const W = weightHh.f32;
  const pW = packWeight(T, false, H, G, W, G);
  for (let t = 0; t < T; t++) {
    const g = rows(A, t, B, G);
    k.gemmPacked(false, false, B, G, H, 1, t === 0 ? h0.f32 : rows(hs.f32, t - 1, B, H), H, W, G, pW, 1, g, G);
    k.lstmCell(B, H, g, t === 0 ? c0.f32 : rows(cs.f32, t - 1, B, H), rows(hs.f32, t, B, H), rows(cs.f32, t, B, H));
  }
  freePacked([pW]);
  if (!hs.requiresGrad) acts.dispose();
  return { h: hs, c: cs };
}

/** Score at padded source positions (as nn/attention.ts): exp underflows to exactly 0. */
const MASKED_SCORE = -1e9;

export interface LstmAttentionInputs {
  /** [T·B, 4H]: x·W_ih + b of every decoder step (time-major rows). */
  xp: Tensor;
  h0: Tensor;
  c0: Tensor;
  /** [B, H]: h̃ fed into the first step, or null for the zero vector. */
  feed0: Tensor | null;
  /** [H, 4H] */
  weightHh: Tensor;
  /** [H, 4H]: h̃_{t−1}'s share of the input weight. */
  weightFeed: Tensor;
  /** [B, S, Hm] */
  memory: Tensor;
  /** [B, S, H]: the attention keys (general: memory·W_a; dot: the memory itself). */
  keys: Tensor;
  /** i32 [B, 1, S] (1 = padding) or null. */
  mask: Tensor | null;
  /** [Hm + H, H]: h̃ = tanh([c; h]·W_c). */
  weightC: Tensor;
}

/**
 * A one-layer LSTM decoder with Luong attention and input feeding over T teacher-forced steps:
 *   gates_t = xp_t + h_{t−1}·W_hh + h̃_{t−1}·W_feed;  (h_t, c_t) = LSTM cell
 *   α_t = softmax_s(keys_s · h_t) (padding masked);  ctx_t = Σ_s α_ts memory_s
 *   h̃_t = tanh(ctx_t·W_c[:Hm] + h_t·W_c[Hm:])
 * → h̃ of every step [T·B, H] (time-major). The same values as running lstmCell, bmm, maskedFill,
 * softmax, bmm, concat, matmul and tanh per step, without their per-step tensors and copies.
 */
export function lstmAttentionSequence(a: LstmAttentionInputs): Tensor {
  const op = 'lstmAttentionSequence';
  const { xp, h0, c0, feed0, weightHh, weightFeed, memory, keys, mask, weightC } = a;
  const { B, H, G } = checkLstmInputs(op, xp, h0, c0);
  if (feed0 !== null) checkState(op, 'feed0', feed0, B, H);
  for (const [name, w] of [['weightHh', weightHh], ['weightFeed', weightFeed]] as const) {
    checkTensor(op, name, w, 'f32', 2);
    if (w.shape[0] !== H || w.shape[1] !== G) throw new Error(`${op}: ${name} must be [${H}, ${G}], got ${shapeStr(w.shape)}`);
  }
  checkTensor(op, 'memory', memory, 'f32', 3);
  const [Bm, S, Hm] = memory.shape as [number, number, number];
  if (Bm !== B) throw new Error(`${op}: memory ${shapeStr(memory.shape)} does not match batch ${B}`);
  checkTensor(op, 'keys', keys, 'f32', 3);
  if (keys.shape[0] !== B || keys.shape[1] !== S || keys.shape[2] !== H) throw new Error(`${op}: keys must be [${B}, ${S}, ${H}], got ${shapeStr(keys.shape)}`);
  if (mask !== null) {
    checkTensor(op, 'mask', mask, null);
    if (mask.size !== B * S) throw new Error(`${op}: mask must be [${B}, 1, ${S}], got ${shapeStr(mask.shape)}`);
  }
  checkTensor(op, 'weightC', weightC, 'f32', 2);
  if (weightC.shape[0] !== Hm + H || weightC.shape[1] !== H) throw new Error(`${op}: weightC must be [${Hm + H}, ${H}], got ${shapeStr(weightC.shape)}`);
  const T = xp.shape[0]! / B;
  const BH = B * H;
  const BS = B * S;
  const k = backend();
  // saved for the backward: activated gates, h, c, ctx of every step, and α [T, B, S]
  const acts = rawTensor([T * B, G], 'f32');
  const hAll = rawTensor([T * B, H], 'f32');
  const cAll = rawTensor([T * B, H], 'f32');
  const ctxAll = rawTensor([T * B, Hm], 'f32');
  const alphaAll = rawTensor([T * B, S], 'f32');
  const saved = [acts, hAll, cAll, ctxAll, alphaAll];
  const inputs = [xp, h0, c0, weightHh, weightFeed, memory, keys, weightC];
  if (feed0 !== null) inputs.push(feed0);
  const [out] = multiOutput([[T * B, H]], inputs, ([out]) => {
    const k = backend();
    const A = acts.f32, Hs = hAll.f32, Cs = cAll.f32, Ctx = ctxAll.f32, Al = alphaAll.f32, Y = out!.f32;
    const Whh = weightHh.f32, Wf = weightFeed.f32, Wc1 = weightC.f32, Wc2 = weightC.f32.subarray(Hm * H);
    const M = memory.f32, K = keys.f32;
    const dY = out!.grad!;
    const dG = k.allocF32(T * B * G);
    const dPre = k.allocF32(T * B * H);
    const dCtx = k.allocF32(T * B * Hm);
    const dS = k.allocF32(T * BS);
    const dht = k.allocF32(BH);
    const dh = k.allocF32(BH);
    const dAlpha = k.allocF32(BS);
    let dc = k.allocF32(BH);
    let dcPrev = k.allocF32(BH);
    const pWf = packWeight(T - 1, true, G, H, Wf, G), pWhh = packWeight(T - 1, true, G, H, Whh, G);
    const pWc1 = packWeight(T, true, H, Hm, Wc1, H), pWc2 = packWeight(T, true, H, H, Wc2, H);
    for (let t = T - 1; t >= 0; t--) {
      // h̃_t: from the output layer and, fed into step t + 1, through its gates
      k.copyRows(1, BH, rows(dY, t, B, H), 0, dht, 0, false);
      if (t < T - 1) k.gemmPacked(false, true, B, H, G, 1, rows(dG, t + 1, B, G), G, Wf, G, pWf, 1, dht, H);
      const dp = rows(dPre, t, B, H);
      k.unaryBackward(UnaryOp.Tanh, BH, rows(Y, t, B, H), rows(Y, t, B, H), dht, dp, false);
      const dctx = rows(dCtx, t, B, Hm);
      k.gemmPacked(false, true, B, Hm, H, 1, dp, H, Wc1, H, pWc1, 0, dctx, Hm);
      // h_t: through W_c, through step t + 1's gates, and through the scores
      k.gemmPacked(false, true, B, H, H, 1, dp, H, Wc2, H, pWc2, 0, dh, H);
      if (t < T - 1) k.gemmPacked(false, true, B, H, G, 1, rows(dG, t + 1, B, G), G, Whh, G, pWhh, 1, dh, H);
      k.gemmBatched(B, false, true, 1, S, Hm, 1, dctx, Hm, Hm, M, S * Hm, Hm, 0, dAlpha, S, S);
      const ds = rows(dS, t, B, S);
      k.softmaxBackward(B, S, rows(Al, t, B, S), dAlpha, ds, false);
      k.gemmBatched(B, false, false, 1, H, S, 1, ds, S, S, K, S * H, H, 1, dh, H, H);
      const cPrev = t === 0 ? c0.f32 : rows(Cs, t - 1, B, H);
      k.lstmCellBackward(B, H, rows(A, t, B, G), cPrev, rows(Cs, t, B, H), dh, t < T - 1 ? dc : null, rows(dG, t, B, G), dcPrev, false);
      const s = dc; dc = dcPrev; dcPrev = s;
    }
    if (c0.requiresGrad) accGrad(c0, (dst, acc) => (acc ? k.axpy(BH, 1, dc, dst) : k.copyRows(1, BH, dc, 0, dst, 0, false)));
    if (h0.requiresGrad) accGrad(h0, (dst, acc) => k.gemmPacked(false, true, B, H, G, 1, dG, G, Whh, G, pWhh, acc ? 1 : 0, dst, H));
    if (feed0 !== null && feed0.requiresGrad) accGrad(feed0, (dst, acc) => k.gemmPacked(false, true, B, H, G, 1, dG, G, Wf, G, pWf, acc ? 1 : 0, dst, H));
    freePacked([pWf, pWhh, pWc1, pWc2]);
    if (weightHh.requiresGrad) accWeightGrad(weightHh, h0.f32, Hs, dG, T, B, H, G);
    if (weightFeed.requiresGrad) accWeightGrad(weightFeed, feed0 === null ? null : feed0.f32, Y, dG, T, B, H, G);
    if (weightC.requiresGrad) {
      accGrad(weightC, (dst, acc) => {
        k.gemm(true, false, Hm, H, T * B, 1, Ctx, Hm, dPre, H, acc ? 1 : 0, dst, H);
        k.gemm(true, false, H, H, T * B, 1, Hs, H, dPre, H, acc ? 1 : 0, dst.subarray(Hm * H), H);
      });
    }
    // memory[b] (+)= α[:, b]ᵀ · dctx[:, b]; keys[b] (+)= dscores[:, b]ᵀ · h[:, b] (T steps at once)
    if (memory.requiresGrad) {
      accGrad(memory, (dst, acc) => k.gemmBatched(B, true, false, S, Hm, T, 1, Al, S, BS, dCtx, Hm, B * Hm, acc ? 1 : 0, dst, S * Hm, Hm));
    }
    if (keys.requiresGrad) {
      accGrad(keys, (dst, acc) => k.gemmBatched(B, true, false, S, H, T, 1, dS, S, BS, Hs, H, BH, acc ? 1 : 0, dst, S * H, H));
    }
    for (const x of [dPre, dCtx, dS, dht, dh, dAlpha, dc, dcPrev]) k.free(x);
    if (xp.requiresGrad) giveGrad(xp, dG);
    else k.free(dG);
  }) as [Tensor];
  const A = acts.f32, Hs = hAll.f32, Cs = cAll.f32, Ctx = ctxAll.f32, Al = alphaAll.f32, Y = out.f32;
  const Whh = weightHh.f32, Wf = weightFeed.f32, Wc1 = weightC.f32, Wc2 = weightC.f32.subarray(Hm * H);
  const M = memory.f32, K = keys.f32;
  const sc = k.allocF32(BS);
  const pre = k.allocF32(BH);
  const scm = mask !== null ? k.allocF32(BS) : null;
  k.copyRows(1, T * B * G, xp.f32, 0, A, 0, false);
  const pWhh = packWeight(T, false, H, G, Whh, G), pWf = packWeight(T, false, H, G, Wf, G);
  const pWc1 = packWeight(T, false, Hm, H, Wc1, H), pWc2 = packWeight(T, false, H, H, Wc2, H);
  for (let t = 0; t < T; t++) {
    const g = rows(A, t, B, G);
    k.gemmPacked(false, false, B, G, H, 1, t === 0 ? h0.f32 : rows(Hs, t - 1, B, H), H, Whh, G, pWhh, 1, g, G);
    const feed = t === 0 ? (feed0 === null ? null : feed0.f32) : rows(Y, t - 1, B, H);
    if (feed !== null) k.gemmPacked(false, false, B, G, H, 1, feed, H, Wf, G, pWf, 1, g, G);
    const h = rows(Hs, t, B, H);
    k.lstmCell(B, H, g, t === 0 ? c0.f32 : rows(Cs, t - 1, B, H), h, rows(Cs, t, B, H));
    // scores[b, s] = keys[b, s] · h[b]; α = softmax over unpadded s
    k.gemmBatched(B, false, true, 1, S, H, 1, h, H, H, K, S * H, H, 0, sc, S, S);
    if (scm !== null) k.maskedFill(BS, sc, mask!.data, MASKED_SCORE, scm);
    const al = rows(Al, t, B, S);
    k.softmax(B, S, scm ?? sc, al);
    const ctx = rows(Ctx, t, B, Hm);
    k.gemmBatched(B, false, false, 1, Hm, S, 1, al, S, S, M, S * Hm, Hm, 0, ctx, Hm, Hm);
    k.gemmPacked(false, false, B, H, Hm, 1, ctx, Hm, Wc1, H, pWc1, 0, pre, H);
    k.gemmPacked(false, false, B, H, H, 1, h, H, Wc2, H, pWc2, 1, pre, H);
    k.unary(UnaryOp.Tanh, BH, pre, rows(Y, t, B, H));
  }
  freePacked([pWhh, pWf, pWc1, pWc2]);
  k.free(sc);
  k.free(pre);
  if (scm !== null) k.free(scm);
  if (!out.requiresGrad) for (const s of saved) s.dispose();
  return out;
}
