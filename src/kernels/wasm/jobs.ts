// Every kernel the thread pool runs, described once. The calling thread (WasmBackend.runJob) writes
// a job's arguments into the pool's argument block in the order named here and every thread —
// caller and workers alike — calls the job's export through callJob with the same block, so the
// two sides cannot disagree about a position. To add a pooled kernel: give its AssemblyScript
// `…Part` export (taking its arguments, then [scratch,] tid, nth) a row here, declare the export
// in wasm-api.ts, and call runJob from the backend method.
import type { KernelExports } from './wasm-api.js';
import { MAX_ARGS } from './pool.js';

type Export = { [K in keyof KernelExports]: KernelExports[K] extends (...a: number[]) => unknown ? K : never }[keyof KernelExports];

export interface Job<N extends readonly string[] = readonly string[]> {
  /** The id the pool posts (1-based; 0 means no job). */
  readonly id: number;
  /** The export every thread calls: fn(...args, [scratch,] tid, nth). */
  readonly fn: Export;
  /** Its arguments by name, in call order (booleans are passed as 0/1, pointers as byte offsets). */
  readonly args: N;
  /** Whether it takes the thread's gemm packing scratch (before tid). */
  readonly scratch: boolean;
  /** How the work splits across threads (the export computes its own share from tid and nth). */
  readonly split: string;
}

/** The arguments of job J as an object: one number per name. */
export type JobArgs<J extends Job> = { [K in J['args'][number]]: number };

function job<const N extends readonly string[]>(id: number, fn: Export, args: N, scratch: boolean, split: string): Job<N> {
  if (args.length > MAX_ARGS) throw new Error(`wasm job ${fn}: ${args.length} arguments exceed the pool's ${MAX_ARGS} slots`);
  return { id, fn, args, scratch, split };
}

const GEMM = ['tA', 'tB', 'M', 'N', 'K', 'alpha', 'A', 'lda', 'B', 'ldb', 'beta', 'C', 'ldc'] as const;

export const JOBS = {
  gemm: job(1, 'gemmPart', GEMM, true, 'column blocks of C (rows when N is narrow), each thread packing its own share'),
  gemmBatched: job(2, 'gemmBatchedPart',
    ['batch', 'tA', 'tB', 'M', 'N', 'K', 'alpha', 'A', 'strideA', 'lda', 'B', 'strideB', 'ldb', 'beta', 'C', 'strideC', 'ldc'] as const, true,
    'whole matrices of the batch per thread (a single matrix: as gemm)'),
  adam: job(3, 'adamStepPart', ['n', 'param', 'grad', 'm', 'v', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'decoupled', 'bc1', 'bc2'] as const, false,
    'contiguous element ranges (multiples of 16)'),
  copyStrided: job(4, 'copyStrided', ['rank', 'args', 'src', 'dst', 'acc'] as const, false, 'the outermost dimension'),
  lstmCell: job(5, 'lstmCellPart', ['B', 'H', 'gates', 'cPrev', 'h', 'c'] as const, false, 'batch rows'),
  lstmCellBackward: job(6, 'lstmCellBackwardPart', ['B', 'H', 'acts', 'cPrev', 'c', 'dh', 'dc', 'dGates', 'dcPrev', 'acc'] as const, false, 'batch rows'),
  softmaxCrossEntropy: job(7, 'softmaxCrossEntropyPart', ['rows', 'V', 'logits', 'targets', 'ignore', 'smoothing', 'lossRows', 'probs', 'partials'] as const, false,
    'rows; each thread writes its partial loss total to partials[tid] (f64)'),
  softmaxCrossEntropyBackward: job(8, 'softmaxCrossEntropyBackwardPart', ['rows', 'V', 'probs', 'targets', 'ignore', 'smoothing', 'scale', 'dlogits', 'acc'] as const, false, 'rows'),
  softmax: job(9, 'softmaxPart', ['rows', 'n', 'x', 'out'] as const, false, 'rows'),
  unary: job(10, 'unaryPart', ['op', 'n', 'x', 'out'] as const, false, 'contiguous element ranges'),
  binary: job(11, 'binaryPart', ['op', 'n', 'a', 'b', 'out'] as const, false, 'contiguous element ranges'),
  gemmPacked: job(12, 'gemmPackedPart', ['tA', 'tB', 'M', 'N', 'K', 'alpha', 'A', 'lda', 'B', 'ldb', 'packed', 'beta', 'C', 'ldc'] as const, true,
    'column blocks of C over the pre-packed op(B)'),
  gruCell: job(13, 'gruCellPart', ['B', 'H', 'xg', 'hg', 'hPrev', 'h', 'acts'] as const, false, 'batch rows'),
  gruCellBackward: job(14, 'gruCellBackwardPart', ['B', 'H', 'acts', 'hPrev', 'dh', 'dxg', 'dhg', 'dhPrev', 'acc'] as const, false, 'batch rows'),
  // ids from 20: the Transformer kernels (assembly/mha.ts, layernorm.ts, bias-act.ts)
  mhaForward: job(20, 'mhaForwardPart',
    ['B', 'T', 'S', 'H', 'dh', 'q', 'k', 'v', 'pad', 'causal', 'thr', 'key', 'keep', 'out', 'probs'] as const, true,
    '(batch, head) units; the gemm scratch holds two score rows'),
  mhaBackward: job(21, 'mhaBackwardPart',
    ['B', 'T', 'S', 'H', 'dh', 'q', 'k', 'v', 'pad', 'causal', 'thr', 'key', 'keep', 'probs', 'dOut', 'dq', 'dk', 'dv'] as const, true,
    '(batch, head) units (each owns its columns of dq, dk, dv); the gemm scratch holds four rows'),
  layerNorm: job(22, 'layerNormPart', ['rows', 'n', 'x', 'gamma', 'beta', 'eps', 'out', 'mean', 'rstd'] as const, false, 'rows'),
  layerNormBackward: job(23, 'layerNormBackwardPart', ['rows', 'n', 'x', 'gamma', 'mean', 'rstd', 'dy', 'dx', 'dg', 'db'] as const, false,
    'rows; dGamma/dBeta into per-thread partial rows dg/db + tid·n, summed by the caller in thread order'),
  biasAct: job(24, 'biasActPart', ['rows', 'n', 'x', 'bias', 'act', 'out'] as const, false, 'rows'),
  biasActBackward: job(25, 'biasActBackwardPart', ['rows', 'n', 'x', 'bias', 'act', 'dy', 'dx', 'acc', 'db'] as const, false,
    'rows; dBias into per-thread partial rows db + tid·n, summed by the caller in thread order'),
} as const;

/** The jobs by id (index 0 unused). */
export const JOB_BY_ID: readonly (Job | undefined)[] = (() => {
  const byId: (Job | undefined)[] = [];
  for (const j of Object.values(JOBS) as Job[]) {
    if (byId[j.id] !== undefined) throw new Error(`wasm jobs ${byId[j.id]!.fn} and ${j.fn} share id ${j.id}`);
    byId[j.id] = j;
  }
  return byId;
})();

/** Writes a job's named arguments into the argument block, in the table's order. */
export function writeJobArgs<J extends Job>(j: J, args: JobArgs<J>, block: Float64Array): void {
  const names = j.args as readonly (keyof JobArgs<J>)[];
  for (let i = 0; i < names.length; i++) block[i] = args[names[i]!] as number;
}

/** Runs thread tid's share of job j, reading its arguments from the block (caller and workers). */
export function callJob(E: KernelExports, j: Job, block: Float64Array, scratch: number, tid: number, nth: number): void {
  const n = j.args.length;
  const argv = new Array<number>(n + (j.scratch ? 3 : 2));
  for (let i = 0; i < n; i++) argv[i] = block[i]!;
  let k = n;
  if (j.scratch) argv[k++] = scratch;
  argv[k++] = tid;
  argv[k] = nth;
  (E[j.fn] as (...a: number[]) => unknown)(...argv);
}
