import type { CodecPair } from '../data/index.js';
import { beamSearch, greedy, sample, type Hypothesis, type Scorer } from '../decode/index.js';
import { Rng, tidy } from '../tensor/index.js';
import { makeSourceBatch, type IdBatch } from './batching.js';

export interface TranslateOptions {
  /** Beam size; 1 = greedy (default 5). */
  beam?: number;
  /** Hypotheses per sentence (≤ beam; default 1). */
  nBest?: number;
  /** GNMT length penalty α (default 0: raw log-probability). */
  lengthPenalty?: number;
  /** Output length limit a·|src| + b (defaults 2 and 10), optionally capped by maxLen. */
  maxLenA?: number;
  maxLenB?: number;
  maxLen?: number;
  /** Sentences decoded together (default 64 greedy, 16 with a beam). */
  batchSize?: number;
  /** Return attention rows with each hypothesis (default false: they cost output × source length). */
  attention?: boolean;
  /** Ancestral sampling instead of search (one hypothesis per sentence; beam and nBest are ignored). */
  sample?: boolean;
  /** Sampling: divides the log-probabilities (default 1). */
  temperature?: number;
  /** Sampling: only among the k most probable tokens (0 = all; default 0). */
  topK?: number;
  /**
   * Sampling: sentence i of a call draws from its own Rng(seed + i) (default seed 0), so the same
   * seed, input and options give the same output however the sentences are batched.
   */
  seed?: number;
  /** Sampling: one seed per sentence, overriding seed + i (a server decoding several requests in one call gives each its own). */
  sentenceSeeds?: readonly number[];
}

export interface TranslationHypothesis {
  text: string;
  /** Output tokens as the target vocabulary spells them. */
  tokens: string[];
  /** Log-probability (beam: divided by the length penalty). */
  score: number;
  /** One row per output token over the source tokens; [] unless asked for (TranslateOptions.attention). */
  attention: number[][];
}

export interface Translation {
  source: string;
  sourceTokens: string[];
  hypotheses: TranslationHypothesis[];
}

/**
 * What decoding needs of a model: the Scorer interface, and (for a Module) the train/eval switch,
 * since decoding runs in evaluation mode (no dropout). A Seq2Seq, any other model behind the
 * Scorer, and an EnsembleScorer of them all are.
 */
export type DecodingModel = Scorer & { readonly training?: boolean; train?(on?: boolean): unknown };

/**
 * Runs `fn` over the sources in length-sorted batches (less padding), each batch in its own
 * memory scope and the model in evaluation mode (no dropout; its mode is restored after); `fn`
 * returns one result per source of its batch (`idx`: their places in `sources`), and the results
 * come back in input order. Decoding and forced scoring (rescore.ts) both batch this way.
 */
export function mapInBatches<T>(model: DecodingModel, sources: readonly number[][], batchSize: number, fn: (batch: IdBatch, idx: number[]) => T[]): T[] {
  const order = sources.map((_, i) => i).sort((a, b) => sources[a]!.length - sources[b]!.length);
  const out: T[] = new Array(sources.length);
  const wasTraining = model.training;
  model.train?.(false);
  try {
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = order.slice(i, i + batchSize);
      const batch = makeSourceBatch(idx.map((k) => sources[k]!));
      const results = tidy(() => fn(batch, idx));
      idx.forEach((k, j) => (out[k] = results[j]!));
    }
  } finally {
    if (wasTraining !== undefined) model.train?.(wasTraining);
  }
  return out;
}

/**
 * Decodes source id sequences in length-sorted batches (mapInBatches), results in input order.
 * beam ≤ 1 runs greedy search.
 */
export function decodeIds(model: DecodingModel, sources: readonly number[][], opts: TranslateOptions = {}): Hypothesis[][] {
  const beam = Math.max(1, opts.beam ?? 5);
  const nBest = Math.min(beam, Math.max(1, opts.nBest ?? 1));
  const batchSize = Math.max(1, opts.batchSize ?? (beam > 1 && !opts.sample ? 16 : 64));
  const seedOf = (k: number): number => opts.sentenceSeeds?.[k] ?? (opts.seed ?? 0) + k;
  const lengths = { maxLenA: opts.maxLenA, maxLenB: opts.maxLenB, maxLen: opts.maxLen, attention: opts.attention === true };
  return mapInBatches(model, sources, batchSize, (batch, idx) => {
    if (opts.sample) {
      const rngs = idx.map((k) => new Rng(seedOf(k)));
      return sample(model, batch, { ...lengths, temperature: opts.temperature, topK: opts.topK, rngFor: (b) => rngs[b]! }).map((h) => [h]);
    }
    return beam === 1
      ? greedy(model, batch, lengths).map((h) => [h])
      : beamSearch(model, batch, { ...lengths, beam, nBest, lengthPenalty: opts.lengthPenalty ?? 0 });
  });
}

/** Greedy decodes for validation: ids in, ids out (the trainer's GreedyDecoder). */
export function greedyIds(model: DecodingModel, sources: number[][], maxLen: number): number[][] {
  return decodeIds(model, sources, { beam: 1, maxLen, maxLenA: 4, maxLenB: 10 }).map((h) => h[0]!.tokens);
}

/** Text in, text out, through a model (or an EnsembleScorer of models) and its codecs. */
export class Translator {
  constructor(readonly model: DecodingModel, readonly codecs: CodecPair) {}

  translate(lines: readonly string[], opts: TranslateOptions = {}): Translation[] {
    const srcTokens = lines.map((l) => this.codecs.src.tokenize(l));
    const ids = srcTokens.map((t) => this.codecs.src.vocab.encode(t));
    // A line with no source tokens translates to nothing: it is not decoded (a pad-only source would make up output).
    const nonEmpty = ids.map((_, i) => i).filter((i) => ids[i]!.length > 0);
    // Seeds follow the line's place in this call, not among the non-empty lines.
    const sentenceSeeds = opts.sample ? nonEmpty.map((i) => opts.sentenceSeeds?.[i] ?? (opts.seed ?? 0) + i) : undefined;
    const decoded = decodeIds(this.model, nonEmpty.map((i) => ids[i]!), { ...opts, sentenceSeeds });
    const hyps: Hypothesis[][] = ids.map(() => [{ tokens: [], score: 0, attention: [] }]);
    nonEmpty.forEach((i, k) => (hyps[i] = decoded[k]!));
    const tgt = this.codecs.tgt;
    // A right-to-left model's tokens and attention rows are shown in reading order, as its text is.
    const readingOrder = <T>(xs: T[]): T[] => (tgt.reverse ? [...xs].reverse() : xs);
    return lines.map((source, i) => ({
      source,
      sourceTokens: srcTokens[i]!,
      hypotheses: hyps[i]!.map((h) => ({
        text: tgt.decode(h.tokens),
        tokens: readingOrder(h.tokens.map((id) => tgt.vocab.token(id))),
        score: h.score,
        attention: readingOrder(h.attention),
      })),
    }));
  }

  /** The best translation of each line. */
  translateText(lines: readonly string[], opts: TranslateOptions = {}): string[] {
    return this.translate(lines, { ...opts, nBest: 1 }).map((t) => t.hypotheses[0]?.text ?? '');
  }
}
