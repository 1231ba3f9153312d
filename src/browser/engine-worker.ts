/**
 * The engine worker: the whole engine (wasm backend and its thread pool, models, decoding,
 * training) off the page's main thread, where the pool's Atomics.wait is allowed. A page starts it
 * through BrowserEngine (client.ts) and talks to it with the messages of protocol.ts; it runs in
 * Node's worker_threads the same way (the tests use that).
 */
import { workerContext } from '../platform/index.js';
import { canShareMemory } from '../platform/browser.js';
import { fetchBytes } from '../platform/fetch.js';
import { createBackend } from '../kernels/index.js';
import { backend, setBackend } from '../tensor/index.js';
import { loadRunFromBytes } from '../train/run-bytes.js';
import { modelInfo, translateJson, type HeldModel } from './models.js';
import { TrainingSession } from './train-in-worker.js';
import type { EngineInfo, EngineInit, Request, RequestMessage, ResponseMessage, RunFiles } from './protocol.js';

// Called first thing in the module body, before any await: in a browser the start data is the
// first message, and its listener must be in place before the module yields (platform/browser.ts).
const ctx = await workerContext();
const post = (m: ResponseMessage, transfer?: ArrayBuffer[]): void => ctx.post(m, transfer);

function errorJson(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

const isNodeHost = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

async function startBackend(init: EngineInit): Promise<EngineInfo> {
  // A browser shares memory with the pool's workers only when cross-origin isolated: else one thread.
  const shared = isNodeHost || canShareMemory();
  const threads = shared ? init.threads : 1;
  setBackend(await createBackend({ backend: init.backend, threads }));
  return { backend: backend().name, threads: backend().threads, crossOriginIsolated: shared };
}

const models = new Map<string, HeldModel>();
let training: TrainingSession | null = null;
let info: EngineInfo;

function held(name: string): HeldModel {
  const m = models.get(name);
  if (!m) throw new Error(`no model named '${name}' in the engine; load or train one first (have: ${[...models.keys()].join(', ') || 'none'})`);
  return m;
}

function load(name: string, configText: string, weights: Uint8Array, labels?: { config?: string; weights?: string }): unknown {
  const run = loadRunFromBytes(configText, weights, labels);
  const m: HeldModel = { run, configText, weights };
  models.set(name, m);
  return modelInfo(name, m);
}

async function handle(id: number, req: Request): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
  switch (req.op) {
    case 'info':
      return { result: info };
    case 'load':
      return { result: load(req.name, req.config, req.weights, req.labels) };
    case 'loadUrl': {
      const [config, weights] = await Promise.all([fetchBytes(req.config), fetchBytes(req.weights)]);
      return { result: load(req.name, new TextDecoder().decode(config), weights, { config: req.config, weights: req.weights }) };
    }
    case 'translate':
      return { result: translateJson(held(req.name), req.texts, req.settings) };
    case 'train': {
      if (training) throw new Error('a model is already training in this engine; wait for it or stop it');
      training = new TrainingSession(req.request, (data) => post({ id, event: 'progress', data }));
      try {
        const done = await training.run();
        models.set(req.request.name, done.model);
        return { result: { ...done.summary, model: modelInfo(req.request.name, done.model) } };
      } finally {
        training = null;
      }
    }
    case 'stop':
      training?.stop();
      return { result: training !== null };
    case 'export': {
      const m = held(req.name);
      const files: RunFiles = { config: m.configText, weights: m.weights.slice() };
      return { result: files, transfer: [files.weights.buffer as ArrayBuffer] };
    }
    case 'unload':
      return { result: models.delete(req.name) };
  }
}

const started = startBackend((ctx.data ?? {}) as EngineInit).then(
  (i) => { info = i; post({ id: 0, event: 'ready', data: i }); },
  (e: unknown) => { post({ id: 0, event: 'failed', data: errorJson(e) }); throw e; },
);
started.catch(() => { /* reported to the page as 'failed'; every request then fails with it */ });
ctx.onMessage((msg) => {
  const { id, req } = msg as RequestMessage;
  void started.then(() => handle(id, req)).then(
    ({ result, transfer }) => post({ id, ok: true, result }, transfer),
    (e: unknown) => post({ id, ok: false, error: errorJson(e) }),
  );
});
