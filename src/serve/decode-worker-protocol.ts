import type { LoadRunOptions, TranslateOptions, Translation } from '../train/index.js';
import type { ModelSpec } from './registry.js';

/** What the decode worker is started with: the runs to load and the engine to load them into. */
export interface DecodeWorkerData {
  specs: ModelSpec[];
  weights: LoadRunOptions['weights'];
  /** undefined: wasm, falling back to js where wasm does not load. */
  backend: 'js' | 'wasm' | undefined;
  threads: number | undefined;
}

/** One decoding call: a group of texts for one model with one set of options. */
export interface ToWorker {
  id: number;
  model: string;
  lines: string[];
  opts: TranslateOptions & { attention?: boolean };
}

export type FromWorker =
  | { type: 'ready'; backend: 'js' | 'wasm' }
  /** Loading failed; `user`: a UserError (bad run folder …), said as it is. */
  | { type: 'failed'; message: string; user: boolean }
  | { type: 'done'; id: number; out: Translation[] }
  | { type: 'error'; id: number; message: string };
