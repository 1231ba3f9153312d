// The Node implementation of Platform (wasm bytes, worker threads, CPU count). Node built-ins are
// imported only in src/platform (this file, node-files.ts, node-atomic.ts, node-run-store.ts, …),
// src/cli and src/serve; test/layout.test.ts enforces it.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import type { Platform, WorkerContext, WorkerLike } from './index.js';

// dist/src/platform/node.js → dist/wasm/kernels.wasm
const WASM_URL = new URL('../../wasm/kernels.wasm', import.meta.url);

export const nodePlatform: Platform = {
  name: 'node',
  async loadWasmBytes(): Promise<Uint8Array> {
    const b = await readFile(WASM_URL);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  createWorker(url: URL, data: unknown): WorkerLike {
    // workers inherit execArgv; --input-type (node -e scripts) is refused for file workers
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const w = new Worker(url, { workerData: data, execArgv });
    return {
      onMessage(cb) { w.on('message', cb); },
      onError(cb) { w.on('error', cb); },
      post(msg, transfer) { w.postMessage(msg, transfer); },
      unref() { w.unref(); },
      async terminate() { await w.terminate(); },
    };
  },
  cpuCount(): number {
    return availableParallelism();
  },
};

export function nodeWorkerContext(): WorkerContext {
  const port = parentPort;
  if (!port) throw new Error('s2s: workerContext() called outside a worker');
  return {
    data: workerData as unknown,
    post: (msg, transfer) => port.postMessage(msg, transfer),
    onMessage: (cb) => { port.on('message', cb); },
  };
}
