// The decode worker's entry (a Node worker thread started by DecodeWorker): it loads the served
// runs' weights into its own engine and answers decoding calls, so the server's HTTP thread keeps
// reading, checking and answering requests while a batch decodes.
import { parentPort, workerData } from 'node:worker_threads';
import { loadRun, withBackendFallback, type LoadedRun, type TranslateOptions } from '../train/index.js';
import { UserError } from '../util/errors.js';
import type { DecodeWorkerData, FromWorker, ToWorker } from './decode-worker-protocol.js';

const port = parentPort!;
const data = workerData as DecodeWorkerData;

async function loadAll(backend: 'js' | 'wasm'): Promise<Map<string, LoadedRun>> {
  const runs = new Map<string, LoadedRun>();
  for (const [i, spec] of data.specs.entries()) {
    // the first load sets the engine's backend; the others share it
    runs.set(spec.name, await loadRun(spec.dir, { weights: data.weights, threads: data.threads, backend: i === 0 ? backend : undefined }));
  }
  return runs;
}

async function start(): Promise<void> {
  let runs: Map<string, LoadedRun>;
  let backend: 'js' | 'wasm' = 'wasm';
  try {
    runs = await withBackendFallback(data.backend, (b) => loadAll((backend = b)));
  } catch (e) {
    port.postMessage({ type: 'failed', user: e instanceof UserError, message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    return;
  }
  port.on('message', (m: ToWorker) => {
    let reply: FromWorker;
    try {
      const run = runs.get(m.model);
      if (!run) throw new Error(`decode worker: no model named '${m.model}'`);
      reply = { type: 'done', id: m.id, out: run.translator.translate(m.lines, m.opts as TranslateOptions) };
    } catch (e) {
      reply = { type: 'error', id: m.id, message: e instanceof Error ? e.stack ?? e.message : String(e) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready', backend } satisfies FromWorker);
}

void start();
