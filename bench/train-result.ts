/** One engine's numbers in `s2s bench train` (s2s and both PyTorch peers print this shape as JSON). */
export interface TrainBenchResult {
  engine: string;
  backend?: string;
  /** The wasm kernel build (relaxed: FMA; plain: SIMD only), where the backend says. */
  simd?: string;
  /** PyTorch: its version; impl: which of the peer's implementations trained. */
  version?: string;
  impl?: string;
  threads: number;
  /** PyTorch: OPENBLAS_NUM_THREADS of this run. */
  blas_threads?: number;
  batch: number;
  src_len: number;
  tgt_len: number;
  vocab: number;
  emb: number;
  hidden: number;
  layers: number;
  /** The Transformer: decoder layers, heads, feed-forward width, dropout. */
  dec_layers?: number;
  heads?: number;
  ffn?: number;
  dropout?: number;
  arch: string;
  attention: string;
  params: number;
  steps: number;
  ms_per_step: number;
  /** CPU time (all threads) per step, median: on a shared machine it counts no time spent waiting for a core. */
  cpu_ms_per_step: number;
  tgt_tok_per_s: number;
  first_loss: number;
  greedy_sent_per_s: number;
  beam_sent_per_s: number;
  beam: number;
  /** The peer's best over its thread settings: which setting gave each figure. */
  best_setting?: { train: string; greedy: string; beam: string };
  /** --profile: backend kernels by time (outermost calls), per training step and per beam-search batch. */
  profile?: { train: ProfileSummary; beam?: ProfileSummary };
}

/** The top kernels by wall time per repetition (ms and calls), and the time outside the backend. */
export interface ProfileSummary {
  top: { kernel: string; ms: number; calls: number }[];
  outside_kernels_ms: number;
}
