/**
 * The messages between a page (BrowserEngine, client.ts) and its engine worker (engine-worker.ts).
 * Translation results have the JSON shape of the server's POST /v1/translate (docs/browser.md),
 * so a page renders both paths with one piece of code. Plain data only: every message is a
 * structured clone. Self-contained on purpose — a page's code can import these types without
 * pulling the engine's modules into its build.
 */

/** Decoding settings: the fields and defaults of the server's /v1/translate body. */
export interface DecodeSettings {
  /** Beam size; 1 = greedy (default 5). */
  beam?: number;
  /** Hypotheses per sentence, 1..beam (default 1). */
  nBest?: number;
  /** GNMT length penalty α (default 0). */
  lengthPenalty?: number;
  /** Output length limit maxLenA·|source| + maxLenB (defaults 2 and 10). */
  maxLenA?: number;
  maxLenB?: number;
  /** Return each hypothesis's attention rows (default false). */
  attention?: boolean;
  /** Sample instead of search (default false); then temperature, topK and seed apply. */
  sample?: boolean;
  temperature?: number;
  topK?: number;
  seed?: number;
}

export interface HypothesisJson {
  text: string;
  score: number;
  tokens: string[];
  /** One row per output token over the source tokens (only when settings.attention). */
  attention?: number[][];
}

export interface TranslationJson {
  source: string;
  sourceTokens: string[];
  hypotheses: HypothesisJson[];
}

/** What the page shows about a model (the shape of one entry of GET /v1/models). */
export interface ModelInfo {
  name: string;
  /** config.json's `model` section (architecture and sizes). */
  config: Record<string, unknown>;
  vocab: { source: number; target: number };
  parameters: number;
  /** config.json's `training` section, and for a run trained here its validations. */
  training: Record<string, unknown>;
}

export interface EngineInfo {
  backend: 'js' | 'wasm';
  threads: number;
  /** Whether the worker may share memory (the page is cross-origin isolated): wasm threads need it. */
  crossOriginIsolated: boolean;
}

/** What the engine worker is started with. */
export interface EngineInit {
  /** 'wasm' (default where it loads) or 'js'. */
  backend?: 'js' | 'wasm';
  /** wasm threads, the engine worker's own included (default: all CPUs when isolated, else 1). */
  threads?: number;
}

/** Training data: the built-in dates task, or TSV text (e.g. a file dropped on the page). */
export type TrainTask =
  | { kind: 'dates'; trainSize?: number; validSize?: number; seed?: number }
  | { kind: 'tsv'; text: string; label?: string; validFraction?: number };

export interface TrainRequest {
  /** The name the trained model is kept under (then translate / export it by this name). */
  name: string;
  task: TrainTask;
  /** Seconds of training (default 20). */
  seconds?: number;
  /** Tokenizer for both sides (default 'char'). */
  tokenizer?: 'char' | 'word' | 'space' | 'bpe';
  /** Architecture fields (Seq2SeqConfig); default a small bidirectional LSTM with attention. */
  model?: Record<string, unknown>;
  /** Training options (TrainOptions fields: lr, batchSize, validEvery, seed …). */
  options?: Record<string, unknown>;
}

/** Sent while training, at most every ~100 ms, and once per validation. */
export interface TrainProgress {
  step: number;
  epoch: number;
  /** Seconds since training started, and the fraction of the time budget used. */
  elapsed: number;
  fraction: number;
  /** Mean training loss per token since the last progress event. */
  loss: number;
  tokensPerSecond: number;
  stepsPerSecond: number;
  /** Present on a validation event. */
  valid?: { loss: number; ppl: number; exact?: number; best: boolean };
}

export interface TrainSummary {
  reason: string;
  steps: number;
  epochs: number;
  seconds: number;
  stepsPerSecond: number;
  bestScore: number | null;
  bestStep: number;
  trainPairs: number;
  validPairs: number;
  model: ModelInfo;
}

/** A run as files: what `s2s translate --model DIR` loads. */
export interface RunFiles {
  /** config.json */
  config: string;
  /** model.safetensors */
  weights: Uint8Array;
}

export type Request =
  | { op: 'info' }
  | { op: 'load'; name: string; config: string; weights: Uint8Array; labels?: { config?: string; weights?: string } }
  | { op: 'loadUrl'; name: string; config: string; weights: string }
  | { op: 'translate'; name: string; texts: string[]; settings: DecodeSettings }
  | { op: 'train'; request: TrainRequest }
  | { op: 'stop' }
  | { op: 'export'; name: string }
  | { op: 'unload'; name: string };

/** page → worker */
export interface RequestMessage {
  id: number;
  req: Request;
}

/** worker → page: the answer to request `id`, or an event of a running request. */
export type ResponseMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } }
  | { id: number; event: 'progress'; data: TrainProgress }
  | { id: 0; event: 'ready'; data: EngineInfo }
  | { id: 0; event: 'failed'; data: { name: string; message: string } };
