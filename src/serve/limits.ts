/** What one request may ask of the server; each limit has an `s2s serve` flag (see src/cli/serve.ts). */
export interface ServeLimits {
  /** Request body size in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Texts in one request (400 beyond). */
  maxTexts: number;
  /** Characters (UTF-16 code units) in one text (400 beyond). */
  maxInputChars: number;
  /** Source tokens of one text after the model's tokenizer (400 beyond). */
  maxInputTokens: number;
  /** Output tokens per hypothesis: the cap on maxLenA·|source| + maxLenB. */
  maxOutputTokens: number;
  /** Largest beam a request may ask for. */
  maxBeam: number;
  /** Texts waiting to be decoded; a request that does not fit gets 429 with Retry-After. */
  maxQueue: number;
}

export const DEFAULT_LIMITS: ServeLimits = {
  maxBodyBytes: 1 << 20,
  maxTexts: 64,
  maxInputChars: 2000,
  maxInputTokens: 256,
  maxOutputTokens: 512,
  maxBeam: 16,
  maxQueue: 1024,
};

/** How requests are grouped into decoding calls. */
export interface BatchingOptions {
  /** Wait this long after the first queued request for others to join its batch (ms). */
  windowMs: number;
  /** Most texts decoded in one call (one request is never split, so a bigger one runs alone). */
  maxBatch: number;
  /** false: one request per decoding call, in arrival order (the baseline of `s2s bench serve`). */
  enabled: boolean;
}

export const DEFAULT_BATCHING: BatchingOptions = { windowMs: 5, maxBatch: 64, enabled: true };
