import {
  add, backend, decoderSequence, dropout, dropoutMask, gatherRows, intTensor, reshape, isGradEnabled, matmul, zeros, Tensor, type Rng,
} from '../tensor/index.js';
import {
  Attention, Embedding, Linear, Module, Rnn, SequenceLayout, biasParam, weightParam, type EmbeddedInput, type RecurrentCell,
} from '../nn/index.js';
import type { ResolvedSeq2SeqConfig } from './config.js';
import { batchMajorRows, timeMajorIds, timeMajorValues } from './encoder.js';
import type { DecoderState } from './types.js';

/** The output layer of a tied model: logits = x · Eᵀ + b, E the target embedding. */
class TiedOutput extends Module {
  readonly bias: Tensor;
  constructor(vocab: number) {
    super();
    this.bias = this.registerParameter('bias', biasParam([vocab]));
  }
}

/** What one decoder step produces before the output layer. */
export interface CoreStep {
  /** [B, hidden]: the attentional vector h̃ (attention) or the top layer's h (none). */
  out: Tensor;
  /** [B, 1, S] attention weights, or null. */
  alpha: Tensor | null;
  h: Tensor[];
  c: Tensor[] | null;
  feed: Tensor | null;
}

/**
 * Target side: embedding (tokens) or linear input layer (continuous); a unidirectional stacked Rnn
 * (the same cells serve whole-sequence and step-by-step runs); attention; output layer.
 *
 * Parameters: `embed.weight` [tgtVocab, emb] | `input.weight` [outputDim, emb], `input.bias`;
 * `layers.{l}.fwd.*`; `weight_feed` [hidden, G·hidden] (input feeding: h̃_{t−1}'s share of the
 * first layer's input weight, kept apart so emb·W_ih is precomputed for all steps);
 * `attention.*`; `out_proj.weight` [hidden, emb] (tied with hidden ≠ emb); `generator.weight`
 * [hidden, V|outputDim] (untied) and `generator.bias`.
 */
export class Decoder extends Module {
  readonly embed: Embedding | null = null;
  readonly input: Linear | null = null;
  readonly rnn: Rnn;
  readonly cells: RecurrentCell[];
  readonly weight_feed: Tensor | null = null;
  readonly attention: Attention | null = null;
  readonly out_proj: Linear | null = null;
  readonly generator: Linear | null = null;
  private readonly tied: TiedOutput | null = null;

  constructor(readonly cfg: ResolvedSeq2SeqConfig, private readonly rng: Rng) {
    super();
    const { hidden, emb } = cfg;
    if (cfg.kind === 'tokens') this.embed = this.registerModule('embed', new Embedding(cfg.tgtVocab, emb, rng));
    else this.input = this.registerModule('input', new Linear(cfg.outputDim!, emb, rng));
    this.rnn = this.registerModule('', new Rnn(cfg.decoderArch, emb, hidden, { layers: cfg.decoderLayers, dropout: cfg.dropout }, rng));
    this.cells = this.rnn.layers.map((l) => l.fwd);
    if (cfg.inputFeeding) this.weight_feed = this.registerParameter('weight_feed', weightParam([hidden, this.cells[0]!.gates * hidden], rng));
    if (cfg.attention !== 'none') this.attention = this.registerModule('attention', new Attention(cfg.attention, hidden, hidden, rng));
    if (cfg.kind === 'tokens' && cfg.tieEmbeddings) {
      if (hidden !== emb) this.out_proj = this.registerModule('out_proj', new Linear(hidden, emb, rng, { bias: false }));
      this.tied = this.registerModule('generator', new TiedOutput(cfg.tgtVocab));
    } else {
      const outDim = cfg.kind === 'tokens' ? cfg.tgtVocab : cfg.outputDim!;
      this.generator = this.registerModule('generator', new Linear(hidden, outDim, rng));
    }
  }

  /** Dropout runs only when training with gradients on (never in decoding or validation). */
  drop(x: Tensor): Tensor {
    return this.dropActive() ? dropout(x, this.cfg.dropout, this.rng, true) : x;
  }

  dropActive(): boolean {
    return this.training && isGradEnabled() && this.cfg.dropout > 0;
  }

  /**
   * Teacher-forced inputs for time-major ids as the internal run takes them: the embedding rows
   * themselves (EmbeddedInput, projected with embeddingLinear) when no dropout sits between the
   * lookup and the first layer's input projection, else the dropped-out looked-up rows [N, emb].
   */
  embedInput(ids: Int32Array): Tensor | EmbeddedInput {
    return this.dropActive() ? this.drop(this.embedIds(ids)) : { table: this.embed!.weight, ids: intTensor(ids, [ids.length]) };
  }

  /**
   * Teacher forcing over a whole batch: the decoder inputs in the batch's own row-major order —
   * ids B×T (tokens) or values B×T×D (continuous, already shifted right) — from `st`
   * → the pre-output rows [B·T, hidden] in the same order (row b·T + t). That order is the model's
   * boundary: the loss reads its targets as the batch gives them. Inside, the recurrence runs
   * time-major (row t·B + b: each step is a contiguous block) and one gatherRows turns it back.
   */
  teacherForce(input: { ids: Int32Array } | { values: Float32Array }, st: DecoderState, T: number, B: number): Tensor {
    const x = 'ids' in input
      ? this.embedInput(timeMajorIds(input.ids, B, T))
      : this.drop(this.input!.forward(timeMajorValues(input.values, B, T, this.input!.inFeatures)));
    const r = this.run(x, st, T, B);
    return r.timeMajor ? gatherRows(r.out, batchMajorRows(B, T)) : r.out;
  }

  /** Decoder inputs for ids (any order) → [N, emb]. */
  embedIds(ids: Int32Array): Tensor {
    return this.embed!.forward(intTensor(ids, [ids.length]));
  }

  /**
   * One step, given the first layer's projected input xp0 [B, G·hidden] (x·W_ih + b). Layers above
   * take the layer below's new h; attention reads the top layer.
   */
  core(xp0: Tensor, st: DecoderState): CoreStep {
    const h: Tensor[] = [];
    const c: Tensor[] | null = st.c ? [] : null;
    let below: Tensor = xp0;
    for (let l = 0; l < this.cells.length; l++) {
      const cell = this.cells[l]!;
      const prev = { h: st.h[l]!, c: st.c ? st.c[l]! : null };
      const s = l === 0
        ? cell.step(xp0, prev, st.feed !== null && this.weight_feed !== null ? matmul(st.feed, this.weight_feed) : null)
        : cell.step(cell.projectInput(this.drop(below)), prev);
      h.push(s.h);
      if (c) c.push(s.c!);
      below = s.h;
    }
    if (this.attention === null) return { out: below, alpha: null, h, c, feed: null };
    const { out, alpha } = this.attention.step(below, st.memory!, st.keys!, st.mask);
    return { out, alpha, h, c, feed: this.weight_feed !== null ? out : null };
  }

  /**
   * The internal teacher-forced run over embedded inputs x [T·B, emb] (time-major; or embedding
   * rows, see embedInput) from `st` → the pre-output rows [T·B, hidden], time-major, or already
   * batch-major where attention ran over all steps at once (teacherForce puts them in batch order).
   */
  private run(x: Tensor | EmbeddedInput, st: DecoderState, T: number, B: number): { out: Tensor; timeMajor: boolean } {
    if (this.attention !== null && this.weight_feed !== null) {
      // input feeding: every step needs the previous h̃, so all layers and the attention run step
      // by step — inside one fused op (the same values as T calls of core(), see the tests), with
      // emb·W_ih + b of the first layer for all steps as one matmul
      const xp = x instanceof Tensor ? this.cells[0]!.projectInput(x) : this.cells[0]!.projectEmbedded(x);
      const att = this.attention;
      const masks = this.layerDropMasks(T, B);
      const out = decoderSequence({
        cell: this.cells[0]!.kind, xp, feed0: st.feed, weightFeed: this.weight_feed,
        layers: this.cells.map((cell, l) => ({
          weightIh: l === 0 ? null : cell.weight_ih, bias: l === 0 ? null : cell.inputBias, weightHh: cell.weight_hh, biasHh: cell.hiddenBias,
          h0: st.h[l]!, c0: cell.kind !== 'lstm' ? null : st.c ? st.c[l]! : zeros([B, cell.hiddenSize]), dropMask: masks[l]!,
        })),
        attention: { kind: att.kind, memory: st.memory!, keys: st.keys!, mask: st.mask, weightC: att.W_c, w2: att.W_2, v: att.v },
      });
      return { out, timeMajor: true };
    }
    const init = st.h.map((h, l) => ({ h, c: st.c ? st.c[l]! : null }));
    const r = this.rnn.run(x, new SequenceLayout(T, B, null), init);
    if (this.attention === null) return { out: r.output, timeMajor: true };
    const queries = reshape(gatherRows(r.output, batchMajorRows(B, T)), [B, T, this.cfg.hidden]);
    return { out: this.attention.forwardAll(queries, st.memory!, st.keys!, st.mask).out, timeMajor: false };
  }

  /**
   * The dropout masks between stacked layers for T teacher-forced steps (null for layer 0 and when
   * dropout is off): drawn in the order core() would draw them step by step (step, then layer), so
   * the fused run consumes the RNG exactly as T core() calls do.
   */
  private layerDropMasks(T: number, B: number): (Tensor | null)[] {
    const L = this.cells.length;
    const H = this.cfg.hidden;
    if (L === 1 || !this.dropActive()) return new Array<Tensor | null>(L).fill(null);
    const all = dropoutMask([T, L - 1, B, H], this.cfg.dropout, this.rng);
    const k = backend();
    return this.cells.map((_, l) => {
      if (l === 0) return null;
      const m = zeros([T * B, H]);
      k.copyRows(T, B * H, all.f32.subarray((l - 1) * B * H), (L - 1) * B * H, m.f32, B * H, false);
      return m;
    });
  }

  /** Output layer: [N, hidden] → [N, tgtVocab] logits (tokens) or [N, outputDim] values. */
  output(x: Tensor): Tensor {
    if (this.generator !== null) return this.generator.forward(x);
    const e = this.out_proj !== null ? this.out_proj.forward(x) : x;
    return add(matmul(e, this.embed!.weight, false, true), this.tied!.bias);
  }
}
