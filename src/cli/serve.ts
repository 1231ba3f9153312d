import { createApp, DecodeWorker, DEFAULT_BATCHING, DEFAULT_LIMITS, ModelRegistry, parseModelSpec } from '../serve/index.js';
import { withBackendFallback } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { helpText, oneOf, parseFlags, type FlagSpec } from './args.js';

const L = DEFAULT_LIMITS;
const SPECS: Record<string, FlagSpec> = {
  model: { type: 'string', repeatable: true, help: 'run folder to serve, as RUN or NAME=RUN; repeat for several models (the first is the default)' },
  port: { type: 'int', min: 0, max: 65535, default: 8080, help: 'TCP port (0: any free one; the chosen one is printed)' },
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on (0.0.0.0: all interfaces, e.g. in a container)' },
  'max-body-bytes': { type: 'int', min: 1, default: L.maxBodyBytes, help: 'largest request body (413 beyond)' },
  'max-texts': { type: 'int', min: 1, default: L.maxTexts, help: 'texts in one request (400 beyond)' },
  'max-input-chars': { type: 'int', min: 1, default: L.maxInputChars, help: 'characters in one text (400 beyond)' },
  'max-input-tokens': { type: 'int', min: 1, default: L.maxInputTokens, help: 'source tokens in one text (400 beyond)' },
  'max-output-tokens': { type: 'int', min: 1, default: L.maxOutputTokens, help: 'output tokens per hypothesis (caps maxLenA·|source| + maxLenB)' },
  'max-beam': { type: 'int', min: 1, default: L.maxBeam, help: 'largest beam a request may ask for' },
  'max-queue': { type: 'int', min: 1, default: L.maxQueue, help: 'texts waiting to be decoded (429 with Retry-After beyond)' },
  'batch-window-ms': { type: 'number', min: 0, default: DEFAULT_BATCHING.windowMs, help: 'how long the first queued request waits for others to share its decoding call' },
  'max-batch': { type: 'int', min: 1, default: DEFAULT_BATCHING.maxBatch, help: 'most texts decoded in one call' },
  'no-batching': { type: 'bool', help: 'decode one request at a time (the baseline for s2s bench serve)' },
  weights: { type: 'string', default: 'best', help: 'best|last|average: model.best.safetensors, model.safetensors or model.average.safetensors (s2s average)' },
  backend: { type: 'string', help: 'js|wasm (default: wasm where it loads)' },
  threads: { type: 'int', min: 1, max: 256, help: 'threads for the wasm backend (default: all cores)' },
  'decode-worker': { type: 'bool', help: 'decode in a worker thread: /v1/health, /v1/ready and /metrics answer at once while a long batch decodes (a thread hop per call: fewer requests/s where the cores are busy; docs/serving.md)' },
  help: { type: 'bool', help: 'show this help' },
};

const CMD = 'serve';

/**
 * s2s serve: loads the run folders, listens, and on SIGTERM/SIGINT stops taking connections,
 * answers what it already received and exits 0.
 */
export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'an HTTP API (translate, health, ready, models, metrics) and the web page', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s ${CMD}: unexpected argument '${rest[0]}'; give run folders with --model RUN`);
  const modelArgs = (flags['model'] as string[] | undefined) ?? [];
  if (modelArgs.length === 0) throw new UserError(`s2s ${CMD}: --model is required (a run folder written by s2s train, or NAME=RUN)`);
  const specs = modelArgs.map(parseModelSpec);
  const port = flags['port'] as number;
  const host = flags['host'] as string;
  const window = flags['batch-window-ms'] as number;
  const limits = {
    maxBodyBytes: flags['max-body-bytes'] as number, maxTexts: flags['max-texts'] as number,
    maxInputChars: flags['max-input-chars'] as number, maxInputTokens: flags['max-input-tokens'] as number,
    maxOutputTokens: flags['max-output-tokens'] as number, maxBeam: flags['max-beam'] as number, maxQueue: flags['max-queue'] as number,
  };
  const batching = { windowMs: window, maxBatch: flags['max-batch'] as number, enabled: flags['no-batching'] !== true };
  const weights = oneOf(CMD, 'weights', flags['weights'], ['best', 'last', 'average'] as const);
  const backend = flags['backend'] === undefined ? undefined : oneOf(CMD, 'backend', flags['backend'], ['js', 'wasm'] as const);
  const threads = flags['threads'] as number | undefined;

  const say = (line: string): void => void process.stderr.write(line + '\n');
  const onMain = flags['decode-worker'] !== true;
  let worker: DecodeWorker | null = null;
  const app = createApp({
    models: null, limits, batching, log: say,
    ...(onMain ? {} : { decode: (m, lines, o) => worker!.decode(m, lines, o), decodeOffThread: true }),
  });
  // Listen first, so a load balancer sees the replica alive (/v1/health) but not ready (/v1/ready 503) while models load.
  const addr = await app.listen(port, host).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`s2s ${CMD}: cannot listen on ${host}:${port} (${e.code ?? e.message}); choose another --port or --host`);
  });
  const closed = new Promise<void>((resolve) => app.server.once('close', () => resolve()));
  let stopping: Promise<void> | null = null;
  const stop = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    say(`s2s serve: ${sig}: draining (no new connections; finishing ${app.batcher.depth} queued texts and requests in flight)`);
    stopping = app.drain();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const workerDied = (e: Error): void => {
    // A server that cannot decode any more is of no use: say so and exit non-zero, so a supervisor restarts it.
    say(`s2s serve: ${e.message}; exiting`);
    app.server.closeAllConnections();
    process.exit(1);
  };
  let registry: ModelRegistry;
  try {
    if (onMain) {
      registry = await withBackendFallback(backend, (b) => ModelRegistry.load(specs, { weights, backend: b, threads }));
    } else {
      // This thread reads the configs and codecs (to check and describe requests); the worker loads the weights.
      registry = await ModelRegistry.open(specs, { weights });
      worker = await DecodeWorker.start(specs, { weights, backend, threads }, workerDied);
    }
  } catch (e) {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    app.server.close();
    throw e;
  }
  app.setModels(registry);
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  say(`s2s serve: ${registry.names.map((n) => `${n} (${registry.get(n)!.weightsName})`).join(', ')} on ${url}  (page: ${url}/, API: ${url}/v1/translate, metrics: ${url}/metrics)`);
  // stdout gets the address alone, so a script (or a test) can read which port was chosen.
  process.stdout.write(JSON.stringify({ listening: url, port: addr.port }) + '\n');
  await closed;
  if (stopping) await stopping;
  await worker?.close();
  say('s2s serve: drained, bye');
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  return 0;
}
