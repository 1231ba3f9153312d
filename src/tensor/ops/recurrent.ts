import { backend } from '../engine.js';
import { shapeStr, type Tensor } from '../tensor.js';
import { BinaryOp, type F32 } from '../../kernels/backend.js';
import { checkTensor, multiOutput, rawTensor, accGrad } from './util.js';
import { CellChain, cellGates, packWeight, freePacked, rows, type SequenceCell } from './cell-chain.js';
import { AttentionCore, attentionParamGrads, type AttentionArrays } from './attention-core.js';
import type { AttentionOpInputs } from './attention.js';

export type { SequenceCell } from './cell-chain.js';

/**
 * Whole-sequence fused recurrences. A per-step loop of small ops costs a tape node, an output
 * tensor and a copy per op and step, and its backward runs one K = B weight-gradient gemm per step.
 * These ops run the loop inside one op: the forward writes every step straight into preallocated
 * [T·B, …] buffers, and the backward runs the step chain in reverse (CellChain, one per layer),
 * keeping each step's pre-activation gradient in one [T·B, G·H] buffer so that every weight
 * gradient is one big gemm (K = T·B) after the loop — and that buffer is exactly the gradient of
 * the projected inputs. Rows are time-major: row t·B + b is step t of sequence b.
 */

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

/** accGrad when t wants a gradient (a no-op otherwise). */
function sink(t: Tensor | null): ((write: (dst: F32, acc: boolean) => void) => void) | null {
  return t !== null && t.requiresGrad ? (write) => accGrad(t, write) : null;
}

/** Adds a [n] gradient held in `g` into t (if it wants one). */
function addGrad(t: Tensor | null, g: F32): void {
  if (t === null || !t.requiresGrad) return;
  const k = backend();
  accGrad(t, (dst, acc) => (acc ? k.axpy(t.size, 1, g, dst) : k.copyRows(1, t.size, g, 0, dst, 0, false)));
}

function checkState(op: string, name: string, t: Tensor, B: number, H: number): void {
  checkTensor(op, name, t, 'f32', 2);
  if (t.shape[0] !== B || t.shape[1] !== H) throw new Error(`${op}: ${name} must be [${B}, ${H}], got ${shapeStr(t.shape)}`);
}

function checkMatrix(op: string, name: string, t: Tensor, r: number, c: number): void {
  checkTensor(op, name, t, 'f32', 2);
  if (t.shape[0] !== r || t.shape[1] !== c) throw new Error(`${op}: ${name} must be [${r}, ${c}], got ${shapeStr(t.shape)}`);
}

function checkVector(op: string, name: string, t: Tensor, n: number): void {
  checkTensor(op, name, t, 'f32');
  if (t.size !== n) throw new Error(`${op}: ${name} must have ${n} values, got ${shapeStr(t.shape)}`);
}

/** The entry checks shared by the sequence ops: xp [T·B, G·H] for h0 [B, H]; c0 for LSTM, b_hh for GRU. */
function checkCellInputs(op: string, kind: SequenceCell, xp: Tensor, h0: Tensor, c0: Tensor | null, weightHh: Tensor, biasHh: Tensor | null): { B: number; H: number; G: number; T: number } {
  checkTensor(op, 'xp', xp, 'f32', 2);
  checkTensor(op, 'h0', h0, 'f32', 2);
  const [B, H] = h0.shape as [number, number];
  const G = cellGates(kind) * H;
  if (xp.shape[1] !== G || B === 0 || xp.shape[0]! % B !== 0) {
    throw new Error(`${op}: xp must be [T·B, ${cellGates(kind)}H] for h0 [B, H] (${kind}): ${shapeStr(xp.shape)} and ${shapeStr(h0.shape)}`);
  }
  if (kind === 'lstm') {
    if (c0 === null) throw new Error(`${op}: an LSTM needs c0`);
    checkState(op, 'c0', c0, B, H);
  } else if (c0 !== null) throw new Error(`${op}: c0 is for LSTM only (got a ${kind})`);
  checkMatrix(op, 'weightHh', weightHh, H, G);
  if (kind === 'gru') {
    if (biasHh === null) throw new Error(`${op}: a GRU needs biasHh`);
    checkVector(op, 'biasHh', biasHh, G);
  } else if (biasHh !== null) throw new Error(`${op}: biasHh is for GRU only (got a ${kind})`);
  return { B, H, G, T: xp.shape[0]! / B };
}

/**
 * A whole recurrent layer over T steps from h0 (and c0): step t runs the cell on xp_t (x·W_ih + b,
 * already projected for every step) and h_{t−1}·W_hh (+ b_hh for GRU) — see CellChain.
 * xp [T·B, G·H], h0 (c0) [B, H], weightHh [H, G·H], biasHh [G·H] (GRU only)
 * → h [T·B, H] and, for LSTM, c [T·B, H]: every step's states. Equal to T lstmCell / gruCell /
 * tanh steps.
 */
export function recurrentSequence(kind: SequenceCell, xp: Tensor, h0: Tensor, c0: Tensor | null, weightHh: Tensor, biasHh: Tensor | null = null): { h: Tensor; c: Tensor | null } {
  const op = `recurrentSequence(${kind})`;
  const { B, H, G, T } = checkCellInputs(op, kind, xp, h0, c0, weightHh, biasHh);
  const k = backend();
  const pre = rawTensor([T * B, G], 'f32');
  k.copyRows(1, T * B * G, xp.f32, 0, pre.f32, 0, false);
  const acts = kind === 'gru' ? rawTensor([T * B, 4 * H], 'f32') : null;
  const inputs = [xp, h0, weightHh];
  if (c0 !== null) inputs.push(c0);
  if (biasHh !== null) inputs.push(biasHh);
  const outs = multiOutput(kind === 'lstm' ? [[T * B, H], [T * B, H]] : [[T * B, H]], inputs, ([hs, cs]) => {
    const k = backend();
    const chain = new CellChain(kind, T, B, H, arrays(hs!, cs ?? null), 'backward');
    const dh = k.allocF32(B * H);
    for (let t = T - 1; t >= 0; t--) {
      if (hs!.grad !== null) k.copyRows(1, B * H, rows(hs!.grad, t, B, H), 0, dh, 0, false);
      else k.fill(dh, 0, B * H);
      chain.backward(t, dh, cs?.grad ? rows(cs.grad, t, B, H) : null);
    }
    k.free(dh);
    addGrad(h0, chain.dhCarry!);
    if (chain.dcCarry !== null) addGrad(c0, chain.dcCarry);
    sink(weightHh)?.((dst, acc) => chain.weightHhGrad(dst, acc));
    sink(biasHh)?.((dst, acc) => chain.biasHhGrad(dst, acc));
    const dPre = chain.dPre!;
    chain.endBackward();
    if (xp.requiresGrad) giveGrad(xp, dPre);
    else k.free(dPre);
  });
  const [hs, cs] = outs as [Tensor, Tensor | undefined];
  function arrays(h: Tensor, c: Tensor | null): ConstructorParameters<typeof CellChain>[4] {
    return { pre: pre.f32, hs: h.f32, cs: c?.f32 ?? null, acts: acts?.f32 ?? null, h0: h0.f32, c0: c0?.f32 ?? null, weightHh: weightHh.f32, biasHh: biasHh?.f32 ?? null };
  }
  const chain = new CellChain(kind, T, B, H, arrays(hs, cs ?? null), 'forward');
  for (let t = 0; t < T; t++) chain.forward(t);
  chain.endForward();
  if (!hs.requiresGrad) {
    pre.dispose();
    acts?.dispose();
  }
  return { h: hs, c: cs ?? null };
}

/** recurrentSequence for an LSTM: xp [T·B, 4H], h0, c0 [B, H], weightHh [H, 4H] → h, c [T·B, H]. */
export function lstmSequence(xp: Tensor, h0: Tensor, c0: Tensor, weightHh: Tensor): { h: Tensor; c: Tensor } {
  const r = recurrentSequence('lstm', xp, h0, c0, weightHh, null);
  return { h: r.h, c: r.c! };
}

/** One layer of the attention decoder (see decoderSequence). */
export interface DecoderLayerInputs {
  /** Layers above the first: W_ih [H, G·H] and its bias [G·H], applied to the layer below's h. Null for layer 0 (its input is xp). */
  weightIh: Tensor | null;
  bias: Tensor | null;
  /** [H, G·H] */
  weightHh: Tensor;
  /** GRU only: b_hh [G·H]. */
  biasHh: Tensor | null;
  /** [B, H]; c0 for LSTM only. */
  h0: Tensor;
  c0: Tensor | null;
  /** Layers above the first: a dropout mask [T·B, H] (0 or 1/(1 − p)) on the layer below's h, or null. */
  dropMask: Tensor | null;
}

export interface DecoderSequenceInputs {
  cell: SequenceCell;
  /** [T·B, G·H]: x·W_ih + b of the first layer for every decoder step. */
  xp: Tensor;
  layers: DecoderLayerInputs[];
  /** [B, H]: h̃ fed into the first step, or null for the zero vector. */
  feed0: Tensor | null;
  /** [H, G·H]: h̃_{t−1}'s share of the first layer's input weight. */
  weightFeed: Tensor;
  /** The attention op's inputs but the query (the top layer's h_t is each step's query). */
  attention: Omit<AttentionOpInputs, 'query'>;
}

/**
 * A stacked recurrent decoder with attention and input feeding over T teacher-forced steps:
 *   layer 0:  pre_t = xp_t + h̃_{t−1}·W_feed;  layer l > 0: pre_t = (h_{l−1,t} ⊙ mask)·W_ih + b
 *   each layer: its cell on pre_t and its own h_{t−1} (CellChain)
 *   attention (AttentionCore) with the top layer's h_t as the query → h̃_t
 * → h̃ of every step [T·B, H] (time-major). The same values as Decoder.core step by step
 * (cell steps, Attention.step), without their per-step tensors and copies.
 */
export function decoderSequence(d: DecoderSequenceInputs): Tensor {
  const op = 'decoderSequence';
  const { cell: kind, xp, layers, feed0, weightFeed } = d;
  const at = d.attention;
  if (layers.length < 1) throw new Error(`${op}: needs at least one layer`);
  const l0 = layers[0]!;
  const { B, H, G, T } = checkCellInputs(op, kind, xp, l0.h0, l0.c0, l0.weightHh, l0.biasHh);
  if (l0.weightIh !== null || l0.bias !== null || l0.dropMask !== null) throw new Error(`${op}: layer 0 takes xp; its weightIh, bias and dropMask must be null`);
  const N = T * B;
  layers.forEach((l, i) => {
    if (i === 0) return;
    const name = `layers[${i}]`;
    checkState(op, `${name}.h0`, l.h0, B, H);
    if (kind === 'lstm') checkState(op, `${name}.c0`, l.c0 ?? l.h0, B, H);
    if (l.weightIh === null || l.bias === null) throw new Error(`${op}: ${name} needs weightIh and bias`);
    checkMatrix(op, `${name}.weightIh`, l.weightIh, H, G);
    checkVector(op, `${name}.bias`, l.bias, G);
    checkMatrix(op, `${name}.weightHh`, l.weightHh, H, G);
    if (kind === 'gru') checkVector(op, `${name}.biasHh`, l.biasHh ?? l.h0, G);
    if (l.dropMask !== null) checkMatrix(op, `${name}.dropMask`, l.dropMask, N, H);
  });
  if (feed0 !== null) checkState(op, 'feed0', feed0, B, H);
  checkMatrix(op, 'weightFeed', weightFeed, H, G);
  checkTensor(op, 'memory', at.memory, 'f32', 3);
  const [Bm, S, Hm] = at.memory.shape as [number, number, number];
  if (Bm !== B) throw new Error(`${op}: memory ${shapeStr(at.memory.shape)} does not match batch ${B}`);
  checkTensor(op, 'keys', at.keys, 'f32', 3);
  if (at.keys.shape[0] !== B || at.keys.shape[1] !== S || at.keys.shape[2] !== H) throw new Error(`${op}: keys must be [${B}, ${S}, ${H}], got ${shapeStr(at.keys.shape)}`);
  if (at.mask !== null) {
    checkTensor(op, 'mask', at.mask, null);
    if (at.mask.size !== B * S) throw new Error(`${op}: mask must be [${B}, 1, ${S}], got ${shapeStr(at.mask.shape)}`);
  }
  checkMatrix(op, 'weightC', at.weightC, Hm + H, H);
  if (at.kind === 'bahdanau') {
    if (at.w2 === null || at.v === null) throw new Error(`${op}: bahdanau attention needs w2 and v`);
    checkMatrix(op, 'w2', at.w2, H, H);
    checkVector(op, 'v', at.v, H);
  }

  const k = backend();
  const L = layers.length;
  // saved for the backward: every layer's pre-activations, states (and GRU activations), the
  // masked inputs of the layers above, and the attention's context, weights (and bahdanau's e)
  const pre = layers.map(() => rawTensor([N, G], 'f32'));
  const hs = layers.map(() => rawTensor([N, H], 'f32'));
  const cs = layers.map(() => (kind === 'lstm' ? rawTensor([N, H], 'f32') : null));
  const acts = layers.map(() => (kind === 'gru' ? rawTensor([N, 4 * H], 'f32') : null));
  const xin = layers.map((l) => (l.dropMask !== null ? rawTensor([N, H], 'f32') : null));
  const ctxAll = rawTensor([N, Hm], 'f32');
  const alphaAll = rawTensor([N, S], 'f32');
  const eAll = at.kind === 'bahdanau' ? rawTensor([N * S, H], 'f32') : null;
  const saved = [...pre, ...hs, ...cs, ...acts, ...xin, ctxAll, alphaAll, eAll];
  const inputs: Tensor[] = [xp, weightFeed, at.memory, at.keys, at.weightC];
  for (const t of [feed0, at.w2, at.v]) if (t !== null) inputs.push(t);
  for (const l of layers) for (const t of [l.weightIh, l.bias, l.weightHh, l.biasHh, l.h0, l.c0]) if (t !== null) inputs.push(t);
  const attArrays: AttentionArrays = {
    kind: at.kind, B, S, H, Hm, memory: at.memory.f32, keys: at.keys.f32, mask: at.mask === null ? null : at.mask.data as Int32Array,
    weightC: at.weightC.f32, w2: at.w2?.f32 ?? null, v: at.v?.f32 ?? null,
  };
  const chainArrays = (l: number): ConstructorParameters<typeof CellChain>[4] => ({
    pre: pre[l]!.f32, hs: hs[l]!.f32, cs: cs[l]?.f32 ?? null, acts: acts[l]?.f32 ?? null, h0: layers[l]!.h0.f32, c0: layers[l]!.c0?.f32 ?? null,
    weightHh: layers[l]!.weightHh.f32, biasHh: layers[l]!.biasHh?.f32 ?? null,
  });
  /** The input of layer l > 0 at every step: the layer below's h, or its dropped-out copy. */
  const inputOf = (l: number): F32 => xin[l]?.f32 ?? hs[l - 1]!.f32;
  const stepSaved = (Y: F32, t: number) => ({
    q: rows(hs[L - 1]!.f32, t, B, H), y: rows(Y, t, B, H), ctx: rows(ctxAll.f32, t, B, Hm), alpha: rows(alphaAll.f32, t, B, S),
    e: eAll === null ? null : rows(eAll.f32, t, B, S * H),
  });

  const [out] = multiOutput([[N, H]], inputs, ([out]) => {
    const k = backend();
    const Y = out!.f32, dY = out!.grad!;
    const chains = layers.map((_, l) => new CellChain(kind, T, B, H, chainArrays(l), 'backward'));
    const core = new AttentionCore(attArrays, 1, T, 'backward');
    const g = {
      dPre: k.allocF32(N * H), dCtx: k.allocF32(N * Hm), dS: k.allocF32(N * S),
      dE: at.kind === 'bahdanau' ? k.allocF32(N * S * H) : null, dQw: at.kind === 'bahdanau' ? k.allocF32(N * H) : null,
    };
    const dht = k.allocF32(B * H);
    const dh = k.allocF32(B * H);
    const Wf = weightFeed.f32;
    const pWfT = packWeight(T - 1, true, G, H, Wf, G);
    const pWihT = layers.map((l, i) => (i === 0 ? null : packWeight(T, true, G, H, l.weightIh!.f32, G)));
    for (let t = T - 1; t >= 0; t--) {
      // h̃_t: from the output layer and, fed into step t + 1, through its first layer's gates
      k.copyRows(1, B * H, rows(dY, t, B, H), 0, dht, 0, false);
      if (t < T - 1) k.gemmPacked(false, true, B, H, G, 1, rows(chains[0]!.dPre!, t + 1, B, G), G, Wf, G, pWfT, 1, dht, H);
      const gt = {
        dPre: rows(g.dPre, t, B, H), dCtx: rows(g.dCtx, t, B, Hm), dS: rows(g.dS, t, B, S),
        dE: g.dE === null ? null : rows(g.dE, t, B, S * H), dQw: g.dQw === null ? null : rows(g.dQw, t, B, H),
      };
      core.backward(stepSaved(Y, t), dht, dh, gt, null);
      for (let l = L - 1; l >= 0; l--) {
        chains[l]!.backward(t, dh, null);
        if (l === 0) break;
        // the layer below's h_t: through this layer's input weight (and its dropout mask)
        k.gemmPacked(false, true, B, H, G, 1, rows(chains[l]!.dPre!, t, B, G), G, layers[l]!.weightIh!.f32, G, pWihT[l]!, 0, dh, H);
        const m = layers[l]!.dropMask;
        if (m !== null) k.binary(BinaryOp.Mul, B * H, dh, rows(m.f32, t, B, H), dh);
      }
    }
    freePacked([pWfT, ...pWihT]);
    core.dispose();
    k.free(dht);
    k.free(dh);
    const dPre0 = chains[0]!.dPre!;
    // h̃_{t−1}'s share of the first layer: feed0 at step 0, then h̃_0 … h̃_{T−2}
    sink(weightFeed)?.((dst, acc) => {
      let beta = acc ? 1 : 0;
      if (feed0 !== null) { k.gemm(true, false, H, G, B, 1, feed0.f32, H, dPre0, G, beta, dst, G); beta = 1; }
      if (T > 1) k.gemm(true, false, H, G, (T - 1) * B, 1, Y, H, dPre0.subarray(B * G), G, beta, dst, G);
      else if (beta === 0) k.fill(dst, 0, H * G);
    });
    sink(feed0)?.((dst, acc) => k.gemm(false, true, B, H, G, 1, dPre0, G, Wf, G, acc ? 1 : 0, dst, H));
    layers.forEach((l, i) => {
      const c = chains[i]!;
      addGrad(l.h0, c.dhCarry!);
      if (c.dcCarry !== null) addGrad(l.c0, c.dcCarry);
      sink(l.weightHh)?.((dst, acc) => c.weightHhGrad(dst, acc));
      sink(l.biasHh)?.((dst, acc) => c.biasHhGrad(dst, acc));
      if (i > 0) {
        sink(l.weightIh)?.((dst, acc) => k.gemm(true, false, H, G, N, 1, inputOf(i), H, c.dPre!, G, acc ? 1 : 0, dst, G));
        sink(l.bias)?.((dst, acc) => k.reduceSum(1, N, G, c.dPre!, dst, acc));
      }
    });
    attentionParamGrads(attArrays, { J: T, bStride: 1, jStride: B }, {
      q: hs[L - 1]!.f32, y: Y, ctx: ctxAll.f32, alpha: alphaAll.f32, e: eAll?.f32 ?? null,
    }, g, { weightC: sink(at.weightC), memory: sink(at.memory), keys: sink(at.keys), w2: sink(at.w2), v: sink(at.v) });
    for (const x of [g.dPre, g.dCtx, g.dS, g.dE, g.dQw]) if (x !== null) k.free(x);
    chains.forEach((c, i) => {
      c.endBackward();
      if (i > 0) k.free(c.dPre!);
    });
    if (xp.requiresGrad) giveGrad(xp, dPre0);
    else k.free(dPre0);
  }) as [Tensor];

  const Y = out.f32;
  const Wf = weightFeed.f32;
  k.copyRows(1, N * G, xp.f32, 0, pre[0]!.f32, 0, false);
  const chains = layers.map((_, l) => new CellChain(kind, T, B, H, chainArrays(l), 'forward'));
  const core = new AttentionCore(attArrays, 1, T, 'forward');
  const pWf = packWeight(T, false, H, G, Wf, G);
  const pWih = layers.map((l, i) => (i === 0 ? null : packWeight(T, false, H, G, l.weightIh!.f32, G)));
  for (let t = 0; t < T; t++) {
    const feed = t === 0 ? (feed0 === null ? null : feed0.f32) : rows(Y, t - 1, B, H);
    if (feed !== null) k.gemmPacked(false, false, B, G, H, 1, feed, H, Wf, G, pWf, 1, rows(pre[0]!.f32, t, B, G), G);
    chains[0]!.forward(t);
    for (let l = 1; l < L; l++) {
      const lay = layers[l]!;
      let x = rows(hs[l - 1]!.f32, t, B, H);
      if (lay.dropMask !== null) {
        const xm = rows(xin[l]!.f32, t, B, H);
        k.binary(BinaryOp.Mul, B * H, x, rows(lay.dropMask.f32, t, B, H), xm);
        x = xm;
      }
      const p = rows(pre[l]!.f32, t, B, G);
      k.copyRows(B, G, lay.bias!.f32, 0, p, G, false);
      k.gemmPacked(false, false, B, G, H, 1, x, H, lay.weightIh!.f32, G, pWih[l]!, 1, p, G);
      chains[l]!.forward(t);
    }
    core.forward(stepSaved(Y, t));
  }
  freePacked([pWf, ...pWih]);
  core.dispose();
  for (const c of chains) c.endForward();
  if (!out.requiresGrad) for (const s of saved) s?.dispose();
  return out;
}

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
 * decoderSequence for one LSTM layer with Luong attention (dot and general are the same math once
 * the keys are given): → h̃ of every step [T·B, H] (time-major).
 */
export function lstmAttentionSequence(a: LstmAttentionInputs): Tensor {
  return decoderSequence({
    cell: 'lstm', xp: a.xp, feed0: a.feed0, weightFeed: a.weightFeed,
    layers: [{ weightIh: null, bias: null, weightHh: a.weightHh, biasHh: null, h0: a.h0, c0: a.c0, dropMask: null }],
    attention: { kind: 'general', memory: a.memory, keys: a.keys, mask: a.mask, weightC: a.weightC, w2: null, v: null },
  });
}
