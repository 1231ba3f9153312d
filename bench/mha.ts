/**
 * Multi-head attention benchmark: ms per forward + backward of `multiHeadAttention` (B = 64,
 * H = 4, T = S = 20, dh = 64 by default; every other sentence 3 keys of padding; dropout 0.1) on
 * the js backend, wasm on 1 and 2 threads, and the PyTorch peer (bench/peers/mha_torch.py: the same
 * computation from torch ops) on 1 and 2 threads, all in one run. Median of timed batches: wall
 * time and process CPU time per step (on a shared machine the 1-thread CPU times compare better
 * than wall times; with 2 threads CPU time adds both threads' work).
 * `node dist/bench/mha.js [--causal] [--no-peer] [--no-js]`; prints JSON.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as T from '../src/tensor/index.js';
import { JsBackend } from '../src/kernels/js/index.js';
import { WasmBackend } from '../src/kernels/wasm/index.js';
import type { Backend } from '../src/kernels/backend.js';

const [B, H, Tq, S, dh] = [64, 4, 20, 20, 64];
const D = H * dh;
const causal = process.argv.includes('--causal');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Timing { wallMs: number; cpuMs: number }

function benchOp(be: Backend, reps: number): Timing {
  T.setBackend(be);
  const rng = new T.Rng(1);
  const rand = (shape: number[]): T.Tensor => {
    const t = T.zeros(shape, true);
    T.uniformInit(t, 1, rng);
    return t.keep();
  };
  const q = rand([B, Tq, D]), k = rand([B, S, D]), v = rand([B, S, D]);
  const padv = new Int32Array(B * S);
  for (let b = 0; b < B; b += 2) for (let j = S - 3; j < S; j++) padv[b * S + j] = 1;
  const pad = T.intTensor(padv, [B, S]).keep();
  const proj = rand([B, Tq, D]);
  let seed = 0;
  const step = (): void => {
    T.tidy(() => {
      const { out } = T.multiHeadAttention({ q, k, v, heads: H, keyPadding: pad, causal, dropout: { p: 0.1, seed: seed++ } });
      T.sum(T.mul(out, proj)).backward();
      q.zeroGrad(); k.zeroGrad(); v.zeroGrad();
    });
  };
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  step();
  const per = Math.max(1, Math.round(60 / Math.max(0.01, performance.now() - t0)));
  const times: number[] = [], cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = performance.now(), c = process.cpuUsage();
    for (let i = 0; i < per; i++) step();
    times.push((performance.now() - s) / per);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000 / per);
  }
  for (const t of [q, k, v, pad, proj]) t.dispose();
  return { wallMs: median(times), cpuMs: median(cpu) };
}

function peer(threads: number, openblas: number): Timing | null {
  const script = fileURLToPath(new URL('../../bench/peers/mha_torch.py', import.meta.url));
  const args = [script, '--threads', String(threads), ...(causal ? ['--causal'] : [])];
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: String(openblas), OMP_NUM_THREADS: String(threads) } });
  if (r.status !== 0) { process.stderr.write(`mha peer failed: ${r.stderr.split('\n').slice(-2).join(' ')}\n`); return null; }
  const o = JSON.parse(r.stdout.trim()) as { ms: number; cpuMs: number };
  return { wallMs: o.ms, cpuMs: o.cpuMs };
}

const ms: Record<string, Timing | null> = {};
if (!process.argv.includes('--no-js')) ms['js'] = benchOp(new JsBackend(), 3);
for (const threads of [1, 2]) {
  const be = await WasmBackend.create({ threads });
  ms[`wasm threads=${threads}`] = benchOp(be, 7);
  await be.dispose();
}
if (!process.argv.includes('--no-peer')) {
  ms['torch threads=1'] = peer(1, 1);
  ms['torch threads=2 (OpenBLAS 1)'] = peer(2, 1);
  ms['torch threads=2 (OpenBLAS 2)'] = peer(2, 2);
}
T.setBackend(new JsBackend());
console.log(JSON.stringify({ bench: 'mha forward+backward', B, H, T: Tq, S, dh, causal, dropout: 0.1, ms }));
