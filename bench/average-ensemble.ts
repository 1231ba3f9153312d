/**
 * Does checkpoint averaging / ensembling help on the dates task? Trains two date-normalisation
 * runs (the `s2s demo` model and data, fixed step budget, seeds 1 and 2) with --keep-checkpoints,
 * then measures test exact match (greedy) of: each run's last weights, the average of the last
 * `keep` kept checkpoints of run 1, and the 2-run ensemble. Prints one JSON object.
 *
 *   node dist/bench/average-ensemble.js [steps=1500] [keep=5] [validEvery=150] [threads=2] [dir]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCodecs } from '../src/data/index.js';
import { dateSplits } from '../src/demo/dates.js';
import { createBackend } from '../src/kernels/index.js';
import { openRunFolder } from '../src/platform/node-run-store.js';
import { setBackend } from '../src/tensor/index.js';
import { averageRunCheckpoints, loadEnsemble, loadRun, RUN_FILES, trainRun, type Translator } from '../src/train/index.js';

const [steps = 1500, keep = 5, validEvery = 150, threads = 2] = process.argv.slice(2, 6).map(Number);
const dir = process.argv[6] ?? mkdtempSync(join(tmpdir(), 's2s-avg-ens-'));
setBackend(await createBackend({ backend: 'wasm', threads }));
const { train, valid, test } = dateSplits({ train: 6000, valid: 200, test: 500 }, 1);
const codecs = buildCodecs(train, { tokenizer: 'char' });
const exact = (t: Translator): number => {
  const got = t.translateText(test.map((p) => p.src), { beam: 1, batchSize: 100 });
  return (100 * got.filter((g, i) => g === test[i]!.tgt).length) / test.length;
};
const runs: string[] = [];
const t0 = performance.now();
for (const seed of [1, 2]) {
  const out = join(dir, `dates-${seed}`);
  runs.push(out);
  await trainRun({
    out, codecs, train, valid, overwrite: true, progress: false, say: () => {},
    model: { arch: 'lstm', attention: 'general', bidirectional: true, emb: 32, hidden: 64, dropout: 0.1 },
    options: { batchSize: 64, lr: 0.01, maxSteps: steps, validEvery, validDecode: 200, patience: 0, seed, clip: 5, metric: 'exact', keepCheckpoints: keep },
  });
}
const trainSeconds = (performance.now() - t0) / 1000;
const store = openRunFolder(runs[0]!, { create: false });
const avg = averageRunCheckpoints(store, keep);
store.writeAtomic(RUN_FILES.average, avg.bytes);
const last1 = exact((await loadRun(runs[0]!, { weights: 'last' })).translator);
const best1 = exact((await loadRun(runs[0]!, { weights: 'best' })).translator);
const average1 = exact((await loadRun(runs[0]!, { weights: 'average' })).translator);
const last2 = exact((await loadRun(runs[1]!, { weights: 'last' })).translator);
const ensemble = exact((await loadEnsemble(runs, { weights: 'last' })).translator);
console.log(JSON.stringify({
  task: 'dates (s2s demo data: 6000 train, 500 test, char codec), LSTM+general attention emb 32 hidden 64, greedy test exact match %',
  steps, keep, validEvery, threads, trainSeconds: Math.round(trainSeconds),
  averagedSteps: avg.checkpoints.map((k) => k.step),
  run1: { last: last1, best: best1, [`average_last_${keep}`]: average1 },
  run2: { last: last2 },
  ensemble_last_1_2: ensemble,
}));
if (process.argv[6] === undefined) rmSync(dir, { recursive: true, force: true });
process.exit(0);
