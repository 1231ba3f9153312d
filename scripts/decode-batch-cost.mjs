// node scripts/decode-batch-cost.mjs RUN BEAM B1,B2,… [SECONDS] [LETTERS]: what one decoding call of
// B texts costs on one wasm thread, per call and per text, for each B — the ceiling on what
// batching can gain in a server (alone: B = 1). The texts are 3–8 random letters of LETTERS
// (default a–h, what bench serve's copy model reads), space-separated: RUN's source side must
// tokenize by spaces (the copy model, the g2p-cmudict recipe's run). Prints one JSON line.
import { performance } from 'node:perf_hooks';
const dist = new URL('../dist/', import.meta.url).href;
const [run, beamArg, sizesArg, secondsArg, letters = 'abcdefgh'] = process.argv.slice(2);
if (!run || !beamArg || !sizesArg) {
  console.error('usage: node scripts/decode-batch-cost.mjs RUN BEAM B1,B2,… [SECONDS] [LETTERS]');
  process.exit(2);
}
const { createBackend } = await import(dist + 'src/kernels/index.js');
const { setBackend } = await import(dist + 'src/tensor/index.js');
const { loadRun } = await import(dist + 'src/train/index.js');
const { mulberry32 } = await import(dist + 'src/util/mulberry32.js');
setBackend(await createBackend({ backend: 'wasm', threads: 1 }));
const model = await loadRun(run);
const rnd = mulberry32(7);
const lines = Array.from({ length: 4000 }, () => Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => letters[Math.floor(rnd() * letters.length)]).join(' '));
const beam = Number(beamArg);
const seconds = Number(secondsArg ?? 2);
const sizes = {};
for (const B of sizesArg.split(',').map(Number)) {
  for (let w = 0; w < 20; w++) model.translate(lines.slice(0, B), { beam, batchSize: B });
  let at = 0;
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    model.translate(lines.slice(at, at + B), { beam, batchSize: B });
    at = (at + B) % (lines.length - B);
    calls++;
  }
  const ms = (performance.now() - t0) / calls;
  sizes[B] = { call_ms: +ms.toFixed(3), per_text_ms: +(ms / B).toFixed(4) };
}
const alone = sizes[1]?.per_text_ms;
console.log(JSON.stringify({ run, beam, sizes, ...(alone ? { gain_over_alone: Object.fromEntries(Object.entries(sizes).map(([B, s]) => [B, +(alone / s.per_text_ms).toFixed(2)])) } : {}) }));
