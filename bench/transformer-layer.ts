/**
 * Per-kernel profile of one pre-norm Transformer encoder layer built from the ops (layerNorm,
 * linear, multiHeadAttention, biasActivation, residual adds), forward + backward: B = 64,
 * T = S = 20, D = 256, H = 4, ffn 1024, dropout 0.1 on the attention weights. Every Backend method
 * is wrapped with a timer. `node dist/bench/transformer-layer.js [--threads N]`; prints JSON
 * (ms per step and per kernel, largest first).
 */
import * as T from '../src/tensor/index.js';
import { JsBackend } from '../src/kernels/js/index.js';
import { WasmBackend } from '../src/kernels/wasm/index.js';

const ti = process.argv.indexOf('--threads');
const threads = ti >= 0 ? Number(process.argv[ti + 1]) : 1;
const be = await WasmBackend.create({ threads });
T.setBackend(be);
const [B, L, D, H, F] = [64, 20, 256, 4, 1024];
const rng = new T.Rng(1);
const param = (shape: number[], scale = 0.05): T.Tensor => {
  const t = T.zeros(shape, true);
  T.uniformInit(t, scale, rng);
  return t.keep();
};
const W = {
  q: param([D, D]), k: param([D, D]), v: param([D, D]), o: param([D, D]), bq: param([D]), bk: param([D]), bv: param([D]), bo: param([D]),
  g1: param([D]), b1: param([D]), g2: param([D]), b2: param([D]), w1: param([D, F]), c1: param([F]), w2: param([F, D]), c2: param([D]),
};
const x0 = param([B * L, D], 1);

// time every kernel method of the backend (own and inherited)
const kernelMs: Record<string, number> = {};
let timing = false;
const skip = new Set(['constructor', 'allocF32', 'allocI32', 'free', 'memoryStats', 'dispose']);
const target = be as unknown as Record<string, (...a: unknown[]) => unknown>;
for (let proto = Object.getPrototypeOf(be) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (skip.has(name) || Object.prototype.hasOwnProperty.call(target, name) || typeof target[name] !== 'function') continue;
    const orig = target[name]!.bind(be);
    target[name] = (...a: unknown[]): unknown => {
      if (!timing) return orig(...a);
      timing = false; // a kernel calling another is counted once, under the outer name
      const t0 = performance.now();
      try { return orig(...a); } finally { kernelMs[name] = (kernelMs[name] ?? 0) + performance.now() - t0; timing = true; }
    };
  }
}

const step = (): void => T.tidy(() => {
  const h = T.layerNorm(x0, W.g1, W.b1);
  const proj = (w: T.Tensor, b: T.Tensor): T.Tensor => T.reshape(T.linear(h, w, b), [B, L, D]);
  const a = T.multiHeadAttention({ q: proj(W.q, W.bq), k: proj(W.k, W.bk), v: proj(W.v, W.bv), heads: H, dropout: { p: 0.1, seed: 1 } }).out;
  const x1 = T.add(x0, T.linear(T.reshape(a, [B * L, D]), W.o, W.bo));
  const f = T.biasActivation(T.matmul(T.layerNorm(x1, W.g2, W.b2), W.w1), W.c1, 'relu');
  const x2 = T.add(x1, T.linear(f, W.w2, W.c2));
  T.sum(x2).backward();
  for (const p of Object.values(W)) p.zeroGrad();
  x0.zeroGrad();
});

for (let i = 0; i < 3; i++) step();
const steps = 10;
timing = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const stepMs = (performance.now() - t0) / steps;
timing = false;
const kernels = Object.fromEntries(Object.entries(kernelMs).sort((a, b) => b[1] - a[1]).map(([n, t]) => [n, +(t / steps).toFixed(2)]));
await be.dispose();
T.setBackend(new JsBackend());
console.log(JSON.stringify({ bench: 'transformer encoder layer, forward + backward', B, T: L, D, H, ffn: F, threads, stepMs: +stepMs.toFixed(1), kernels }));
