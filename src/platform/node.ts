// The Node implementation of Platform (wasm bytes, worker threads, CPU count). Node built-ins are
// imported only in src/platform (this file, node-files.ts, node-atomic.ts, node-run-store.ts, …),
// src/cli and src/serve; test/layout.test.ts enforces it.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import type { Platform, WorkerContext, WorkerLike } from './index.js';

// dist/src/platform/node.js → dist/wasm/kernels.wasm, kernels-relaxed.wasm
const WASM_URLS = {
  plain: new URL('../../wasm/kernels.wasm', import.meta.url),
  relaxed: new URL('../../wasm/kernels-relaxed.wasm', import.meta.url),
};

export const nodePlatform: Platform = {
  name: 'node',
  async loadWasmBytes(variant = 'plain'): Promise<Uint8Array> {
    const b = await readFile(WASM_URLS[variant]);
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
  enableRelaxedSimd(): boolean {
    // Node 20 (V8 11.3) has relaxed SIMD complete but behind this flag; Node 22 ships it on. V8
    // reads its wasm feature flags when it validates or compiles a module, so setting the flag at
    // run time works for every module compiled afterwards, on any thread (the flags are
    // process-wide; the pool's workers get the compiled module, they compile nothing).
    const major = Number(process.versions.node.split('.')[0]);
    if (!(major >= 20 && major < 22)) return false;
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return true;
  },
  setting(name: string): string | undefined {
    return process.env[name];
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
