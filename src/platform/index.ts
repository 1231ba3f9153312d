/**
 * The few host services the engine needs that differ between Node and browsers. Everything
 * Node-specific (worker_threads, fs, os) lives in ./node.ts, loaded by a dynamic import that only
 * runs in Node; the browser's (Web Workers, fetch, navigator.hardwareConcurrency) in ./browser.ts,
 * which touches no host API until called, so importing it is safe everywhere.
 */
import { browserPlatform, browserWorkerContext } from './browser.js';

/** A started worker: messages in both directions, and a way to stop it. */
export interface WorkerLike {
  onMessage(cb: (msg: unknown) => void): void;
  onError(cb: (err: unknown) => void): void;
  /** Sends a message (structured clone; `transfer` lists ArrayBuffers to move instead of copy). */
  post(msg: unknown, transfer?: ArrayBuffer[]): void;
  /** Lets the process exit while the worker is idle (no-op where meaningless). */
  unref(): void;
  terminate(): Promise<void>;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  /**
   * The bytes of the kernel module: dist/wasm/kernels.wasm (`plain`, the default) or
   * dist/wasm/kernels-relaxed.wasm (`relaxed`; see src/kernels/wasm/variant.ts).
   */
  loadWasmBytes(variant?: 'plain' | 'relaxed'): Promise<Uint8Array>;
  /**
   * Switches on relaxed SIMD where the engine has it behind a flag (Node 20); true when it did.
   * Absent or false where nothing can be done (a browser has it on or not).
   */
  enableRelaxedSimd?(): boolean;
  /** A setting of the host's environment (Node: process.env), undefined where there is none. */
  setting?(name: string): string | undefined;
  /** Starts the ES-module worker at `url`; it reads `data` with workerContext(). */
  createWorker(url: URL, data: unknown): WorkerLike;
  /** Number of logical CPUs the engine may use. */
  cpuCount(): number;
}

/** What a worker sees of its host: its start data and a channel to the thread that made it. */
export interface WorkerContext {
  data: unknown;
  post(msg: unknown, transfer?: ArrayBuffer[]): void;
  /** The messages that follow the start data (WorkerLike.post on the other side). */
  onMessage(cb: (msg: unknown) => void): void;
}

let cached: Promise<Platform> | null = null;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export function getPlatform(): Promise<Platform> {
  if (!cached) {
    cached = isNode() ? import('./node.js').then((m) => m.nodePlatform) : Promise.resolve(browserPlatform);
  }
  return cached;
}

/**
 * Called from inside a worker started by Platform.createWorker. Not async on purpose: in a
 * browser the message listener must be in place before the worker module yields (see
 * browserWorkerContext).
 */
export function workerContext(): Promise<WorkerContext> {
  if (!isNode()) return browserWorkerContext();
  return import('./node.js').then((m) => m.nodeWorkerContext());
}
