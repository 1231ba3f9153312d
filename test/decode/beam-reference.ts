/**
 * The beam search as it was before back-pointers (each hypothesis copying its whole token and
 * attention history every step), kept to check that the new one returns the same hypotheses.
 */
import { noGrad } from '../../src/tensor/index.js';
import { advance, releaseState, scoreStep } from '../../src/decode/memory.js';
import { BOS_ID, EOS_ID, maxSteps, type Hypothesis, type LengthOptions, type Scorer, type SourceBatch } from '../../src/decode/scorer.js';

export interface BeamOptions extends LengthOptions {
  /** Beam size k (default 5). */
  beam?: number;
  /** GNMT length penalty α: scores are divided by ((5 + |y|)/6)^α; 0 (default) = raw log-probability. */
  lengthPenalty?: number;
  /** Hypotheses returned per sentence (default 1, at most beam). */
  nBest?: number;
  bos?: number;
  eos?: number;
}

interface Beam {
  tokens: number[];
  /** Raw log-probability so far. */
  score: number;
  attention: number[][];
}

interface Finished extends Beam {
  norm: number;
}

/** GNMT length penalty lp(Y) = ((5 + |Y|) / 6)^α. */
function lengthPenalty(len: number, alpha: number): number {
  return alpha === 0 ? 1 : Math.pow((5 + len) / 6, alpha);
}

/**
 * Batched beam search. Each unfinished sentence keeps k live hypotheses as k rows of the decoder
 * state; every step scores all k·V extensions, EOS extensions ranked within the top k become
 * finished hypotheses, and the best k others live on. A sentence is done when it has k finished
 * hypotheses, when no live one can still beat the nBest-th finished one (α = 0 only: scores only
 * fall), or at its length limit a·|src| + b (live ones then count as finished). Done sentences
 * leave the batch. Returns per sentence up to nBest hypotheses, best first.
 */
export function referenceBeamSearch<S extends object>(model: Scorer<S>, batch: SourceBatch, opts: BeamOptions = {}): Hypothesis[][] {
  const k = opts.beam ?? 5;
  const alpha = opts.lengthPenalty ?? 0;
  const nBest = Math.min(opts.nBest ?? 1, k);
  const bos = opts.bos ?? BOS_ID;
  const eos = opts.eos ?? EOS_ID;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`beamSearch: beam must be a positive integer, got ${k}`);
  if (!(nBest >= 1)) throw new Error(`beamSearch: nBest must be ≥ 1, got ${opts.nBest}`);
  const { B, S, src, srcLen } = batch;
  return noGrad(() => {
    const limit = srcLen.map((n) => maxSteps(Math.max(1, n), opts));
    const finished: Finished[][] = Array.from({ length: B }, () => []);
    // live[b]: k beams of sentence b (the first starts at score 0, the others are empty slots)
    const live: Beam[][] = Array.from({ length: B }, () =>
      Array.from({ length: k }, (_, j) => ({ tokens: [], score: j === 0 ? 0 : -Infinity, attention: [] })));
    let active = Array.from({ length: B }, (_, b) => b); // sentence of each group of k rows
    let state = advance<S>(null, () => model.startState(model.encode(src, srcLen, B, S)));
    {
      const cur = state;
      const rows = Int32Array.from({ length: B * k }, (_, i) => Math.floor(i / k));
      state = advance(cur, () => model.selectState(cur, rows));
    }
    let prev = new Int32Array(B * k).fill(bos);
    const finish = (b: number, beam: Beam, score: number): void => {
      finished[b]!.push({ ...beam, score, norm: score / lengthPenalty(beam.tokens.length + 1, alpha) });
    };
    for (let t = 0; active.length > 0; t++) {
      const r = scoreStep(model, state, prev);
      state = r.state;
      const V = r.V;
      const lp = r.logProbs;
      const nextActive: number[] = [];
      const rows: number[] = [];
      const nextPrev: number[] = [];
      active.forEach((b, g) => {
        const beams = live[b]!;
        const len = Math.max(1, srcLen[b]!);
        // top 2k extensions over k·V, best first; ties keep the earlier (beam, token)
        const cand = topCandidates(lp, g * k, k, V, beams, 2 * k);
        const next: Beam[] = [];
        const parents: number[] = [];
        for (let rank = 0; rank < cand.length && next.length < k; rank++) {
          const { j, v, score } = cand[rank]!;
          const parent = beams[j]!;
          const row = g * k + j;
          if (v === eos) {
            if (rank < k) finish(b, parent, score);
            continue;
          }
          const attention = r.attention ? [...parent.attention, Array.from(r.attention.subarray(row * S, row * S + len))] : parent.attention;
          next.push({ tokens: [...parent.tokens, v], score, attention });
          parents.push(row);
        }
        while (next.length < k) {
          next.push({ tokens: [], score: -Infinity, attention: [] });
          parents.push(g * k);
        }
        live[b] = next;
        const fin = finished[b]!;
        let done = fin.length >= k || t + 1 >= limit[b]! || next[0]!.score === -Infinity;
        // the stopping rule as fixed on 2026-12-07 in both searches: wait for nBest finished ones
        if (!done && alpha === 0 && fin.length >= nBest) {
          const nth = fin.map((f) => f.score).sort((x, y) => y - x)[nBest - 1]!;
          done = next[0]!.score <= nth;
        }
        if (done) {
          // at the length limit (or with too few finished) the live hypotheses count too
          if (fin.length < nBest || t + 1 >= limit[b]!) {
            for (const beam of next) if (beam.score > -Infinity) fin.push({ ...beam, norm: beam.score / lengthPenalty(beam.tokens.length, alpha) });
          }
          return;
        }
        nextActive.push(b);
        for (let j = 0; j < k; j++) {
          rows.push(parents[j]!);
          const tk = next[j]!.tokens;
          nextPrev.push(tk.length > 0 ? tk[tk.length - 1]! : bos);
        }
      });
      active = nextActive;
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
        .map((f) => ({ tokens: f.tokens, score: f.norm, attention: f.attention })));
  });
}

interface Candidate {
  j: number;
  v: number;
  score: number;
}

/** The n best (score + lp) over k beams × V tokens, best first; equal scores keep scan order. */
function topCandidates(lp: Float32Array, row0: number, k: number, V: number, beams: readonly Beam[], n: number): Candidate[] {
  const top: Candidate[] = [];
  for (let j = 0; j < k; j++) {
    const base = beams[j]!.score;
    if (base === -Infinity) continue;
    const off = (row0 + j) * V;
    for (let v = 0; v < V; v++) {
      const score = base + lp[off + v]!;
      if (top.length === n && score <= top[n - 1]!.score) continue;
      let i = top.length < n ? top.length : n - 1;
      if (top.length < n) top.push({ j, v, score });
      else top[i] = { j, v, score };
      while (i > 0 && top[i - 1]!.score < score) {
        top[i] = top[i - 1]!;
        top[i - 1] = { j, v, score };
        i--;
      }
    }
  }
  return top;
}
