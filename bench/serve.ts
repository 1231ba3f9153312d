import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { helpText, oneOf, parseFlags, type FlagSpec } from '../src/cli/args.js';
import { buildCodecs, type TextPair } from '../src/data/index.js';
import { splitLines } from '../src/data/readers/split-lines.js';
import { createBackend } from '../src/kernels/index.js';
import { setBackend } from '../src/tensor/index.js';
import { CONSTANT_LR_NO_SMOOTHING, trainRun } from '../src/train/index.js';
import { mulberry32 } from '../src/util/mulberry32.js';
import { UserError } from '../src/util/errors.js';

/**
 * `s2s bench serve`: a load test on loopback. Starts `s2s serve` as child processes on 127.0.0.1
 * with a small model — one with dynamic batching, one without (one request per decoding call) —
 * and runs N concurrent clients (keep-alive, one request in flight each) against each for T
 * seconds, the two taking turns in --rounds segments, bounded by --max-requests too. Reports
 * requests/s, texts/s, p50/p99 latency and failed requests side by side, and their ratio.
 */
const SPECS: Record<string, FlagSpec> = {
  clients: { type: 'int', min: 1, max: 1024, default: 32, help: 'concurrent clients, one request in flight each' },
  seconds: { type: 'number', min: 0.1, max: 600, default: 20, help: 'measured seconds per server mode' },
  warmup: { type: 'number', min: 0, default: 1, help: 'unmeasured seconds first (per mode)' },
  rounds: { type: 'int', min: 1, default: 4, help: 'the measured seconds of each mode are split into this many segments, the modes taking turns' },
  'max-requests': { type: 'int', min: 1, default: 1000000, help: 'requests per mode at most, even before --seconds' },
  texts: { type: 'int', min: 1, default: 1, help: 'texts per request' },
  beam: { type: 'int', min: 1, max: 1000, default: 5, help: 'beam size of every request' },
  model: { type: 'string', help: 'run folder to serve (default: a small copy-task model trained here in a few seconds)' },
  input: { type: 'string', help: 'texts to send, one a line, taken at random (default: 3–8 random letters a–h, what the default model copies)' },
  'no-batching': { type: 'bool', help: 'only the server without batching (default: both, side by side)' },
  'batching-only': { type: 'bool', help: 'only the server with batching' },
  'batch-window-ms': { type: 'number', min: 0, help: 'the server\'s --batch-window-ms (default: its default)' },
  'max-batch': { type: 'int', min: 1, help: 'the server\'s --max-batch (default: its default)' },
  'decode-worker': { type: 'bool', help: 'the servers\' --decode-worker: decode in a worker thread, not on the HTTP thread' },
  backend: { type: 'string', default: 'wasm', help: 'js|wasm (the server\'s)' },
  threads: { type: 'int', min: 1, max: 256, default: 1, help: 'threads of the server\'s wasm backend' },
  json: { type: 'bool', help: 'print one JSON object' },
  help: { type: 'bool', help: 'show this help' },
};

export interface ServeBenchResult {
  batching: boolean;
  clients: number;
  seconds: number;
  requests: number;
  failed: number;
  /** First few failure reasons (status and message), for diagnosis. */
  errors: string[];
  texts: number;
  requests_per_s: number;
  texts_per_s: number;
  latency_ms: { p50: number; p99: number; mean: number; max: number };
  /** Mean texts per decoding call, from the server's /metrics. */
  mean_batch: number | null;
  /** Mean milliseconds of one decoding call, and the share of the measured time the server spent decoding (/metrics). */
  mean_call_ms: number | null;
  decode_busy: number;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A copy task over the letters a–h: what the served model learns in a few seconds. */
function copyPairs(n: number, seed: number): TextPair[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const w = Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => 'abcdefgh'[Math.floor(rnd() * 8)]!).join(' ');
    return { src: w, tgt: w };
  });
}

async function trainSmallModel(dir: string): Promise<void> {
  setBackend(await createBackend({ backend: 'wasm', threads: 1 }).catch(() => createBackend({ backend: 'js' })));
  const pairs = copyPairs(2000, 1);
  await trainRun({
    out: dir, codecs: buildCodecs(pairs, { tokenizer: 'space' }), train: pairs.slice(100), valid: pairs.slice(0, 100),
    model: { arch: 'lstm', attention: 'general', bidirectional: true, emb: 32, hidden: 64, dropout: 0 },
    options: { ...CONSTANT_LR_NO_SMOOTHING, batchSize: 32, lr: 0.01, maxSteps: 300, validEvery: 300 }, progress: false, say: () => {},
  });
}

function mainJs(): string {
  // dist/bench/serve.js → dist/src/cli/main.js
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
}

/** Starts `s2s serve` on 127.0.0.1, any free port; resolves with the child and its port once the models are loaded. */
function startServer(args: string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [mainJs(), 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, port: (JSON.parse(line) as { port: number }).port, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`s2s serve exited with ${code} before listening:\n${err}`)));
  });
}

function post(agent: Agent, port: number, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/translate', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    }).on('error', reject).end();
  });
}

function metricSum(text: string, name: string): number {
  let s = 0;
  for (const line of text.split('\n')) if (line.startsWith(name + '{') || line.startsWith(name + ' ')) s += Number(line.slice(line.lastIndexOf(' ') + 1));
  return s;
}

interface LoadOptions {
  clients: number;
  seconds: number;
  warmup: number;
  maxRequests: number;
  texts: number;
  beam: number;
  /** The texts to draw from (null: random letter strings for the copy model). */
  lines: string[] | null;
}

/** N clients, each sending its next request when the last one is answered, until the deadline. */
async function load(port: number, o: LoadOptions, seed: number): Promise<{ latencies: number[]; failed: number; errors: string[]; requests: number; elapsed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.clients });
  const rnd = mulberry32(seed);
  const lines = o.lines;
  const sentence = (): string => lines
    ? lines[Math.floor(rnd() * lines.length)]!
    : Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => 'abcdefgh'[Math.floor(rnd() * 8)]!).join(' ');
  const latencies: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let issued = 0;
  const t0 = performance.now();
  const deadline = t0 + o.seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline && issued < o.maxRequests) {
      issued++;
      const body = JSON.stringify({ texts: Array.from({ length: o.texts }, sentence), beam: o.beam });
      const s = performance.now();
      try {
        const r = await post(agent, port, body);
        if (r.status === 200) latencies.push(performance.now() - s);
        else {
          failed++;
          if (errors.length < 5) errors.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, client));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, failed, errors, requests: issued, elapsed };
}

interface Server {
  batching: boolean;
  port: number;
  stop(): Promise<void>;
}

async function startMode(model: string, batching: boolean, o: LoadOptions, backend: string, threads: number, serverFlags: string[]): Promise<Server> {
  const args = ['--model', `bench=${model}`, '--backend', backend, '--threads', String(threads), '--max-queue', String(Math.max(1024, o.clients * o.texts * 2)), ...serverFlags];
  if (!batching) args.push('--no-batching');
  const { child, port, stderr } = await startServer(args);
  return {
    batching, port,
    async stop() {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (c) => resolve(c))));
      if (code !== 0) throw new Error(`s2s serve exited with ${code} after SIGTERM (expected 0):\n${stderr()}`);
    },
  };
}

/** What one mode gathered over its segments. */
interface Tally {
  latencies: number[];
  failed: number;
  errors: string[];
  requests: number;
  elapsed: number;
  calls: number;
  textsDecoded: number;
  decodeSeconds: number;
}

async function segment(server: Server, o: LoadOptions, seconds: number, seed: number, t: Tally): Promise<void> {
  const before = await get(server.port, '/metrics');
  const r = await load(server.port, { ...o, seconds }, seed);
  const after = await get(server.port, '/metrics');
  const diff = (name: string): number => metricSum(after, name) - metricSum(before, name);
  t.latencies.push(...r.latencies);
  t.failed += r.failed;
  t.errors.push(...r.errors.slice(0, Math.max(0, 5 - t.errors.length)));
  t.requests += r.requests;
  t.elapsed += r.elapsed;
  t.calls += diff('s2s_batch_size_count');
  t.textsDecoded += diff('s2s_batch_size_sum');
  t.decodeSeconds += diff('s2s_decode_seconds_total');
}

function summary(batching: boolean, o: LoadOptions, t: Tally): ServeBenchResult {
  const lat = [...t.latencies].sort((a, b) => a - b);
  const ok = lat.length;
  return {
    batching, clients: o.clients, seconds: r2(t.elapsed), requests: t.requests, failed: t.failed, errors: t.errors, texts: ok * o.texts,
    requests_per_s: r2(ok / t.elapsed), texts_per_s: r2((ok * o.texts) / t.elapsed),
    latency_ms: { p50: r2(percentile(lat, 50)), p99: r2(percentile(lat, 99)), mean: r2(lat.reduce((s, x) => s + x, 0) / Math.max(1, ok)), max: r2(lat[lat.length - 1] ?? NaN) },
    mean_batch: t.calls > 0 ? r2(t.textsDecoded / t.calls) : null,
    mean_call_ms: t.calls > 0 ? r2((t.decodeSeconds / t.calls) * 1000) : null, decode_busy: r2(t.decodeSeconds / t.elapsed),
  };
}

/**
 * Both servers run at once (the idle one costs nothing) and take the load in alternating
 * segments, so a change in the machine's load during the run (it may be shared) hits both modes
 * alike and their ratio stays meaningful.
 */
async function runModes(model: string, modes: boolean[], o: LoadOptions, rounds: number, backend: string, threads: number, serverFlags: string[]): Promise<ServeBenchResult[]> {
  const servers: Server[] = [];
  try {
    for (const b of modes) servers.push(await startMode(model, b, o, backend, threads, serverFlags));
    for (const s of servers) if (o.warmup > 0) await load(s.port, { ...o, seconds: o.warmup }, 7);
    const tallies = servers.map((): Tally => ({ latencies: [], failed: 0, errors: [], requests: 0, elapsed: 0, calls: 0, textsDecoded: 0, decodeSeconds: 0 }));
    for (let r = 0; r < rounds; r++) {
      for (const [i, s] of servers.entries()) await segment(s, { ...o, maxRequests: Math.ceil(o.maxRequests / rounds) }, o.seconds / rounds, 11 + r, tallies[i]!);
    }
    return servers.map((s, i) => summary(s.batching, o, tallies[i]!));
  } finally {
    for (const s of servers) await s.stop();
  }
}

export async function runServeBench(argv: string[]): Promise<number> {
  const CMD = 'bench serve';
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'load test of s2s serve on loopback: batching on vs off', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s ${CMD}: unexpected argument '${rest[0]}'`);
  // Every range is in SPECS (checked by parseFlags).
  const num = (k: string): number => flags[k] as number;
  const input = flags['input'] as string | undefined;
  let lines: string[] | null = null;
  if (input !== undefined) {
    if (!existsSync(input)) throw new UserError(`s2s ${CMD}: --input ${input}: no such file`);
    lines = splitLines(readFileSync(input, 'utf8')).filter((l) => l.trim() !== '');
    if (lines.length === 0) throw new UserError(`s2s ${CMD}: --input ${input}: no text in it; give a file with one text a line`);
  }
  const o: LoadOptions = {
    clients: num('clients'), seconds: num('seconds'), warmup: num('warmup'), maxRequests: num('max-requests'), texts: num('texts'), beam: num('beam'), lines,
  };
  const backend = oneOf(CMD, 'backend', flags['backend'], ['js', 'wasm'] as const);
  const threads = num('threads');
  const rounds = num('rounds');
  if (flags['no-batching'] && flags['batching-only']) throw new UserError(`s2s ${CMD}: --no-batching and --batching-only exclude each other`);
  let model = flags['model'] as string | undefined;
  let tmp: string | null = null;
  if (model !== undefined && !existsSync(model)) throw new UserError(`s2s ${CMD}: --model ${model}: no such run folder`);
  try {
    if (model === undefined) {
      tmp = mkdtempSync(join(tmpdir(), 's2s-bench-serve-'));
      model = join(tmp, 'run');
      await trainSmallModel(model);
    }
    const modes = flags['no-batching'] ? [false] : flags['batching-only'] ? [true] : [true, false];
    const serverFlags: string[] = [];
    for (const k of ['batch-window-ms', 'max-batch']) if (flags[k] !== undefined) serverFlags.push(`--${k}`, String(flags[k]));
    if (flags['decode-worker']) serverFlags.push('--decode-worker');
    const results = await runModes(model, modes, o, rounds, backend, threads, serverFlags);
    const on = results.find((r) => r.batching);
    const off = results.find((r) => !r.batching);
    const report = {
      bench: 'serve', backend, threads, beam: o.beam, texts_per_request: o.texts, decode: flags['decode-worker'] ? 'worker thread' : 'HTTP thread',
      ...(on ? { batching: on } : {}), ...(off ? { no_batching: off } : {}),
      ...(on && off ? { speedup_requests_per_s: r2(on.requests_per_s / off.requests_per_s) } : {}),
    };
    if (flags['json']) console.log(JSON.stringify(report));
    else {
      for (const r of results) {
        console.log(`${r.batching ? 'batching   ' : 'no batching'}  ${r.requests_per_s} req/s  ${r.texts_per_s} texts/s  p50 ${r.latency_ms.p50} ms  p99 ${r.latency_ms.p99} ms  ` +
          `failed ${r.failed}  mean batch ${r.mean_batch} (${r.mean_call_ms} ms a call, decoding ${Math.round(r.decode_busy * 100)}% of the time)  (${r.clients} clients, ${r.seconds} s)`);
      }
      if (on && off) console.log(`batching / no batching: ${report.speedup_requests_per_s}× requests/s`);
    }
    return results.some((r) => r.failed > 0) ? 1 : 0;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
