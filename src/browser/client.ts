/**
 * BrowserEngine: a web app's handle on an engine worker (engine-worker.ts). Every method posts one
 * message and returns a promise of the answer; the engine itself (wasm threads, models, training)
 * never runs on the page's main thread. Works the same in Node (worker_threads), which the tests use.
 */
import { getPlatform, type Platform, type WorkerLike } from '../platform/index.js';
import type {
  DecodeSettings, EngineInfo, EngineInit, ModelInfo, Request, RequestMessage, ResponseMessage, RunFiles, TrainProgress,
  TrainRequest, TrainSummary, TranslationJson,
} from './protocol.js';

/** A file the user picked (File, Blob) or anything else that can hand over its bytes. */
export interface BlobLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly name?: string;
}

export interface StartOptions extends EngineInit {
  /** The engine worker module (default: engine-worker.js beside this file). */
  workerUrl?: URL;
  /** Host services (default: the host's own, getPlatform()). */
  platform?: Platform;
}

/** An Error from the engine worker, with the worker's error name (UserError for bad input). */
export class EngineError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: TrainProgress) => void;
}

/** `url` as an absolute URL string: relative ones resolve against the page's address. */
function absolute(url: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  return (base ? new URL(String(url), base) : new URL(String(url))).href;
}

export class BrowserEngine {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(private readonly worker: WorkerLike, readonly info: EngineInfo) {
    worker.onMessage((m) => this.receive(m as ResponseMessage));
    worker.onError((e) => this.fail(e instanceof Error ? e : new Error(String(e))));
  }

  /** Starts an engine worker and waits until its backend is up. */
  static async start(opts: StartOptions = {}): Promise<BrowserEngine> {
    const platform = opts.platform ?? await getPlatform();
    const url = opts.workerUrl ?? new URL('./engine-worker.js', import.meta.url);
    const init: EngineInit = { backend: opts.backend, threads: opts.threads };
    const worker = platform.createWorker(url, init);
    const info = await new Promise<EngineInfo>((resolve, reject) => {
      worker.onMessage((m) => {
        const r = m as ResponseMessage;
        if (r.id !== 0 || !('event' in r)) return;
        if (r.event === 'ready') resolve(r.data);
        else if (r.event === 'failed') reject(new EngineError(r.data.name, r.data.message));
      });
      worker.onError(reject);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    return new BrowserEngine(worker, info);
  }

  private receive(r: ResponseMessage): void {
    if (r.id === 0) return;
    const p = this.pending.get(r.id);
    if (!p) return;
    if ('event' in r) {
      if (r.event === 'progress') p.onProgress?.(r.data);
      return;
    }
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.result);
    else p.reject(new EngineError(r.error.name, r.error.message));
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private call<T>(req: Request, transfer?: ArrayBuffer[], onProgress?: (p: TrainProgress) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      const msg: RequestMessage = { id, req };
      this.worker.post(msg, transfer);
    });
  }

  /** Loads a run from config.json's text and the weights' bytes (the bytes move to the worker). */
  loadFromBytes(name: string, configText: string, weights: Uint8Array, labels?: { config?: string; weights?: string }): Promise<ModelInfo> {
    const own = weights.byteOffset === 0 && weights.byteLength === weights.buffer.byteLength ? weights : weights.slice();
    return this.call({ op: 'load', name, config: configText, weights: own, labels }, [own.buffer as ArrayBuffer]);
  }

  /**
   * Loads a run from URLs: `base` is a folder URL holding config.json and model.safetensors (e.g.
   * `/v1/models/NAME/` of s2s serve), or give both URLs. The worker fetches them itself.
   */
  loadFromUrl(name: string, base: string | URL | { config: string | URL; weights: string | URL }): Promise<ModelInfo> {
    let config: string, weights: string;
    if (typeof base === 'object' && !(base instanceof URL)) {
      config = absolute(base.config);
      weights = absolute(base.weights);
    } else {
      const dir = absolute(base).replace(/\/?$/, '/');
      config = new URL('config.json', dir).href;
      weights = new URL('model.safetensors', dir).href;
    }
    return this.call({ op: 'loadUrl', name, config, weights });
  }

  /** Loads a run from files the user picked (an <input type=file> or a drop): config.json and the .safetensors. */
  async loadFromFiles(name: string, config: BlobLike, weights: BlobLike): Promise<ModelInfo> {
    const [c, w] = await Promise.all([config.arrayBuffer(), weights.arrayBuffer()]);
    return this.loadFromBytes(name, new TextDecoder().decode(c), new Uint8Array(w), { config: config.name, weights: weights.name });
  }

  /** Translates with a loaded (or trained) model; the same JSON as the server's POST /v1/translate `translations`. */
  translate(name: string, texts: string | readonly string[], settings: DecodeSettings = {}): Promise<TranslationJson[]> {
    return this.call({ op: 'translate', name, texts: typeof texts === 'string' ? [texts] : [...texts], settings });
  }

  /** Trains a model in the worker (kept under request.name); `onProgress` gets the live numbers. */
  train(request: TrainRequest, onProgress?: (p: TrainProgress) => void): Promise<TrainSummary> {
    return this.call({ op: 'train', request }, undefined, onProgress);
  }

  /** Ends a running train() after its current step (it then resolves as usual, reason 'SIGINT'). */
  stopTraining(): Promise<boolean> {
    return this.call({ op: 'stop' });
  }

  /** The run files of a model: save them as config.json + model.safetensors, and `s2s translate --model DIR` loads them. */
  exportRun(name: string): Promise<RunFiles> {
    return this.call({ op: 'export', name });
  }

  unload(name: string): Promise<boolean> {
    return this.call({ op: 'unload', name });
  }

  /** Stops the worker (and its thread pool); pending calls are rejected. */
  async terminate(): Promise<void> {
    this.fail(new Error('the engine was terminated'));
    await this.worker.terminate();
  }
}
