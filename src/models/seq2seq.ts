import {
  crossEntropy, fromArray, gatherRows, intTensor, logSoftmax, mseLoss, Rng, type Tensor,
} from '../tensor/index.js';
import { Module } from '../nn/index.js';
import { resolveConfig, type ResolvedSeq2SeqConfig, type Seq2SeqConfig } from './config.js';
import { Encoder } from './encoder.js';
import { Decoder } from './decoder.js';
import { Bridge } from './bridge.js';
import { PAD, type ContinuousBatch, type DecoderState, type EncoderOutput, type Seq2SeqBatch, type StepResult } from './types.js';

export interface LossOptions {
  /** Label smoothing ε (tokens mode). */
  smoothing?: number;
}

/**
 * RNN encoder–decoder (Sutskever et al. 2014; Bahdanau et al. 2015; Luong et al. 2015).
 *
 *   src ids ──embed──▶ encoder Rnn (bi) ──final states──▶ bridge ──▶ decoder initial state
 *                              └──memory [B, S, hidden]──▶ attention (each decoder step)
 *   tgtIn ──embed──▶ decoder Rnn ──▶ attention ──h̃──▶ output layer ──▶ cross-entropy vs tgtOut
 *
 * With attention 'none' the decoder sees only its initial state (a fixed-length context vector).
 * Training (`loss`) runs teacher forcing over whole batches; decoding goes through the step
 * interface (`encode`, `startState`, `step`, `selectState`) that src/decode's searches use.
 *
 * Dropout (embeddings, between layers, before the output layer) is active only in training mode
 * with gradients on; decoding and validation under noGrad never drop.
 *
 * Parameter names: see docs/models.md.
 */
export class Seq2Seq extends Module {
  readonly config: ResolvedSeq2SeqConfig;
  readonly encoder: Encoder;
  readonly bridge: Bridge;
  readonly decoder: Decoder;

  constructor(cfg: Partial<Seq2SeqConfig>, rng: Rng) {
    super();
    this.config = resolveConfig(cfg);
    const c = this.config;
    this.encoder = this.registerModule('encoder', new Encoder(c, rng));
    this.bridge = this.registerModule('bridge', new Bridge(c.layers, c.decoderLayers, c.arch, c.decoderArch, c.hidden, rng));
    this.decoder = this.registerModule('decoder', new Decoder(c, rng));
  }

  get hasAttention(): boolean {
    return this.config.attention !== 'none';
  }

  /**
   * Teacher-forced loss: mean over target tokens (tokens mode: cross-entropy ignoring pad, with
   * optional label smoothing; continuous: MSE over valid target steps). `tokens` is the count the
   * mean ran over (target tokens incl. EOS, or valid target steps).
   */
  loss(batch: Seq2SeqBatch | ContinuousBatch, opts: LossOptions = {}): { loss: Tensor; tokens: number } {
    if ('srcVals' in batch) return this.lossContinuous(batch);
    if (this.config.kind !== 'tokens') throw new Error('Seq2Seq.loss: a continuous model needs a batch with srcVals/tgtVals');
    const { B, S, T } = batch;
    if (batch.tgtIn.length !== B * T || batch.tgtOut.length !== B * T) {
      throw new Error(`Seq2Seq.loss: tgtIn/tgtOut have ${batch.tgtIn.length}/${batch.tgtOut.length} ids, expected B×T = ${B}×${T}`);
    }
    const st = this.startState(this.encode(batch.src, batch.srcLen, B, S));
    // rows b·T + t from the decoder to the loss: the batch's own order
    const out = this.decoder.teacherForce({ ids: batch.tgtIn }, st, T, B);
    const logits = this.decoder.output(this.decoder.drop(out));
    const targets = batch.tgtOut;
    let tokens = 0;
    for (let i = 0; i < targets.length; i++) if (targets[i] !== PAD) tokens++;
    const loss = crossEntropy(logits, intTensor(targets, [targets.length]), { ignoreIndex: PAD, smoothing: opts.smoothing ?? 0, reduction: 'mean' });
    return { loss, tokens };
  }

  private lossContinuous(batch: ContinuousBatch): { loss: Tensor; tokens: number } {
    if (this.config.kind !== 'continuous') throw new Error('Seq2Seq.loss: a tokens model needs a batch with src/tgtIn/tgtOut ids');
    const { B, S, T } = batch;
    const Dout = this.config.outputDim!;
    if (batch.tgtVals.length !== B * T * Dout) throw new Error(`Seq2Seq.loss: tgtVals has ${batch.tgtVals.length} values, expected B×T×outputDim = ${B}×${T}×${Dout}`);
    const st = this.startState(this.encodeValues(batch.srcVals, batch.srcLen, B, S));
    const out = this.decoder.teacherForce({ values: shiftRight(batch.tgtVals, B, T, Dout) }, st, T, B);
    const pred = this.decoder.output(this.decoder.drop(out));
    const target = fromArray(batch.tgtVals, [B * T, Dout]);
    const lens = batch.tgtLen ?? new Array<number>(B).fill(T);
    let tokens = 0;
    for (const n of lens) tokens += Math.min(n, T);
    if (tokens === B * T) return { loss: mseLoss(pred, target), tokens };
    const m = new Float32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) m[b * T + t] = t < lens[b]! ? 1 : 0;
    return { loss: mseLoss(pred, target, fromArray(m, [B * T, 1])), tokens };
  }

  /** Encodes source ids (B×S row-major, pad 0). */
  encode(src: Int32Array, srcLen: number[], B: number, S: number): EncoderOutput {
    if (this.config.kind !== 'tokens') throw new Error('Seq2Seq.encode: this is a continuous model; use encodeValues');
    return this.encoder.encode(src, null, srcLen, B, S, this.hasAttention);
  }

  /** Continuous mode: encodes source vectors (B×S×inputDim row-major). */
  encodeValues(srcVals: Float32Array, srcLen: number[], B: number, S: number): EncoderOutput {
    if (this.config.kind !== 'continuous') throw new Error('Seq2Seq.encodeValues: this is a tokens model; use encode');
    return this.encoder.encode(null, srcVals, srcLen, B, S, this.hasAttention);
  }

  /** The decoder's initial state: bridged encoder states, attention keys, no input feed yet. */
  startState(enc: EncoderOutput): DecoderState {
    const { h, c } = this.bridge.forward(enc.final);
    const att = this.decoder.attention;
    return {
      B: enc.B,
      S: enc.S,
      srcLen: enc.srcLen,
      srcRow: Int32Array.from({ length: enc.B }, (_, i) => i),
      h,
      c,
      feed: null, // null = the zero vector: the first step has no previous h̃
      memory: enc.memory,
      keys: att !== null && enc.memory !== null ? att.keys(enc.memory) : null,
      mask: enc.mask,
    };
  }

  /** One decoding step from the previous tokens [B] → log-probabilities [B, tgtVocab]. */
  step(state: DecoderState, prevTokens: Int32Array): StepResult {
    if (this.config.kind !== 'tokens') throw new Error('Seq2Seq.step: this is a continuous model; use stepValues');
    if (prevTokens.length !== state.B) throw new Error(`Seq2Seq.step: ${prevTokens.length} previous tokens for a state of ${state.B} rows`);
    const d = this.decoder;
    // beams and batch rows often share the previous token: project once per distinct id
    const r = d.core(d.cells[0]!.projectEmbedded({ table: d.embed!.weight, ids: intTensor(prevTokens, [prevTokens.length]) }), state);
    const logProbs = logSoftmax(d.output(r.out), -1);
    return { logProbs, attention: r.alpha ? (r.alpha.f32.slice(0, state.B * state.S)) : null, state: { ...state, h: r.h, c: r.c, feed: r.feed } };
  }

  /**
   * Continuous mode: one generation step from the previous output vectors (B×outputDim; zeros at
   * the first step) → the next prediction [B, outputDim].
   */
  stepValues(state: DecoderState, prev: Float32Array): { output: Tensor; attention: Float32Array | null; state: DecoderState } {
    if (this.config.kind !== 'continuous') throw new Error('Seq2Seq.stepValues: this is a tokens model; use step');
    const Dout = this.config.outputDim!;
    if (prev.length !== state.B * Dout) throw new Error(`Seq2Seq.stepValues: ${prev.length} values, expected B×outputDim = ${state.B}×${Dout}`);
    const d = this.decoder;
    const r = d.core(d.cells[0]!.projectInput(d.input!.forward(fromArray(prev, [state.B, Dout]))), state);
    return { output: d.output(r.out), attention: r.alpha ? r.alpha.f32.slice(0, state.B * state.S) : null, state: { ...state, h: r.h, c: r.c, feed: r.feed } };
  }

  /**
   * A state whose row i is row rows[i] of `state` (beam search: reorder, expand, drop rows). The
   * encoder memory is gathered only when the rows' source sentences change.
   */
  selectState(state: DecoderState, rows: Int32Array): DecoderState {
    const n = rows.length;
    for (const r of rows) if (!(r >= 0 && r < state.B)) throw new Error(`Seq2Seq.selectState: row ${r} is out of range for ${state.B} rows`);
    const ids = intTensor(rows, [n]);
    const pick = (t: Tensor): Tensor => gatherRows(t, ids);
    const srcRow = Int32Array.from(rows, (r) => state.srcRow[r]!);
    const next: DecoderState = {
      ...state,
      B: n,
      srcRow,
      h: state.h.map(pick),
      c: state.c ? state.c.map(pick) : null,
      feed: state.feed ? pick(state.feed) : null,
    };
    const sameSources = n === state.B && srcRow.every((s, i) => s === state.srcRow[i]);
    if (sameSources) return next;
    const S = state.S;
    const pick3 = (t: Tensor | null): Tensor | null => {
      if (t === null) return null;
      return gatherRows(t, ids);
    };
    next.srcLen = Array.from(rows, (r) => state.srcLen[r]!);
    next.memory = pick3(state.memory);
    next.keys = state.keys === state.memory ? next.memory : pick3(state.keys);
    if (state.mask !== null) {
      const m = new Int32Array(n * S);
      next.srcLen.forEach((len, i) => { for (let s = len; s < S; s++) m[i * S + s] = 1; });
      next.mask = intTensor(m, [n, 1, S]);
    }
    return next;
  }
}

/** Decoder inputs of continuous teacher forcing: row-major [B, T, D] shifted right by one step (zeros first). */
function shiftRight(vals: Float32Array, B: number, T: number, D: number): Float32Array {
  const out = new Float32Array(B * T * D);
  for (let b = 0; b < B; b++) out.set(vals.subarray(b * T * D, (b * T + T - 1) * D), (b * T + 1) * D);
  return out;
}
