import { multiHeadAttention, reshape, type Rng, type Tensor } from '../tensor/index.js';
import { Module, expectShape } from './module.js';
import { Linear } from './linear.js';

/** Keys and values projected for attention, [B, S, d] each (a cache keeps them between decoding steps). */
export interface ProjectedKeys {
  k: Tensor;
  v: Tensor;
}

export interface AttendOptions {
  /** i32 [B, S], 1 = a padding key (never attended); null: none. */
  keyPadding?: Tensor | null;
  /** Query i (of T) sees key j only if j ≤ i + (S − T) (the decoder's self-attention). */
  causal?: boolean;
  /** Dropout on the attention weights (training); the caller draws the seed from the model's Rng. */
  dropout?: { p: number; seed: number } | null;
  /** Also return the attention weights [B, heads, T, S] (no gradient). */
  needWeights?: boolean;
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017, §3.2): the query, key and value
 * projections, `heads` heads of width d/heads over column blocks of the projected rows (the fused
 * op multiHeadAttention: masks applied inside, no mask tensor built), and the output projection.
 * Queries [B, T, d], keys/values [B, S, d] → [B, T, d].
 *
 * `project(memory)` computes the keys and values once (cross-attention over a fixed encoder
 * output; the decoder's cache appends to them step by step).
 *
 * Parameters (fairseq's names): `q_proj`, `k_proj`, `v_proj`, `out_proj` — `.weight` [d, d], `.bias` [d].
 */
export class MultiHeadAttention extends Module {
  readonly q_proj: Linear;
  readonly k_proj: Linear;
  readonly v_proj: Linear;
  readonly out_proj: Linear;

  constructor(readonly dim: number, readonly heads: number, rng: Rng) {
    super();
    if (!(Number.isInteger(heads) && heads >= 1 && dim % heads === 0)) throw new Error(`MultiHeadAttention: width ${dim} is not divisible by ${heads} heads`);
    this.q_proj = this.registerModule('q_proj', new Linear(dim, dim, rng, { init: 'xavier' }));
    this.k_proj = this.registerModule('k_proj', new Linear(dim, dim, rng, { init: 'xavier' }));
    this.v_proj = this.registerModule('v_proj', new Linear(dim, dim, rng, { init: 'xavier' }));
    this.out_proj = this.registerModule('out_proj', new Linear(dim, dim, rng, { init: 'xavier' }));
  }

  /** x [B, S, d] → its keys and values. */
  project(x: Tensor): ProjectedKeys {
    expectShape('MultiHeadAttention', x, [null, null, this.dim], 'keys/values input');
    return { k: this.k_proj.forward(x), v: this.v_proj.forward(x) };
  }

  /** The query projection of x [B, T, d]. */
  query(x: Tensor): Tensor {
    expectShape('MultiHeadAttention', x, [null, null, this.dim], 'query');
    return this.q_proj.forward(x);
  }

  /** Attention of projected queries q [B, T, d] over projected keys/values → the output projection [B, T, d] (and the weights when asked). */
  attend(q: Tensor, kv: ProjectedKeys, o: AttendOptions = {}): { out: Tensor; weights: Tensor | null } {
    const [B, T] = q.shape as [number, number, number];
    const r = multiHeadAttention({
      q, k: kv.k, v: kv.v, heads: this.heads, keyPadding: o.keyPadding ?? null, causal: o.causal === true,
      dropout: o.dropout ?? null, needWeights: o.needWeights === true,
    });
    return { out: reshape(this.out_proj.forward(r.out), [B, T, this.dim]), weights: r.weights };
  }

  /** Attention of x [B, T, d] over memory [B, S, d] (self-attention: memory = x). */
  forward(x: Tensor, memory: Tensor, o: AttendOptions = {}): { out: Tensor; weights: Tensor | null } {
    return this.attend(this.query(x), this.project(memory), o);
  }
}
