/**
 * The few host services the engine needs that differ between Node and browsers. Everything
 * Node-specific (worker_threads, fs, os) lives in ./node.ts; a browser build adds a sibling file
 * (Web Workers, fetch, navigator.hardwareConcurrency) and a branch in getPlatform.
 */

/** A started worker: messages in both directions, and a way to stop it. */
export interface WorkerLike {
  onMessage(cb: (msg: unknown) => void): void;
  onError(cb: (err: unknown) => void): void;
  /** Lets the process exit while the worker is idle (no-op where meaningless). */
  unref(): void;
  terminate(): Promise<void>;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  /** The bytes of dist/wasm/kernels.wasm. */
  loadWasmBytes(): Promise<Uint8Array>;
  /** Starts the ES-module worker at `url`; it reads `data` with workerContext(). */
  createWorker(url: URL, data: unknown): WorkerLike;
  /** Number of logical CPUs the engine may use. */
  cpuCount(): number;
}

/** What a worker sees of its host: its start data and a channel to the thread that made it. */
export interface WorkerContext {
  data: unknown;
  post(msg: unknown): void;
}

let cached: Promise<Platform> | null = null;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export function getPlatform(): Promise<Platform> {
  if (!cached) {
    if (!isNode()) return Promise.reject(new Error('s2s: no platform module for this host yet (Node only)'));
    cached = import('./node.js').then((m) => m.nodePlatform);
  }
  return cached;
}

/** Called from inside a worker started by Platform.createWorker. */
export async function workerContext(): Promise<WorkerContext> {
  if (!isNode()) throw new Error('s2s: no platform module for this host yet (Node only)');
  const m = await import('./node.js');
  return m.nodeWorkerContext();
}
