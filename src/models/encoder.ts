import { dropout, fromArray, gatherRows, intTensor, isGradEnabled, reshape, type Rng, type Tensor } from '../tensor/index.js';
import { Embedding, Linear, Module, Rnn, SequenceLayout, type EmbeddedInput, type RnnOutput } from '../nn/index.js';
import type { ResolvedSeq2SeqConfig } from './config.js';
import type { EncoderOutput } from './types.js';

/**
 * Source side: embedding (tokens) or a linear input layer (continuous), then a stacked,
 * optionally bidirectional Rnn (hidden/2 per direction when bidirectional).
 *
 * Parameters: `embed.weight` [srcVocab, emb] or `input.weight` [inputDim, emb], `input.bias` [emb];
 * `layers.{l}.fwd|bwd.*` (see Rnn).
 */
export class Encoder extends Module {
  readonly embed: Embedding | null = null;
  readonly input: Linear | null = null;
  readonly rnn: Rnn;

  constructor(readonly cfg: ResolvedSeq2SeqConfig, private readonly rng: Rng) {
    super();
    if (cfg.kind === 'tokens') this.embed = this.registerModule('embed', new Embedding(cfg.srcVocab, cfg.emb, rng));
    else this.input = this.registerModule('input', new Linear(cfg.inputDim!, cfg.emb, rng));
    const perDir = cfg.bidirectional ? cfg.hidden / 2 : cfg.hidden;
    this.rnn = this.registerModule('', new Rnn(cfg.arch, cfg.emb, perDir, { layers: cfg.layers, bidirectional: cfg.bidirectional, dropout: cfg.dropout }, rng));
  }

  /** Dropout runs only when training with gradients on (never in decoding or validation). */
  private drop(x: Tensor): Tensor {
    return this.dropActive() ? dropout(x, this.cfg.dropout, this.rng, true) : x;
  }

  private dropActive(): boolean {
    return this.training && isGradEnabled() && this.cfg.dropout > 0;
  }

  /**
   * Encodes a batch. Exactly one of ids (B×S) or vals (B×S×inputDim) is given, row-major.
   * `needMemory`: build the [B, S, hidden] memory for attention.
   */
  encode(ids: Int32Array | null, vals: Float32Array | null, srcLen: readonly number[], B: number, S: number, needMemory: boolean): EncoderOutput {
    if (srcLen.length !== B) throw new Error(`Encoder: ${srcLen.length} source lengths for a batch of ${B}`);
    const lens = srcLen.map((n) => {
      if (!(Number.isInteger(n) && n >= 0 && n <= S)) throw new Error(`Encoder: source length ${n} is not in 0..${S}`);
      return Math.max(1, n);
    });
    let x: Tensor | EmbeddedInput; // [S·B, emb], time-major rows s·B + b
    if (ids !== null) {
      if (ids.length !== B * S) throw new Error(`Encoder: src has ${ids.length} ids, expected B×S = ${B}×${S}`);
      const tm = intTensor(timeMajorIds(ids, B, S), [S * B]);
      // with no dropout between the lookup and the first layer's input projections, both directions
      // project the embedding rows with embeddingLinear (once per distinct id)
      x = this.dropActive() ? this.drop(this.embed!.forward(tm)) : { table: this.embed!.weight, ids: tm };
    } else {
      const D = this.cfg.inputDim!;
      if (vals === null || vals.length !== B * S * D) throw new Error(`Encoder: srcVals has ${vals?.length ?? 0} values, expected B×S×inputDim = ${B}×${S}×${D}`);
      x = this.drop(this.input!.forward(timeMajorValues(vals, B, S, D)));
    }
    const layout = new SequenceLayout(S, B, lens);
    const r: RnnOutput = this.rnn.run(x, layout, null);
    let memory: Tensor | null = null;
    let mask: Tensor | null = null;
    if (needMemory) {
      // one gather turns the time-major rows s·B + b back into the batch's order: [B, S, hidden]
      memory = reshape(gatherRows(r.output, batchMajorRows(B, S)), [B, S, r.output.shape[1]!]);
      if (layout.padded) {
        const m = new Int32Array(B * S);
        for (let b = 0; b < B; b++) for (let s = lens[b]!; s < S; s++) m[b * S + s] = 1;
        mask = intTensor(m, [B, 1, S]);
      }
    }
    return { B, S, srcLen: lens, memory, mask, final: r.final };
  }
}

/** Row-major B×T ids → time-major (t·B + b). */
export function timeMajorIds(ids: Int32Array, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t * B + b] = ids[b * T + t]!;
  return out;
}

/** Row-major B×T×D values → a time-major [T·B, D] tensor. */
export function timeMajorValues(vals: Float32Array, B: number, T: number, D: number): Tensor {
  const out = new Float32Array(B * T * D);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(vals.subarray((b * T + t) * D, (b * T + t + 1) * D), (t * B + b) * D);
  return fromArray(out, [T * B, D]);
}

/** ids [B, T] whose entry (b, t) is the time-major row t·B + b. */
export function batchMajorRows(B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + t] = t * B + b;
  return out;
}
