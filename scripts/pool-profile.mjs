// Where a training step of the benchmark model spends its pooled time: for every pooled job, calls
// per step, total ms, the caller's own shares and its wait for the workers' shares.
// Usage: node scripts/pool-profile.mjs [DIR] [threads] [arch] [steps]
// (DIR: a checkout with a built dist/, default this one; works on builds before share claiming too,
// whose pool.run had the same (job, n, self) shape.)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [, , dir = '.', threadsArg = '2', arch = 'gru', stepsArg = '4'] = process.argv;
const root = pathToFileURL(resolve(dir)).href;
const threads = Number(threadsArg), steps = Number(stepsArg);
const { ThreadPool } = await import(`${root}/dist/src/kernels/wasm/pool.js`);
const { JOB_BY_ID } = await import(`${root}/dist/src/kernels/wasm/jobs.js`);
const stats = new Map();
const run = ThreadPool.prototype.run;
let on = false;
ThreadPool.prototype.run = function (job, n, self) {
  if (!on) return run.call(this, job, n, self);
  let mine = 0;
  const t0 = performance.now();
  run.call(this, job, n, (...a) => { const s = performance.now(); self(...a); mine += performance.now() - s; });
  const dt = performance.now() - t0;
  const name = JOB_BY_ID[job].fn;
  const s = stats.get(name) ?? { calls: 0, ms: 0, own: 0, wait: 0 };
  s.calls++; s.ms += dt; s.own += mine; s.wait += dt - mine;
  stats.set(name, s);
};
const K = await import(`${root}/dist/src/kernels/index.js`);
const M = await import(`${root}/dist/src/models/index.js`);
const T = await import(`${root}/dist/src/tensor/index.js`);
T.setBackend(await K.createBackend({ backend: 'wasm', threads }));
const B = 64, S = 20, L = 20, V = 1000;
const model = M.buildModel({ kind: 'tokens', arch, attention: 'general', layers: 1, bidirectional: true, emb: 256, hidden: 256, dropout: 0, srcVocab: V, tgtVocab: V, tieEmbeddings: false, inputFeeding: true }, new T.Rng(1));
const rng = new T.Rng(2);
const ids = () => Int32Array.from({ length: B * L }, () => 4 + rng.int(V - 4));
const batch = { B, S, T: L, src: Int32Array.from({ length: B * S }, () => 4 + rng.int(V - 4)), srcLen: new Array(B).fill(S), tgtIn: ids(), tgtOut: ids() };
const opt = new T.Adam(model.parameters(), { lr: 1e-3 });
model.train();
const step = () => T.tidy(() => { const { loss } = model.loss(batch); loss.item(); loss.backward(); opt.step(); opt.zeroGrad(); });
step(); step();
on = true;
const c0 = process.cpuUsage(), t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const c = process.cpuUsage(c0);
const per = (x) => Math.round((x / steps) * 10) / 10;
const jobs = {};
let wait = 0;
for (const [name, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
  jobs[name] = { calls: s.calls / steps, ms: per(s.ms), own: per(s.own), wait: per(s.wait) };
  wait += s.wait;
}
const load = (await import('node:os')).loadavg()[0];
console.log(JSON.stringify({ dir, threads, arch, steps, load: Math.round(load * 10) / 10, ms_per_step: per(performance.now() - t0), cpu_ms_per_step: per((c.user + c.system) / 1000), wait_ms_per_step: per(wait), jobs }));
process.exit(0);
