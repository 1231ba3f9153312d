// A/B of two builds on one training step of the benchmark model (wasm, 1 thread), alternating step
// by step in one process so that both see the same machine load: median CPU time of each.
// Usage: node scripts/ab-train-step.mjs DIR_A DIR_B [arch] [layers] [attention] [steps]
// (DIR_A, DIR_B: checkouts with a built dist/, e.g. another worktree and this one).
const [, , dirA, dirB, arch = 'lstm', layers = '1', attention = 'general', steps = '6'] = process.argv;
async function load(dir) {
  const T = await import(dir + '/dist/src/tensor/index.js');
  const K = await import(dir + '/dist/src/kernels/index.js');
  const M = await import(dir + '/dist/src/models/index.js');
  const be = await K.createBackend({ backend: 'wasm', threads: 1 });
  T.setBackend(be);
  const B = 64, S = 20, Tn = 20, V = 1000;
  const model = M.buildModel({ kind: 'tokens', arch, attention, layers: +layers, bidirectional: true, emb: 256, hidden: 256, dropout: 0, srcVocab: V, tgtVocab: V, tieEmbeddings: false, inputFeeding: true }, new T.Rng(1));
  const rng = new T.Rng(2);
  const src = Int32Array.from({ length: B * S }, () => 4 + rng.int(V - 4));
  const tgtIn = Int32Array.from({ length: B * Tn }, () => 4 + rng.int(V - 4));
  const tgtOut = Int32Array.from({ length: B * Tn }, () => 4 + rng.int(V - 4));
  const batch = { B, S, T: Tn, src, srcLen: new Array(B).fill(S), tgtIn, tgtOut };
  const opt = new T.Adam(model.parameters(), { lr: 1e-3 });
  model.train();
  return () => { T.setBackend(be); const c0 = process.cpuUsage(); T.tidy(() => { const { loss } = model.loss(batch); loss.item(); loss.backward(); opt.step(); opt.zeroGrad(); }); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };
}
const a = await load(dirA), b = await load(dirB);
a(); b();
const ta = [], tb = [];
for (let i = 0; i < +steps; i++) { ta.push(a()); tb.push(b()); }
const med = (x) => { const s = [...x].sort((p, q) => p - q); return s[s.length >> 1]; };
console.log(JSON.stringify({ arch, layers, attention, A: dirA, B: dirB, cpuA: med(ta), cpuB: med(tb), ratio: +(med(ta) / med(tb)).toFixed(3) }));
process.exit(0);
