import {
  add, concat, embeddingLinear, gatherRows, gruCell, intTensor, linear, lstmCell, recurrentSequence, matmul, maskedFill, reshape, slice, tanh,
  transpose, zeros, dropout, isGradEnabled, Tensor, type Rng,
} from '../tensor/index.js';
import { Module, expectShape } from './module.js';
import { biasParam, weightParam } from './init.js';

export type CellKind = 'lstm' | 'gru' | 'rnn';
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];

/** Gate blocks per cell: LSTM i,f,g,o; GRU r,z,n; Elman RNN one. */
export function gateCount(kind: CellKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

/**
 * An input given as rows of an embedding table rather than as the looked-up rows: row r is
 * table[ids[r]]. Layers that take it project it with embeddingLinear. Callers pass this form only
 * where nothing (dropout) sits between the lookup and the projection.
 */
export interface EmbeddedInput {
  table: Tensor;
  /** i32 [N] */
  ids: Tensor;
}

/** Hidden state of one layer and direction: h [B, H]; c [B, H] for LSTM, null otherwise. */
export interface RecurrentState {
  h: Tensor;
  c: Tensor | null;
}

/**
 * One recurrent layer in one direction. Weights are stored [in, G·H] (transposed relative to
 * PyTorch) so that the input projection of a whole sequence is one plain matmul.
 *
 * Parameters: weight_ih [D, G·H], weight_hh [H, G·H], and bias [G·H] (LSTM, RNN: one bias, as
 * PyTorch's b_ih + b_hh folded together) or bias_ih, bias_hh [G·H] (GRU: b_hn sits inside r ⊙ (…),
 * so the two cannot be folded).
 */
export class RecurrentCell extends Module {
  readonly gates: number;
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  /** The bias added to x·W_ih (bias for LSTM/RNN, bias_ih for GRU). */
  readonly inputBias: Tensor;
  /** GRU only: bias_hh, added to h·W_hh before the cell. */
  readonly hiddenBias: Tensor | null;

  constructor(readonly kind: CellKind, readonly inputSize: number, readonly hiddenSize: number, rng: Rng) {
    super();
    this.gates = gateCount(kind);
    const GH = this.gates * hiddenSize;
    this.weight_ih = this.registerParameter('weight_ih', weightParam([inputSize, GH], rng));
    this.weight_hh = this.registerParameter('weight_hh', weightParam([hiddenSize, GH], rng));
    if (kind === 'gru') {
      this.inputBias = this.registerParameter('bias_ih', biasParam([GH]));
      this.hiddenBias = this.registerParameter('bias_hh', biasParam([GH]));
    } else {
      this.inputBias = this.registerParameter('bias', biasParam([GH]));
      this.hiddenBias = null;
    }
  }

  /** x·W_ih + b for many rows at once: [N, D] → [N, G·H]. */
  projectInput(x2d: Tensor): Tensor {
    expectShape(`RecurrentCell(${this.kind})`, x2d, [null, this.inputSize]);
    return linear(x2d, this.weight_ih, this.inputBias);
  }

  /**
   * projectInput(embedding(table, ids)) in one op (embeddingLinear: the product is computed once per
   * distinct id): table [V, D], ids i32 [N] → [N, G·H].
   */
  projectEmbedded(e: EmbeddedInput): Tensor {
    expectShape(`RecurrentCell(${this.kind})`, e.table, [null, this.inputSize]);
    return embeddingLinear(e.table, e.ids, this.weight_ih, this.inputBias);
  }

  zeroState(B: number): RecurrentState {
    return { h: zeros([B, this.hiddenSize]), c: this.kind === 'lstm' ? zeros([B, this.hiddenSize]) : null };
  }

  /**
   * One time step. xp [B, G·H] is the projected input (from projectInput); `extra` [B, G·H], if
   * given, is one more input term already multiplied by its weight (the decoder's input feeding).
   */
  step(xp: Tensor, s: RecurrentState, extra: Tensor | null = null): RecurrentState {
    const xin = extra === null ? xp : add(xp, extra);
    const hh = matmul(s.h, this.weight_hh);
    switch (this.kind) {
      case 'lstm': {
        const { h, c } = lstmCell(add(xin, hh), s.c!);
        return { h, c };
      }
      case 'gru':
        return { h: gruCell(xin, add(hh, this.hiddenBias!), s.h), c: null };
      case 'rnn':
        return { h: tanh(add(xin, hh)), c: null };
    }
  }

  /**
   * Runs over a whole time-major sequence of projected inputs xp [T·B, G·H] (row t·B + b is step t
   * of sequence b) from `init`. `layout` says where each row's sequence ends: the state returned is
   * the one at each row's true last step, so padded steps (which come after it) never reach it.
   * Returns out [T·B, H] (values at padded steps are unspecified; callers mask them).
   */
  runSequence(xp: Tensor, init: RecurrentState, layout: SequenceLayout): { out: Tensor; final: RecurrentState } {
    const { T, B } = layout;
    // one fused op for the whole layer: no per-step tensors, one weight-gradient gemm
    const { h: out, c: cs } = recurrentSequence(this.kind, xp, init.h, init.c, this.weight_hh, this.hiddenBias);
    if (!layout.padded) return { out, final: { h: slice(out, 0, (T - 1) * B, T * B), c: cs ? slice(cs, 0, (T - 1) * B, T * B) : null } };
    const last = layout.lastRows();
    return { out, final: { h: gatherRows(out, last), c: cs ? gatherRows(cs, last) : null } };
  }
}

/**
 * Where each sequence of a padded, time-major batch ends. Row r of a flattened [T·B, …] tensor is
 * step t = ⌊r / B⌋ of sequence b = r mod B. The index tensors are built on first use.
 */
export class SequenceLayout {
  readonly padded: boolean;
  readonly lengths: readonly number[];
  private last: Tensor | null = null;
  private rev: Tensor | null = null;
  private mask: Tensor | null = null;

  constructor(readonly T: number, readonly B: number, lengths: readonly number[] | null = null) {
    if (lengths === null) {
      this.lengths = new Array<number>(B).fill(T);
    } else {
      if (lengths.length !== B) throw new Error(`SequenceLayout: ${lengths.length} lengths for a batch of ${B}`);
      for (const n of lengths) {
        if (!(Number.isInteger(n) && n >= 1 && n <= T)) throw new Error(`SequenceLayout: length ${n} is not in 1..${T}`);
      }
      this.lengths = lengths;
    }
    this.padded = this.lengths.some((n) => n < T);
  }

  /** i32 [B]: the flat row (len_b − 1)·B + b of each sequence's last true step. */
  lastRows(): Tensor {
    if (this.last === null) this.last = intTensor(this.lengths.map((n, b) => (n - 1) * this.B + b), [this.B]);
    return this.last;
  }

  /**
   * i32 [T·B]: the row permutation that reverses each sequence within its own length (padding
   * stays in place). It is its own inverse. Running a cell forward over the permuted rows is the
   * backward direction of a bidirectional layer, starting at each sequence's true end.
   */
  reverseRows(): Tensor {
    if (this.rev === null) {
      const { T, B } = this;
      const ids = new Int32Array(T * B);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const n = this.lengths[b]!;
          ids[t * B + b] = t < n ? (n - 1 - t) * B + b : t * B + b;
        }
      }
      this.rev = intTensor(ids, [T * B]);
    }
    return this.rev;
  }

  /** i32 [T·B, 1]: 1 at padded steps. */
  padMask(): Tensor {
    if (this.mask === null) {
      const { T, B } = this;
      const m = new Int32Array(T * B);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = t >= this.lengths[b]! ? 1 : 0;
      this.mask = intTensor(m, [T * B, 1]);
    }
    return this.mask;
  }
}

export interface RnnOptions {
  /** Stacked layers (default 1). */
  layers?: number;
  /** Adds a backward direction per layer; outputs and final states concatenate [fwd; bwd]. */
  bidirectional?: boolean;
  /** Dropout between stacked layers (not after the last); only in training mode with gradients on. */
  dropout?: number;
}

export interface RnnOutput {
  /** [B, T, dirs·H] from forward(); [T, B, dirs·H] from forwardTimeMajor(); [T·B, dirs·H] from run(). Zero at padded steps. */
  output: Tensor;
  /** Per layer, the state at each sequence's true end; directions concatenated: [B, dirs·H]. */
  final: RecurrentState[];
}

/**
 * A stack of recurrent layers over whole padded sequences, optionally bidirectional.
 * Parameters: `layers.{l}.fwd.*` and, if bidirectional, `layers.{l}.bwd.*` (see RecurrentCell).
 *
 * Speed: each layer projects the inputs of all steps in one [T·B, D] × [D, G·H] matmul and only
 * h·W_hh runs per step. Padding costs no per-step work: the final state is gathered at each row's
 * true end, and the backward direction runs over rows reversed within their own lengths.
 */
export class Rnn extends Module {
  readonly layers: { fwd: RecurrentCell; bwd: RecurrentCell | null }[] = [];
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly dropoutP: number;

  constructor(readonly kind: CellKind, readonly inputSize: number, readonly hiddenSize: number, opts: RnnOptions, private readonly rng: Rng) {
    super();
    this.numLayers = opts.layers ?? 1;
    this.bidirectional = opts.bidirectional ?? false;
    this.dropoutP = opts.dropout ?? 0;
    if (!(Number.isInteger(this.numLayers) && this.numLayers >= 1)) throw new Error(`Rnn: layers must be a positive integer, got ${this.numLayers}`);
    const dirs = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      const inp = l === 0 ? inputSize : dirs * hiddenSize;
      const holder = new Module();
      const fwd = new RecurrentCell(kind, inp, hiddenSize, rng);
      const bwd = this.bidirectional ? new RecurrentCell(kind, inp, hiddenSize, rng) : null;
      holder.registerModule('fwd', fwd);
      if (bwd) holder.registerModule('bwd', bwd);
      this.registerModule(`layers.${l}`, holder);
      this.layers.push({ fwd, bwd });
    }
  }

  get outputSize(): number {
    return (this.bidirectional ? 2 : 1) * this.hiddenSize;
  }

  /** x [B, T, D], lengths (each 1..T; null = all T) → output [B, T, dirs·H]. */
  forward(x: Tensor, lengths: readonly number[] | null = null, init: RecurrentState[] | null = null): RnnOutput {
    expectShape('Rnn', x, [null, null, this.inputSize]);
    const r = this.forwardTimeMajor(transpose(x, 0, 1), lengths, init);
    return { output: transpose(r.output, 0, 1), final: r.final };
  }

  /** x [T, B, D] (time-major) → output [T, B, dirs·H]. */
  forwardTimeMajor(x: Tensor, lengths: readonly number[] | null = null, init: RecurrentState[] | null = null): RnnOutput {
    expectShape('Rnn', x, [null, null, this.inputSize]);
    const [T, B] = x.shape as [number, number, number];
    const layout = new SequenceLayout(T, B, lengths);
    const r = this.run(reshape(x, [T * B, this.inputSize]), layout, init);
    return { output: reshape(r.output, [T, B, this.outputSize]), final: r.final };
  }

  /**
   * The stacked run over flat time-major x [T·B, D] (row t·B + b = step t of sequence b) with a
   * prepared layout → output [T·B, dirs·H]. Flat layouts let every layer's input projection and
   * the bidirectional reversal work without reshape copies. x may also be given as embedding rows
   * (EmbeddedInput, ids [T·B]): the first layer then projects it with embeddingLinear.
   */
  run(x: Tensor | EmbeddedInput, layout: SequenceLayout, init: RecurrentState[] | null): RnnOutput {
    const { T, B } = layout;
    const H = this.hiddenSize;
    const emb = x instanceof Tensor ? null : x;
    if (emb === null) expectShape('Rnn', x as Tensor, [T * B, this.inputSize]);
    else {
      expectShape('Rnn', emb.table, [null, this.inputSize]);
      expectShape('Rnn', emb.ids, [T * B]);
    }
    if (init !== null && init.length !== this.numLayers) throw new Error(`Rnn: ${init.length} initial states for ${this.numLayers} layers`);
    let input = emb === null ? (x as Tensor) : null;
    const final: RecurrentState[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const { fwd, bwd } = this.layers[l]!;
      const init0 = init?.[l] ?? null;
      const fInit = init0 === null ? fwd.zeroState(B) : bwd ? splitState(init0, 0, H) : init0;
      const f = fwd.runSequence(input === null ? fwd.projectEmbedded(emb!) : fwd.projectInput(input), fInit, layout);
      if (!bwd) {
        final.push(f.final);
        input = f.out;
      } else {
        const rev = layout.reverseRows();
        let xp: Tensor;
        if (input === null) {
          // the reversed rows of an embedding are the embedding of the reversed ids
          const idv = emb!.ids.i32;
          const rv = rev.i32;
          const revIds = new Int32Array(T * B);
          for (let r = 0; r < T * B; r++) revIds[r] = idv[rv[r]!]!;
          xp = bwd.projectEmbedded({ table: emb!.table, ids: intTensor(revIds, [T * B]) });
        } else {
          const D = input.shape[1]!;
          // gather(x)·W = gather(x·W): reverse whichever of the two is narrower
          xp = D <= bwd.gates * H ? bwd.projectInput(gatherRows(input, rev)) : gatherRows(bwd.projectInput(input), rev);
        }
        const bInit = init0 === null ? bwd.zeroState(B) : splitState(init0, H, 2 * H);
        const b = bwd.runSequence(xp, bInit, layout);
        input = concat([f.out, gatherRows(b.out, rev)], 1);
        final.push({
          h: concat([f.final.h, b.final.h], 1),
          c: f.final.c && b.final.c ? concat([f.final.c, b.final.c], 1) : null,
        });
      }
      if (l < this.numLayers - 1 && this.training && isGradEnabled() && this.dropoutP > 0) input = dropout(input, this.dropoutP, this.rng, true);
    }
    const top = input!; // numLayers ≥ 1: the last layer's output
    const output = layout.padded ? maskedFill(top, layout.padMask(), 0) : top;
    return { output, final };
  }
}

function splitState(s: RecurrentState, from: number, to: number): RecurrentState {
  return { h: slice(s.h, 1, from, to), c: s.c ? slice(s.c, 1, from, to) : null };
}
