/**
 * gemm benchmark: GFLOP/s of C = A·B (M×K times K×N) for the js backend, the wasm backend on one
 * thread and on all threads (its default build, and the plain-SIMD build beside it when the default
 * is the relaxed-SIMD one), and TensorFlow.js's wasm backend (XNNPACK) as the peer. Median of
 * several timed batches after warm-up, the contenders taking turns batch by batch. With --peer,
 * PyTorch's torch.matmul (OpenBLAS, native SIMD as wide as the CPU has) on 1 and on all threads,
 * measured right after: the ceiling that the training benchmarks' PyTorch peer multiplies at.
 * `s2s bench gemm [--json] [--peer]` or `node dist/bench/gemm.js --json`.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { JsBackend } from '../src/kernels/js/index.js';
import { WasmBackend } from '../src/kernels/wasm/index.js';
import type { Backend } from '../src/kernels/backend.js';
import { helpText, parseFlags, type FlagSpec } from '../src/cli/args.js';
import { UserError } from '../src/util/errors.js';
import { peerScript, PYTHON } from './train-peer.js';

export type Shape = [M: number, K: number, N: number];
export interface GemmBenchOptions {
  json: boolean;
  /** M×K×N triples (default: the five below). */
  shapes?: Shape[];
  /** Timed batches per measurement (median reported); default 7. */
  reps?: number;
  /** Skip the (slow) js backend. */
  skipJs?: boolean;
  /** Also time PyTorch's matmul (bench/peers/gemm_torch.py, /usr/bin/python3) on 1 and all threads. */
  peer?: boolean;
}

export const DEFAULT_SHAPES: Shape[] = [[64, 256, 1024], [64, 512, 1024], [1280, 256, 1024], [1280, 256, 1000], [512, 512, 512]];

interface Row {
  shape: string; M: number; K: number; N: number;
  gflops: Record<string, number | null>;
  /**
   * The single-thread wasm columns again, per CPU second instead of per wall second: on a machine
   * shared with other jobs this counts no time spent waiting for a core.
   */
  gflopsPerCpuSecond: Record<string, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A contender of one shape: one call of its gemm, and what to free afterwards. */
interface Contender { key: string; call: () => void; done: () => void }

/**
 * Times every contender in batches of ~60 ms, taking turns batch by batch, so that all of them see
 * the same machine load (it is shared); returns per key the median wall seconds and CPU seconds
 * (all threads of the process) per call.
 */
function timeAll(cs: Contender[], reps: number): Map<string, { wall: number; cpu: number }> {
  const perBatch = cs.map((c) => {
    for (let i = 0; i < 3; i++) c.call(); // warm-up (tier-up to optimised code)
    const t0 = performance.now();
    c.call();
    return Math.max(1, Math.round(60 / Math.max(1e-3, performance.now() - t0)));
  });
  const wall = cs.map(() => [] as number[]), cpu = cs.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    cs.forEach((c, j) => {
      const n = perBatch[j]!;
      const s = performance.now();
      const u = process.cpuUsage();
      for (let i = 0; i < n; i++) c.call();
      wall[j]!.push((performance.now() - s) / n / 1000);
      const d = process.cpuUsage(u);
      cpu[j]!.push((d.user + d.system) / 1e6 / n);
    });
  }
  const out = new Map<string, { wall: number; cpu: number }>();
  cs.forEach((c, j) => { out.set(c.key, { wall: median(wall[j]!), cpu: median(cpu[j]!) }); c.done(); });
  return out;
}

function fillRandom(a: Float32Array): void {
  let s = 12345;
  for (let i = 0; i < a.length; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = s / 4294967296 - 0.5; }
}

function backendContender(key: string, be: Backend, [M, K, N]: Shape): Contender {
  const A = be.allocF32(M * K), B = be.allocF32(K * N), C = be.allocF32(M * N);
  fillRandom(A); fillRandom(B);
  return { key, call: () => be.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N), done: () => { be.free(A); be.free(B); be.free(C); } };
}

// TensorFlow.js is a devDependency only, loaded dynamically and typed loosely.
interface TfLike {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  env(): { getAsync(flag: string): Promise<unknown> };
  tensor2d(values: Float32Array, shape: [number, number]): { dispose(): void };
  matMul(a: unknown, b: unknown): { dataSync(): unknown; dispose(): void };
}

async function loadTf(): Promise<{ tf: TfLike; threads: number; simd: unknown; multithread: unknown; version: string } | { error: string }> {
  try {
    const tf = (await import('@tensorflow/tfjs-core' as string)) as unknown as TfLike & { version_core?: string };
    const w = (await import('@tensorflow/tfjs-backend-wasm' as string)) as { getThreadsCount?: () => number; version_wasm?: string };
    if (!(await tf.setBackend('wasm'))) return { error: 'tf.setBackend("wasm") failed' };
    await tf.ready();
    return {
      tf,
      threads: w.getThreadsCount ? w.getThreadsCount() : 1,
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      version: w.version_wasm ?? '?',
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

function tfContender(tf: TfLike, [M, K, N]: Shape): Contender {
  const a0 = new Float32Array(M * K), b0 = new Float32Array(K * N);
  fillRandom(a0); fillRandom(b0);
  const a = tf.tensor2d(a0, [M, K]), b = tf.tensor2d(b0, [K, N]);
  // dataSync: the wasm backend computes synchronously; reading back keeps the comparison honest
  return { key: 'tfjsWasm', call: () => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }, done: () => { a.dispose(); b.dispose(); } };
}

/**
 * PyTorch's matmul on the same shapes, OpenBLAS and torch on `threads` threads (one process per
 * count, since OpenBLAS reads its thread count when it loads): GFLOP/s per shape key.
 */
function torchGemm(shapes: Shape[], threads: number, reps: number): Record<string, number> {
  const script = peerScript('gemm_torch.py', 'bench gemm');
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(PYTHON, [script, '--shapes', shapes.map((s) => s.join('x')).join(','), '--threads', String(threads), '--reps', String(reps)], { encoding: 'utf8', env });
  if (r.error || r.status !== 0) throw new UserError(`s2s bench gemm --peer: needs ${PYTHON} with torch (Debian: apt install python3-torch): ${(r.stderr ?? String(r.error)).trim().split('\n').pop()}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: { shape: string; gflops: number }[] };
  return Object.fromEntries(out.rows.map((x) => [x.shape, x.gflops]));
}

export async function runGemmBench(opts: GemmBenchOptions | string[] = { json: false }): Promise<object> {
  const o: GemmBenchOptions = Array.isArray(opts) ? parseArgs(opts) : opts;
  const shapes = o.shapes ?? DEFAULT_SHAPES;
  const reps = o.reps ?? 7;
  const threads = availableParallelism();
  const js = new JsBackend();
  const w1 = await WasmBackend.create({ threads: 1 });
  const wN = await WasmBackend.create({ threads });
  // the plain-SIMD build beside the relaxed one (FMA) when the default is relaxed: side by side
  const plain = w1.simd === 'relaxed'
    ? { w1: await WasmBackend.create({ threads: 1, simd: 'plain' }), wN: await WasmBackend.create({ threads, simd: 'plain' }) }
    : null;
  const tfl = await loadTf();
  const rows: Row[] = [];
  try {
    for (const s of shapes) {
      const flops = 2 * s[0] * s[1] * s[2];
      const gf = (sec: number): number => Math.round(flops / sec / 1e8) / 10;
      const g: Record<string, number | null> = {};
      const perCpu: Record<string, number> = {};
      g.js = o.skipJs ? null : gf(timeAll([backendContender('js', js, s)], Math.min(reps, 3)).get('js')!.wall);
      const cs = [backendContender('wasm1', w1, s), backendContender(`wasm${threads}`, wN, s)];
      if (plain) cs.push(backendContender('wasm1Plain', plain.w1, s), backendContender(`wasm${threads}Plain`, plain.wN, s));
      if ('tf' in tfl) cs.push(tfContender(tfl.tf, s));
      const t = timeAll(cs, reps);
      for (const c of cs) g[c.key] = gf(t.get(c.key)!.wall);
      if (!('tf' in tfl)) g.tfjsWasm = null;
      perCpu.wasm1 = gf(t.get('wasm1')!.cpu);
      if (plain) perCpu.wasm1Plain = gf(t.get('wasm1Plain')!.cpu);
      rows.push({ shape: `${s[0]}x${s[1]}x${s[2]}`, M: s[0], K: s[1], N: s[2], gflops: g, gflopsPerCpuSecond: perCpu });
      if (!o.json) {
        const cells = Object.entries(g).map(([k, v]) => `${k} ${v === null ? '—' : v.toFixed(1)}`).join('  ');
        console.log(`${rows.at(-1)!.shape.padEnd(16)} ${cells}`);
      }
    }
  } finally {
    await w1.dispose();
    await wN.dispose();
    if (plain) { await plain.w1.dispose(); await plain.wN.dispose(); }
  }
  // after the wasm and TF.js timings, so the two never share the cores
  if (o.peer) {
    const counts = [...new Set([1, threads])];
    const byCount = counts.map((n) => torchGemm(shapes, n, reps));
    for (const row of rows) {
      counts.forEach((n, i) => (row.gflops[`torch${n}`] = byCount[i]![`${row.M}x${row.K}x${row.N}`] ?? null));
      if (!o.json) console.log(`${row.shape.padEnd(16)} ${counts.map((n) => `torch${n} ${row.gflops[`torch${n}`]?.toFixed(1) ?? '—'}`).join('  ')}`);
    }
  }
  const result = {
    bench: 'gemm',
    unit: 'GFLOP/s (median)',
    op: 'C = A·B, M×K times K×N, float32, row-major',
    machine: { cpu: cpus()[0]?.model ?? '?', threads, node: process.version },
    peers: {
      js: 'JsBackend (reference loops)',
      wasm1: `WasmBackend (${w1.simd} SIMD build), threads = 1`,
      [`wasm${threads}`]: `WasmBackend (${wN.simd} SIMD build), threads = ${threads}`,
      ...(plain ? { wasm1Plain: 'WasmBackend (plain SIMD build, no FMA), threads = 1', [`wasm${threads}Plain`]: `WasmBackend (plain SIMD build, no FMA), threads = ${threads}` } : {}),
      tfjsWasm: 'tf' in tfl
        ? `@tensorflow/tfjs-backend-wasm ${tfl.version} tf.matMul (+ dataSync), threads = ${tfl.threads} (its Node default; multithread support: ${String(tfl.multithread)}, simd: ${String(tfl.simd)})`
        : `unavailable: ${tfl.error}`,
      ...(o.peer ? { torch1: 'PyTorch torch.matmul (Debian: OpenBLAS), OPENBLAS_NUM_THREADS = 1', [`torch${threads}`]: `PyTorch torch.matmul (OpenBLAS), OPENBLAS_NUM_THREADS = ${threads}` } : {}),
    },
    rows,
  };
  if (o.json) console.log(JSON.stringify(result, null, 2));
  return result;
}

const GEMM_FLAGS: Record<string, FlagSpec> = {
  json: { type: 'bool', help: 'print the result as JSON' },
  'skip-js': { type: 'bool', help: 'leave out the (slow) js backend' },
  peer: { type: 'bool', help: "also time PyTorch's matmul (OpenBLAS; /usr/bin/python3 with torch) on 1 and all threads, after the others" },
  reps: { type: 'int', min: 1, help: 'timed batches per shape' },
  shapes: { type: 'string', help: 'M×K×N list, e.g. 64x256x1024,512x512x512' },
  help: { type: 'bool', help: 'show this help' },
};

function parseArgs(argv: string[]): GemmBenchOptions {
  const { flags, rest } = parseFlags('bench gemm', argv, GEMM_FLAGS);
  if (rest.length > 0) throw new UserError(`s2s bench gemm: unexpected argument '${rest[0]}'`);
  if (flags['help'] === true) {
    console.log(helpText('bench gemm', 'GFLOP/s of js, wasm (1 thread, all threads) and TensorFlow.js wasm (and PyTorch with --peer)', GEMM_FLAGS));
    process.exit(0);
  }
  const o: GemmBenchOptions = { json: flags['json'] === true, skipJs: flags['skip-js'] === true, peer: flags['peer'] === true };
  if (flags['reps'] !== undefined) {
    o.reps = flags['reps'] as number;
    if (!(o.reps >= 1)) throw new UserError(`s2s bench gemm: --reps must be ≥ 1, got ${o.reps}`);
  }
  if (typeof flags['shapes'] === 'string') {
    o.shapes = flags['shapes'].split(',').map((t) => {
      const dims = t.split('x').map(Number);
      if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
        throw new UserError(`s2s bench gemm: --shapes item '${t}' is not MxKxN with positive integers`);
      }
      return dims as unknown as Shape;
    });
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runGemmBench(process.argv.slice(2));
}
