// The browser implementation of Platform: fetch for the wasm bytes, module Web Workers for the
// thread pool, navigator.hardwareConcurrency for the CPU count. Imports nothing from the host, so
// Node can load this file too (it only touches browser globals when a function is called).
import type { Platform, WorkerContext, WorkerLike } from './index.js';

/** The slice of the DOM / WebWorker API used here (the project compiles without lib.dom). */
interface MessageEventLike { data: unknown }
interface ErrorEventLike { message?: string; filename?: string; lineno?: number; error?: unknown }
interface WebWorker {
  postMessage(msg: unknown, transfer?: unknown[]): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', cb: (e: MessageEventLike & ErrorEventLike & { preventDefault?: () => void }) => void): void;
  terminate(): void;
}
interface WorkerScope {
  postMessage(msg: unknown, transfer?: unknown[]): void;
  addEventListener(type: 'message', cb: (e: MessageEventLike) => void): void;
}
interface ResponseLike { ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }
interface BrowserGlobals {
  Worker: new (url: string | URL, opts: { type: 'module'; name?: string }) => WebWorker;
  fetch(url: string | URL): Promise<ResponseLike>;
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
}
const g = globalThis as unknown as BrowserGlobals;

// dist/src/platform/browser.js → dist/wasm/kernels.wasm, kernels-relaxed.wasm (the same layout as platform/node.ts)
const WASM_URLS = {
  plain: new URL('../../wasm/kernels.wasm', import.meta.url),
  relaxed: new URL('../../wasm/kernels-relaxed.wasm', import.meta.url),
};

/**
 * True when this page or worker may share memory with other threads (the server sent COOP/COEP):
 * only then can the shared wasm memory and the pool's control block be posted to workers.
 */
export function canShareMemory(): boolean {
  return g.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
}

function describeError(e: ErrorEventLike): Error {
  if (e.error instanceof Error) return e.error;
  const where = e.filename ? ` (${e.filename}:${e.lineno ?? 0})` : '';
  return new Error(`worker failed: ${e.message ?? 'could not load the worker module'}${where}`);
}

export const browserPlatform: Platform = {
  name: 'browser',
  async loadWasmBytes(variant = 'plain'): Promise<Uint8Array> {
    const url = WASM_URLS[variant];
    const r = await g.fetch(url);
    if (!r.ok) throw new Error(`${url.href}: HTTP ${r.status} ${r.statusText}; is dist/wasm/ served next to dist/src/?`);
    return new Uint8Array(await r.arrayBuffer());
  },
  createWorker(url: URL, data: unknown): WorkerLike {
    const w = new g.Worker(url, { type: 'module' });
    // A Web Worker has no start data: it arrives as the first message (see browserWorkerContext).
    w.postMessage(data);
    return {
      onMessage(cb) { w.addEventListener('message', (e) => cb(e.data)); },
      onError(cb) {
        w.addEventListener('error', (e) => { e.preventDefault?.(); cb(describeError(e)); });
        w.addEventListener('messageerror', () => cb(new Error('worker: a message could not be deserialized')));
      },
      post(msg, transfer) { w.postMessage(msg, transfer ?? []); },
      unref() { /* a page does not wait for its workers */ },
      async terminate() { w.terminate(); },
    };
  },
  cpuCount(): number {
    // Without cross-origin isolation no memory can be shared, so one thread is all the engine can use.
    if (!canShareMemory()) return 1;
    return Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
  },
};

let context: Promise<WorkerContext> | null = null;

/**
 * Inside a worker made by browserPlatform.createWorker: resolves on the first message (the start
 * data). The listener is added synchronously, on the first call, so a worker module that calls
 * this while it evaluates misses no message; later messages are queued until onMessage is called.
 */
export function browserWorkerContext(): Promise<WorkerContext> {
  if (context) return context;
  const scope = globalThis as unknown as WorkerScope;
  context = new Promise<WorkerContext>((resolve) => {
    let started = false;
    const queued: unknown[] = [];
    const sinks: ((msg: unknown) => void)[] = [];
    scope.addEventListener('message', (e) => {
      if (!started) {
        started = true;
        resolve({
          data: e.data,
          post: (msg, transfer) => scope.postMessage(msg, transfer ?? []),
          onMessage(cb) {
            sinks.push(cb);
            for (const m of queued.splice(0)) cb(m);
          },
        });
        return;
      }
      if (sinks.length === 0) queued.push(e.data);
      else for (const cb of sinks) cb(e.data);
    });
  });
  return context;
}
