import { inference } from '../tensor/index.js';
import { advance, releaseState, scoreStep } from './memory.js';
import { BOS_ID, EOS_ID, maxSteps, type Hypothesis, type LengthOptions, type Scorer, type SourceBatch } from './scorer.js';

export interface BeamOptions extends LengthOptions {
  /** Beam size k (default 5). */
  beam?: number;
  /** GNMT length penalty α: scores are divided by ((5 + |y|)/6)^α; 0 (default) = raw log-probability. */
  lengthPenalty?: number;
  /** Hypotheses returned per sentence (default 1, at most beam). */
  nBest?: number;
  bos?: number;
  eos?: number;
  /** Return each hypothesis's attention rows (default false: they cost output length × source length). */
  attention?: boolean;
}

/**
 * A hypothesis's history as a back-pointer: its last token, that token's attention row (when
 * collected) and the node before it (null: the start). Extending a hypothesis adds one node and
 * copies nothing; branches the search drops become unreachable and are garbage-collected, so what
 * stays alive is the tree of the live and finished hypotheses only.
 */
interface Node {
  parent: Node | null;
  token: number;
  row: Float32Array | null;
}

/** A live hypothesis: the node of its last token, its score and its length. */
interface Beam {
  node: Node | null;
  /** Raw log-probability so far. */
  score: number;
  len: number;
}

interface Finished extends Beam {
  norm: number;
}

/** The tokens (and attention rows) of the hypothesis ending at `node`, of length `len`, in order. */
function trace(node: Node | null, len: number, withAttention: boolean): { tokens: number[]; attention: number[][] } {
  const tokens = new Array<number>(len);
  const attention: number[][] = withAttention ? new Array<number[]>(len) : [];
  for (let i = len - 1; i >= 0 && node !== null; i--, node = node.parent) {
    tokens[i] = node.token;
    if (withAttention) attention[i] = Array.from(node.row!);
  }
  return { tokens, attention };
}

/** GNMT length penalty lp(Y) = ((5 + |Y|) / 6)^α. */
export function lengthPenalty(len: number, alpha: number): number {
  return alpha === 0 ? 1 : Math.pow((5 + len) / 6, alpha);
}

/**
 * Batched beam search. Each unfinished sentence keeps k live hypotheses as k rows of the decoder
 * state; every step scores all k·V extensions, EOS extensions ranked within the top k become
 * finished hypotheses, and the best k others live on. A sentence is done when it has k finished
 * hypotheses, when no live one can still beat the nBest-th best finished one (α = 0 only: scores
 * only fall), or at its length limit a·|src| + b (live ones then count as finished, so only there
 * can a returned hypothesis lack its EOS). Done sentences
 * leave the batch. Returns per sentence up to nBest hypotheses, best first, with attention rows
 * only when `attention` is set. Histories are back-pointers (see Node): no step copies a history,
 * and memory holds only the live and finished hypotheses' trees.
 */
export function beamSearch<S extends object>(model: Scorer<S>, batch: SourceBatch, opts: BeamOptions = {}): Hypothesis[][] {
  const k = opts.beam ?? 5;
  const alpha = opts.lengthPenalty ?? 0;
  const nBest = Math.min(opts.nBest ?? 1, k);
  const bos = opts.bos ?? BOS_ID;
  const eos = opts.eos ?? EOS_ID;
  const withAttention = opts.attention === true;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`beamSearch: beam must be a positive integer, got ${k}`);
  if (!(nBest >= 1)) throw new Error(`beamSearch: nBest must be ≥ 1, got ${opts.nBest}`);
  const { B, S, src, srcLen } = batch;
  return inference(() => {
    const limit = srcLen.map((n) => maxSteps(Math.max(1, n), opts));
    let attended = false; // whether the scorer gave attention rows (all steps or none)
    const finished: Finished[][] = Array.from({ length: B }, () => []);
    const empty = (): Beam => ({ node: null, score: -Infinity, len: 0 });
    // live[b]: the beams of sentence b; one at the start, k (some maybe empty slots) after
    const live: Beam[][] = Array.from({ length: B }, () => [{ node: null, score: 0, len: 0 }]);
    let active = Array.from({ length: B }, (_, b) => b); // sentence of each group of `width` rows
    // The first step scores one row a sentence: k copies of the start state would all give the
    // same log-probabilities. Its k best extensions then become the k rows of every later step.
    let width = 1;
    let state = advance<S>(null, () => model.startState(model.encode(src, srcLen, B, S)));
    let prev = new Int32Array(B).fill(bos);
    const cand = candidates(2 * k);
    const finish = (b: number, beam: Beam, score: number): void => {
      finished[b]!.push({ ...beam, score, norm: score / lengthPenalty(beam.len + 1, alpha) });
    };
    for (let t = 0; active.length > 0; t++) {
      const r = scoreStep(model, state, prev);
      state = r.state;
      const V = r.V;
      const lp = r.logProbs;
      const att = withAttention ? r.attention : null;
      if (att) attended = true;
      const nextActive: number[] = [];
      const rows: number[] = [];
      const nextPrev: number[] = [];
      active.forEach((b, g) => {
        const beams = live[b]!;
        const len = Math.max(1, srcLen[b]!);
        // top 2k extensions over k·V, best first; ties keep the earlier (beam, token)
        const nCand = topCandidates(lp, g * width, width, V, beams, cand);
        const next: Beam[] = [];
        const parents: number[] = [];
        const tokens: number[] = [];
        for (let rank = 0; rank < nCand && next.length < k; rank++) {
          const j = cand.beam[rank]!;
          const v = cand.token[rank]!;
          const score = cand.score[rank]!;
          const parent = beams[j]!;
          const row = g * width + j;
          if (v === eos) {
            if (rank < k) finish(b, parent, score);
            continue;
          }
          const node: Node = { parent: parent.node, token: v, row: att ? att.slice(row * S, row * S + len) : null };
          next.push({ node, score, len: parent.len + 1 });
          parents.push(row);
          tokens.push(v);
        }
        while (next.length < k) {
          next.push(empty());
          parents.push(g * width);
          tokens.push(bos);
        }
        live[b] = next;
        const fin = finished[b]!;
        let done = fin.length >= k || t + 1 >= limit[b]! || next[0]!.score === -Infinity;
        // With α = 0 scores only fall, so once nBest hypotheses are finished, a live one that
        // cannot beat the nBest-th of them never will. (Stopping at the first finished one would
        // fill an n-best list with live hypotheses cut off before their EOS.)
        if (!done && alpha === 0 && fin.length >= nBest) done = next[0]!.score <= nthBestScore(fin, nBest);
        if (done) {
          // at the length limit (or with too few finished) the live hypotheses count too
          if (fin.length < nBest || t + 1 >= limit[b]!) {
            for (const beam of next) if (beam.score > -Infinity) fin.push({ ...beam, norm: beam.score / lengthPenalty(beam.len, alpha) });
          }
          return;
        }
        nextActive.push(b);
        for (let j = 0; j < k; j++) {
          rows.push(parents[j]!);
          nextPrev.push(tokens[j]!);
        }
      });
      active = nextActive;
      width = k;
      if (active.length === 0) break;
      const cur = state;
      const sel = Int32Array.from(rows);
      state = advance(cur, () => model.selectState(cur, sel));
      prev = Int32Array.from(nextPrev);
    }
    releaseState(state, null);
    return finished.map((fin) =>
      fin
        .slice()
        .sort((a, b) => b.norm - a.norm)
        .slice(0, nBest)
        .map((f) => ({ ...trace(f.node, f.len, attended), score: f.norm })));
  });
}

/** The n-th best raw score among the finished hypotheses (there are at least n). */
function nthBestScore(fin: readonly Finished[], n: number): number {
  if (n === 1) {
    let best = -Infinity;
    for (const f of fin) best = Math.max(best, f.score);
    return best;
  }
  return fin.map((f) => f.score).sort((a, b) => b - a)[n - 1]!;
}

/** The best extensions of one sentence's beams, best first, in parallel arrays (reused every step: no allocation per candidate). */
interface Candidates {
  beam: Int32Array;
  token: Int32Array;
  /** Raw log-probability of the extended hypothesis (a double: the beam's score + the token's log-probability). */
  score: Float64Array;
}

function candidates(n: number): Candidates {
  return { beam: new Int32Array(n), token: new Int32Array(n), score: new Float64Array(n) };
}

/**
 * Fills `top` with the n (its length) best (score + lp) over the k rows' beams × V tokens, best
 * first, and returns how many it holds; equal scores keep scan order.
 */
function topCandidates(lp: Float32Array, row0: number, k: number, V: number, beams: readonly Beam[], top: Candidates): number {
  const n = top.score.length;
  const { beam: tb, token: tv, score: ts } = top;
  let count = 0;
  for (let j = 0; j < k; j++) {
    const base = beams[j]!.score;
    if (base === -Infinity) continue;
    const off = (row0 + j) * V;
    for (let v = 0; v < V; v++) {
      const score = base + lp[off + v]!;
      if (count === n && score <= ts[n - 1]!) continue;
      let i = count < n ? count++ : n - 1;
      for (; i > 0 && ts[i - 1]! < score; i--) {
        ts[i] = ts[i - 1]!;
        tb[i] = tb[i - 1]!;
        tv[i] = tv[i - 1]!;
      }
      ts[i] = score;
      tb[i] = j;
      tv[i] = v;
    }
  }
  return count;
}
