import type { TextPair } from '../data/index.js';

/**
 * A recipe: one real task end to end — build the data, train, decode the test set, score — in
 * one call. The runner (`s2s recipe NAME`, src/cli/recipe.ts) gives it a context and prints its
 * report as JSON and as a row of the README's results table.
 */
export interface Recipe {
  name: string;
  /** One line for `s2s recipe --help`. */
  summary: string;
  run(ctx: RecipeContext): Promise<RecipeReport>;
  /** What --ensemble does, for recipes that have such a plan (the runner refuses the flag for the others). */
  ensemble?: string;
}

/** What the PyTorch peer printed (its last JSON line), plus how long it ran. */
export type PeerOutput = Record<string, unknown>;

export interface RecipeContext {
  /** The recipe's output folder (the runner has checked that it is ours to write). */
  out: string;
  /** Small data and a short training: the pipeline end to end in about a minute (tests use it). */
  quick: boolean;
  /** Training time in minutes (undefined: the recipe's own default for the mode). */
  minutes?: number;
  /** Threads of the wasm backend (the runner has set the backend up already). */
  threads: number;
  seed: number;
  /** The recipe's input, for recipes that read a corpus (--input; each recipe has its default). */
  input?: string;
  /** Start the PyTorch peer with these arguments (the runner runs `python3 bench/peers/<script> ARGS`), or undefined when --peer was not given. */
  startPeer?: (script: string, args: string[]) => Promise<PeerOutput>;
  /** The peer's training minutes (--peer-minutes; undefined: the same as s2s's). */
  peerMinutes?: number;
  /**
   * Spend the minutes on an ensemble trained in two one-thread lanes (--ensemble; only recipes
   * with an `ensemble` plan). The runner has set this thread's engine to one thread.
   */
  ensemble?: boolean;
  /** Progress lines (stderr). */
  say: (message: string) => void;
}

/** One set of scores, e.g. {"WER": 24.1, "PER": 5.8} for a decoding. */
export type Scores = Record<string, number>;

export interface RecipeReport {
  recipe: string;
  quick: boolean;
  /** Sentence (or word) counts of each split. */
  data: { train: number; valid: number; test: number; note?: string };
  /** The model in words, e.g. "biLSTM 512 + general attention, emb 128, 1.6M params". */
  model: string;
  params: number;
  threads: number;
  train: { seconds: number; steps: number; epochs: number; tokPerS: number };
  /** Scores by decoding, e.g. {greedy: {...}, beam5: {...}}. */
  scores: Record<string, Scores>;
  /** The peer's scores by decoding and its training facts, when it ran. */
  peer?: { scores: Record<string, Scores>; train: { seconds: number; steps: number; epochs: number; tokPerS: number }; settings: string };
  /** Published results for orientation (their splits, not ours). */
  anchors: string[];
  /** The command that reproduces this report. */
  command: string;
  /** Anything else the recipe measured (decode time, settings). */
  extra?: Record<string, unknown>;
}

/** Convenience for recipes that build text splits. */
export interface TextSplits {
  train: TextPair[];
  valid: TextPair[];
  test: { src: string; refs: string[] }[];
}
