/**
 * Batching for training: length bucketing under a token budget, with a seeded shuffle.
 *
 * An epoch's order is a pure function of (seed, epoch): the examples are shuffled, cut into pools of
 * ~POOL_BATCHES batches, each pool is sorted by length (so a batch holds sentences of similar length
 * and little padding) and cut into batches, and the batches are shuffled again. So `--resume` only
 * needs the epoch number and the index of the next batch to continue exactly.
 */

import { PAD_ID as PAD, UNK_ID as UNK, BOS_ID as BOS, EOS_ID as EOS } from '../util/special-ids.js';
import { mulberry32 } from '../util/mulberry32.js';
import type { Seq2SeqBatch } from '../models/index.js';
/** Token ids of the special symbols (the same in every Vocab). */
export { PAD, UNK, BOS, EOS };

/** One training example as ids, without BOS/EOS. */
export interface Example {
  src: number[];
  tgt: number[];
}

/** The model's batch layout: B × S source ids, B × T BOS + target, B × T target + EOS, padded with 0. */
export type IdBatch = Seq2SeqBatch;

export interface BatchingOptions {
  /**
   * Most padded tokens in a batch: B × max(S, T) where T = target length + 1 (EOS). A single
   * example longer than the budget gets a batch of its own.
   */
  batchTokens?: number;
  /** Most sentences in a batch. At least one of the two limits must be given. */
  batchSize?: number;
  /** Shuffle (training) or keep file order sorted by length (validation, translation). */
  shuffle: boolean;
}

const POOL_BATCHES = 50;


function shuffleInPlace<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** The padded cost of an example: what it adds to B × max(S, T). */
export function exampleCost(e: Example): number {
  return Math.max(e.src.length, e.tgt.length + 1, 1);
}

/**
 * Groups example indices into batches for one epoch. Every index appears in exactly one batch; with
 * `shuffle` the grouping and order depend only on (seed, epoch).
 */
export function planEpoch(examples: readonly Example[], options: BatchingOptions, seed: number, epoch: number): number[][] {
  const { batchTokens, batchSize, shuffle } = options;
  if (!batchTokens && !batchSize) throw new Error('planEpoch: give batchTokens or batchSize');
  const order = examples.map((_, i) => i);
  const rand = mulberry32((seed * 1000003 + epoch * 7919 + 17) >>> 0);
  if (shuffle) shuffleInPlace(order, rand);
  const cost = examples.map(exampleCost);
  const meanCost = cost.reduce((a, b) => a + b, 0) / Math.max(1, cost.length);
  const perBatch = Math.max(1, Math.min(batchSize ?? Infinity, batchTokens ? Math.floor(batchTokens / Math.max(1, meanCost)) : Infinity));
  const poolSize = shuffle ? Math.max(1, perBatch * POOL_BATCHES) : order.length;
  const batches: number[][] = [];
  for (let p = 0; p < order.length; p += poolSize) {
    const pool = order.slice(p, p + poolSize);
    // Stable sort by (target length, source length), ties in shuffled (or file) order.
    pool.sort((a, b) => examples[a]!.tgt.length - examples[b]!.tgt.length || examples[a]!.src.length - examples[b]!.src.length || 0);
    let cur: number[] = [];
    let curMax = 0;
    for (const i of pool) {
      const c = cost[i]!;
      const newMax = Math.max(curMax, c);
      const overTokens = batchTokens !== undefined && batchTokens > 0 && newMax * (cur.length + 1) > batchTokens;
      const overSize = batchSize !== undefined && batchSize > 0 && cur.length + 1 > batchSize;
      if (cur.length > 0 && (overTokens || overSize)) {
        batches.push(cur);
        cur = [];
        curMax = 0;
      }
      cur.push(i);
      curMax = Math.max(curMax, c);
    }
    if (cur.length > 0) batches.push(cur);
  }
  if (shuffle) shuffleInPlace(batches, rand);
  return batches;
}

/** Builds the padded id arrays of a batch (teacher forcing: tgtIn = BOS + y, tgtOut = y + EOS). */
export function makeBatch(examples: readonly Example[], indices: readonly number[]): IdBatch {
  const B = indices.length;
  let S = 1;
  let T = 1;
  for (const i of indices) {
    const e = examples[i]!;
    S = Math.max(S, e.src.length);
    T = Math.max(T, e.tgt.length + 1);
  }
  const src = new Int32Array(B * S);
  const tgtIn = new Int32Array(B * T);
  const tgtOut = new Int32Array(B * T);
  const srcLen: number[] = [];
  indices.forEach((idx, b) => {
    const e = examples[idx]!;
    src.set(e.src, b * S);
    // An empty source still has length 1 (one pad position) so attention has something to look at.
    srcLen.push(Math.max(1, e.src.length));
    tgtIn[b * T] = BOS;
    tgtIn.set(e.tgt, b * T + 1);
    tgtOut.set(e.tgt, b * T);
    tgtOut[b * T + e.tgt.length] = EOS;
  });
  return { B, S, T, src, srcLen, tgtIn, tgtOut };
}

/** A batch of sources only (for decoding): the target arrays hold one BOS / EOS column. */
export function makeSourceBatch(sources: readonly number[][]): IdBatch {
  return makeBatch(sources.map((src) => ({ src, tgt: [] })), sources.map((_, i) => i));
}

/** The number of target tokens (with EOS) in a batch: what the loss averages over. */
export function targetTokens(batch: IdBatch): number {
  let n = 0;
  for (let i = 0; i < batch.tgtOut.length; i++) if (batch.tgtOut[i] !== PAD) n++;
  return n;
}
