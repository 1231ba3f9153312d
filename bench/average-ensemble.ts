/**
 * Does checkpoint averaging / ensembling help on the dates task? Trains two date-normalisation
 * runs (the `s2s demo` model and data, fixed step budget, seeds 1 and 2) with --keep-checkpoints,
 * then measures on the test split, greedy exact match and the teacher-forced cross-entropy per
 * target token (EOS included; more sensitive than exact match once that saturates), of: each
 * run's last weights, run 1's best, the average of run 1's last `keep` kept checkpoints, and the
 * 2-run ensemble (EnsembleScorer over the two last weights). Prints one JSON object. With `dir`
 * given, runs already trained there to `steps` are reused.
 *
 *   node dist/bench/average-ensemble.js [steps=1500] [keep=5] [validEvery=150] [threads=2] [dir]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCodecs } from '../src/data/index.js';
import { dateSplits } from '../src/demo/dates.js';
import { createBackend } from '../src/kernels/index.js';
import { openRunFolder } from '../src/platform/node-run-store.js';
import type { CodecPair } from '../src/data/index.js';
import type { Scorer } from '../src/decode/index.js';
import { BOS_ID, EOS_ID } from '../src/util/special-ids.js';
import { noGrad, setBackend, tidy } from '../src/tensor/index.js';
import { averageRunCheckpoints, CONSTANT_LR_NO_SMOOTHING, loadEnsemble, loadRun, makeSourceBatch, RUN_FILES, trainRun, type Translator } from '../src/train/index.js';

const [steps = 1500, keep = 5, validEvery = 150, threads = 2] = process.argv.slice(2, 6).map(Number);
const dir = process.argv[6] ?? mkdtempSync(join(tmpdir(), 's2s-avg-ens-'));
setBackend(await createBackend({ backend: 'wasm', threads }));
const { train, valid, test } = dateSplits({ train: 6000, valid: 200, test: 500 }, 1);
const codecs = buildCodecs(train, { tokenizer: 'char' });
const exact = (t: Translator): number => {
  const got = t.translateText(test.map((p) => p.src), { beam: 1, batchSize: 100 });
  return (100 * got.filter((g, i) => g === test[i]!.tgt).length) / test.length;
};
/** Mean −log p(reference token) over the test split's target tokens and EOS, fed the reference prefix (through the Scorer, so ensembles too). */
const crossEntropy = (model: Scorer, c: CodecPair): number => noGrad(() => {
  let nll = 0;
  let n = 0;
  for (let i = 0; i < test.length; i += 100) {
    const chunk = test.slice(i, i + 100);
    const batch = makeSourceBatch(chunk.map((p) => c.src.vocab.encode(c.src.tokenize(p.src))));
    const refs = chunk.map((p) => [...c.tgt.vocab.encode(c.tgt.tokenize(p.tgt)), EOS_ID]);
    tidy(() => {
      let state = model.startState(model.encode(batch.src, batch.srcLen, batch.B, batch.S));
      const prev = new Int32Array(batch.B).fill(BOS_ID);
      for (let t = 0; t < Math.max(...refs.map((r) => r.length)); t++) {
        const r = model.step(state, prev);
        const lp = r.logProbs.f32;
        const V = r.logProbs.shape[1]!;
        refs.forEach((ref, b) => {
          if (t >= ref.length) return;
          nll -= lp[b * V + ref[t]!]!;
          n++;
          prev[b] = ref[t]!;
        });
        state = r.state;
      }
    });
  }
  return Math.round((nll / n) * 1e5) / 1e5;
});
const measure = async (t: { translator: Translator; codecs: CodecPair }, model: Scorer): Promise<{ exact: number; xent: number }> =>
  ({ exact: exact(t.translator), xent: crossEntropy(model, t.codecs) });
const runs: string[] = [];
const t0 = performance.now();
for (const seed of [1, 2]) {
  const out = join(dir, `dates-${seed}`);
  runs.push(out);
  const done = existsSync(join(out, RUN_FILES.state)) && JSON.parse(readFileSync(join(out, RUN_FILES.state), 'utf8')).step === steps;
  if (!done) await trainRun({
    out, codecs, train, valid, overwrite: true, progress: false, say: () => {},
    model: { arch: 'lstm', attention: 'general', bidirectional: true, emb: 32, hidden: 64, dropout: 0.1 },
    options: { ...CONSTANT_LR_NO_SMOOTHING, batchSize: 64, lr: 0.01, maxSteps: steps, validEvery, validDecode: 200, patience: 0, seed, clip: 5, metric: 'exact', keepCheckpoints: keep },
  });
}
const trainSeconds = (performance.now() - t0) / 1000;
const store = openRunFolder(runs[0]!, { create: false });
const avg = averageRunCheckpoints(store, keep);
store.writeAtomic(RUN_FILES.average, avg.bytes);
const at = async (run: string, weights: 'last' | 'best' | 'average'): Promise<{ exact: number; xent: number }> => {
  const r = await loadRun(run, { weights });
  return measure(r, r.model);
};
const last1 = await at(runs[0]!, 'last');
const best1 = await at(runs[0]!, 'best');
const average1 = await at(runs[0]!, 'average');
const last2 = await at(runs[1]!, 'last');
const ens = await loadEnsemble(runs, { weights: 'last' });
const ensemble = await measure(ens, ens.scorer);
console.log(JSON.stringify({
  task: 'dates (s2s demo data: 6000 train, 500 test, char codec), LSTM+general attention emb 32 hidden 64; test greedy exact match % and teacher-forced cross-entropy per token',
  steps, keep, validEvery, threads, trainSeconds: Math.round(trainSeconds),
  averagedSteps: avg.checkpoints.map((k) => k.step),
  run1: { last: last1, best: best1, [`average_last_${keep}`]: average1 },
  run2: { last: last2 },
  ensemble_last_1_2: ensemble,
}));
if (process.argv[6] === undefined) rmSync(dir, { recursive: true, force: true });
process.exit(0);
