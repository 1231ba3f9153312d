// node scripts/decode-ab.mjs RUN TEXTS CALLS DIST_A DIST_B: times beam-5 decoding of TEXTS random letter
// strings per call with two builds of s2s (their dist/ folders) in one process, one call of each in
// turn on one wasm thread, and prints each side's median and mean ms per call as JSON. Interleaving in
// one process makes the A/B fair on a shared, noisy machine. RUN: a run folder whose source side
// tokenizes by spaces (letters), e.g. the g2p-cmudict recipe's.
import { performance } from 'node:perf_hooks';
const [model, Bs, callsS, ...dists] = process.argv.slice(2);
const B = +Bs, calls = +callsS;
const sides = [];
for (const d of dists) {
  const { createBackend } = await import(d + '/src/kernels/index.js');
  const { setBackend } = await import(d + '/src/tensor/index.js');
  const { loadRun } = await import(d + '/src/train/index.js');
  const be = await createBackend({ backend: 'wasm', threads: 1 });
  setBackend(be);
  sides.push({ d, setBackend, be, run: await loadRun(model), ms: [] });
}
const { mulberry32 } = await import(dists[0] + '/src/util/mulberry32.js');
const rnd = mulberry32(7);
const lines = Array.from({ length: 4000 }, () => Array.from({ length: 4 + Math.floor(rnd() * 6) }, () => 'abcdefghijklmnoprstu'[Math.floor(rnd() * 20)]).join(' '));
for (const s of sides) { s.setBackend(s.be); for (let w = 0; w < 10; w++) s.run.translate(lines.slice(0, B), { beam: 5 }); }
let i = 0;
for (let c = 0; c < calls; c++) {
  const batch = lines.slice(i, i + B); i = (i + B) % 3900;
  for (const s of sides) { s.setBackend(s.be); const t0 = performance.now(); s.run.translate(batch, { beam: 5 }); s.ms.push(performance.now() - t0); }
}
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
console.log(JSON.stringify({ B, calls, sides: sides.map((s) => ({ dist: s.d, median_ms: +med(s.ms).toFixed(3), mean_ms: +(s.ms.reduce((a, b) => a + b, 0) / s.ms.length).toFixed(3) })) }));
