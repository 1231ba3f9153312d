import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Translation } from '../train/index.js';
import { DynamicBatcher, type DecodeFn } from './batcher.js';
import { badRequest, HttpError, notFound } from './errors.js';
import { ISOLATION_HEADERS, parseJson, readBody, send, sendError, sendJson } from './http.js';
import { DEFAULT_BATCHING, DEFAULT_LIMITS, type BatchingOptions, type ServeLimits } from './limits.js';
import { METRICS_CONTENT_TYPE, serverMetrics, type ServerMetrics } from './metrics.js';
import type { ModelRegistry, ServedModel } from './registry.js';
import { defaultDistDir, resolveStatic } from './static.js';
import { parseTranslateRequest } from './validate.js';

export interface AppOptions {
  /** The models; null while they load (then /v1/ready is 503) — see setModels. */
  models: ModelRegistry | null;
  limits?: Partial<ServeLimits>;
  batching?: Partial<BatchingOptions>;
  /** Where the web page's files are (dist/); default this package's. */
  distDir?: string;
  /** One line per event worth a log (start, internal errors, drain); default stderr. */
  log?: (line: string) => void;
  /** The decoding call (default: in this thread, with the registry's loaded models; tests wrap it to watch the batches). */
  decode?: DecodeFn;
  /** Whether `decode` runs off this thread (a DecodeWorker's): then a call starts as soon as the previous one ends. */
  decodeOffThread?: boolean;
}

export interface App {
  server: Server;
  metrics: ServerMetrics;
  limits: ServeLimits;
  batcher: DynamicBatcher;
  setModels(models: ModelRegistry): void;
  /** Listens on host:port (port 0: any free one); resolves with the address. */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Stops taking connections (/v1/ready turns 503), answers every request already received —
   * in flight or queued — then closes the remaining connections.
   */
  drain(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;

interface Route {
  /** The route's label in the metrics (a pattern, so the label set stays small). */
  name: string;
  match: (path: string) => string[] | null;
  methods: Record<string, Handler>;
}

const exact = (p: string) => (path: string): string[] | null => (path === p ? [] : null);

/** The NAME in /v1/models/NAME/FILE, or null (no match, or a malformed %-escape). */
const modelFile = (file: string) => (path: string): string[] | null => {
  const prefix = '/v1/models/';
  if (!path.startsWith(prefix) || !path.endsWith('/' + file)) return null;
  const raw = path.slice(prefix.length, path.length - file.length - 1);
  if (raw === '' || raw.includes('/')) return null;
  try {
    return [decodeURIComponent(raw)];
  } catch {
    return null;
  }
};

/** The JSON shape of one translation (contract8); attention only when asked. */
function translationJson(t: Translation, attention: boolean): unknown {
  return {
    source: t.source,
    sourceTokens: t.sourceTokens,
    hypotheses: t.hypotheses.map((h) => ({ text: h.text, score: h.score, tokens: h.tokens, ...(attention ? { attention: h.attention } : {}) })),
  };
}

function modelJson(m: ServedModel, isDefault: boolean): unknown {
  return {
    name: m.name, default: isDefault, config: m.run.config.model,
    vocab: { source: m.run.codecs.src.vocab.size, target: m.run.codecs.tgt.vocab.size },
    training: m.training, weights: m.weightsName,
  };
}

/** The HTTP server of `s2s serve`: routes, limits, batching, metrics and draining. */
export function createApp(o: AppOptions): App {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const batching: BatchingOptions = { ...DEFAULT_BATCHING, ...o.batching };
  const metrics = serverMetrics();
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const distDir = o.distDir ?? defaultDistDir();
  const batcher = new DynamicBatcher(batching, limits.maxQueue, limits.maxOutputTokens, metrics, o.decode, o.decodeOffThread);
  let models = o.models;
  let draining = false;
  let inFlight = 0;
  let inFlightZero: (() => void) | null = null;
  metrics.ready.set(models ? 1 : 0);

  // Requests that arrived after draining began (on a connection kept alive); those that arrived
  // before are answered in full, even when their body is still being read when SIGTERM comes.
  const lateArrivals = new WeakSet<IncomingMessage>();
  /** Responses not yet finished: when draining starts they are told to close their connection. */
  const open = new Set<ServerResponse>();

  const requireModels = (req: IncomingMessage): ModelRegistry => {
    if (lateArrivals.has(req)) throw new HttpError(503, 'unavailable', 'the server is shutting down; send the request to another replica', { 'Retry-After': '1' });
    if (!models) throw new HttpError(503, 'unavailable', 'the models are still loading; retry shortly (GET /v1/ready says when)', { 'Retry-After': '1' });
    return models;
  };

  const modelByName = (req: IncomingMessage, name: string): ServedModel => {
    const reg = requireModels(req);
    const m = reg.get(name);
    if (!m) throw notFound(`no model named '${name}'; loaded: ${reg.names.join(', ')}`);
    return m;
  };

  const translate: Handler = async (req, res) => {
    const body = parseJson(await readBody(req, limits.maxBodyBytes));
    const r = parseTranslateRequest(body, limits);
    const reg = requireModels(req);
    const model = modelByName(req, r.model ?? reg.defaultName);
    r.texts.forEach((t, i) => {
      const n = model.run.codecs.src.tokenize(t).length;
      if (n > limits.maxInputTokens) throw badRequest(`text ${i} has ${n} tokens; the limit is ${limits.maxInputTokens} (max-input-tokens)`);
    });
    const out = await batcher.submit(model, r.texts, r.options);
    sendJson(res, 200, { model: model.name, translations: out.map((t) => translationJson(t, r.options.attention)) });
  };

  const staticFile: Handler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const f = resolveStatic(path, distDir);
    if (!f) throw notFound(`no file at ${path}`);
    send(res, 200, f.body, f.contentType, { 'Cache-Control': 'no-cache' });
  };

  const routes: Route[] = [
    { name: '/v1/translate', match: exact('/v1/translate'), methods: { POST: translate } },
    { name: '/v1/health', match: exact('/v1/health'), methods: { GET: (_q, res) => sendJson(res, 200, { status: 'ok' }) } },
    {
      name: '/v1/ready', match: exact('/v1/ready'), methods: {
        GET: (_q, res) => {
          if (draining) sendJson(res, 503, { status: 'draining' });
          else if (!models) sendJson(res, 503, { status: 'loading' });
          else sendJson(res, 200, { status: 'ready', models: models.names });
        },
      },
    },
    {
      name: '/v1/models', match: exact('/v1/models'), methods: {
        GET: (req, res) => {
          const reg = requireModels(req);
          sendJson(res, 200, { models: reg.list().map((m) => modelJson(m, m.name === reg.defaultName)) });
        },
      },
    },
    {
      name: '/v1/models/{name}/config.json', match: modelFile('config.json'), methods: {
        GET: (req, res, [name]) => send(res, 200, modelByName(req, name!).configBytes, 'application/json'),
      },
    },
    {
      name: '/v1/models/{name}/model.safetensors', match: modelFile('model.safetensors'), methods: {
        GET: (req, res, [name]) => send(res, 200, modelByName(req, name!).weightsBytes, 'application/octet-stream'),
      },
    },
    { name: '/metrics', match: exact('/metrics'), methods: { GET: (_q, res) => send(res, 200, metrics.registry.render(), METRICS_CONTENT_TYPE) } },
    { name: 'static', match: (p) => (p === '/' || p === '/index.html' || p.startsWith('/dist/') ? [] : null), methods: { GET: staticFile } },
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse, setRoute: (name: string) => void): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    for (const route of routes) {
      const params = route.match(path);
      if (!params) continue;
      setRoute(route.name);
      const method = req.method === 'HEAD' && route.methods['GET'] ? 'GET' : req.method ?? 'GET';
      const h = route.methods[method];
      if (!h) {
        const allow = Object.keys(route.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
        req.resume();
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}; use ${allow}`, { Allow: allow });
      }
      await h(req, res, params);
      return;
    }
    req.resume();
    throw notFound(`no route ${path}; the API is under /v1 (translate, health, ready, models) and /metrics`);
  };

  const server = createServer((req, res) => {
    const t0 = performance.now();
    inFlight++;
    let route = 'unknown';
    open.add(res);
    const done = (): void => {
      open.delete(res);
      metrics.requests.inc({ route, method: req.method ?? '', status: String(res.statusCode) });
      metrics.latency.observe((performance.now() - t0) / 1000, { route });
      if (--inFlight === 0 && inFlightZero) inFlightZero();
    };
    res.on('finish', done);
    res.on('close', () => {
      if (!res.writableFinished) done();
    });
    if (draining) {
      lateArrivals.add(req);
      res.setHeader('Connection', 'close');
    }
    handle(req, res, (name) => (route = name)).then(
      () => {},
      (e: unknown) => {
        if (e instanceof HttpError) {
          sendError(res, e.status, e.code, e.message, e.headers);
        } else {
          log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
          sendError(res, 500, 'internal', 'internal error (logged on the server)');
        }
      },
    );
  });

  // A request Node's parser rejects (bad request line, oversized headers) never reaches the
  // handler: answer it in the API's own shape rather than Node's bare 400.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ error: { code: 'bad_request', message: `malformed HTTP request (${err.code ?? 'parse error'})` } });
    const head = [`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`,
      ...Object.entries(ISOLATION_HEADERS).map(([k, v]) => `${k}: ${v}`),
      'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
    socket.end(head.join('\r\n') + '\r\n\r\n' + body);
  });

  return {
    server, metrics, limits, batcher,
    setModels(m) {
      models = m;
      metrics.ready.set(draining ? 0 : 1);
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async drain() {
      draining = true;
      metrics.ready.set(0);
      for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await batcher.idle();
      if (inFlight > 0) await new Promise<void>((resolve) => (inFlightZero = resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}
