import { Worker } from 'node:worker_threads';
import type { LoadRunOptions, Translation } from '../train/index.js';
import { UserError } from '../util/errors.js';
import type { DecodeFn } from './batcher.js';
import type { DecodeWorkerData, FromWorker, ToWorker } from './decode-worker-protocol.js';
import type { ModelSpec } from './registry.js';

interface Pending {
  resolve(out: Translation[]): void;
  reject(e: Error): void;
}

/**
 * The served models in a worker thread: decoding calls go there and their results come back, so
 * the HTTP thread stays free while a batch decodes — it parses and queues the next requests (the
 * next batch is ready when this one ends) and answers /v1/health, /v1/ready and /metrics at once.
 * Its wasm engine (and its --threads) lives in the worker; the HTTP thread holds no weights.
 */
export class DecodeWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private exited: Error | null = null;
  private closing = false;

  private constructor(private readonly worker: Worker, readonly backend: 'js' | 'wasm', onExit: (e: Error) => void) {
    worker.on('message', (m: FromWorker) => {
      if (m.type !== 'done' && m.type !== 'error') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.out);
      else p.reject(new Error(m.message));
    });
    const died = (e: Error): void => {
      if (this.exited) return;
      this.exited = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      if (!this.closing) onExit(e);
    };
    worker.on('error', (e) => died(e));
    worker.on('exit', (code) => died(new Error(`the decode worker exited (code ${code})`)));
  }

  /**
   * Starts the worker and resolves once it has loaded every run (rejects as loading did: a
   * UserError for a bad run folder). `onExit` hears of a worker that dies later (a crash, out of
   * memory): the calls in flight fail, and so does every later one.
   */
  static start(specs: readonly ModelSpec[], opts: { weights?: LoadRunOptions['weights']; backend?: 'js' | 'wasm'; threads?: number }, onExit: (e: Error) => void): Promise<DecodeWorker> {
    const data: DecodeWorkerData = { specs: [...specs], weights: opts.weights, backend: opts.backend, threads: opts.threads };
    const worker = new Worker(new URL('./decode-worker.js', import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const early = (e: Error): void => reject(e);
      const earlyExit = (code: number): void => reject(new Error(`the decode worker exited (code ${code}) while loading the models`));
      worker.once('error', early);
      worker.once('exit', earlyExit);
      worker.once('message', (m: FromWorker) => {
        worker.off('error', early);
        worker.off('exit', earlyExit);
        if (m.type === 'ready') resolve(new DecodeWorker(worker, m.backend, onExit));
        else {
          void worker.terminate();
          reject(m.type === 'failed' && m.user ? new UserError(m.message) : new Error(m.type === 'failed' ? m.message : `decode worker: unexpected first message ${m.type}`));
        }
      });
    });
  }

  /** The batcher's decoding call, answered by the worker. */
  readonly decode = (...[model, lines, opts]: Parameters<DecodeFn>): Promise<Translation[]> => {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<Translation[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, model: model.name, lines, opts } satisfies ToWorker);
    });
  };

  /** Stops the worker (after the server has drained: nothing is in flight). */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
