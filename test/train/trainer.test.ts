import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCodecs } from '../../src/data/index.js';
import { buildModel } from '../../src/models/index.js';
import { mulScalar, Rng, type Tensor } from '../../src/tensor/index.js';
import { encodePairs, loadRun, trainRun, Trainer, greedyIds, RUN_FILES, type IdBatch, type StepInfo } from '../../src/train/index.js';
import { readSafetensors } from '../../src/platform/node-safetensors.js';
import { copyPairs, tempDir, TINY_MODEL } from './helpers.js';

const pairs = copyPairs(240, 11);
const train = pairs.slice(40);
const valid = pairs.slice(0, 40);
const codecs = buildCodecs(train, { tokenizer: 'space' });
const OPTS = { batchTokens: 120, lr: 0.01, validEvery: 4, logEvery: 1, seed: 5, validDecode: 20 } as const;

test('resume after a stop (SIGINT) continues with the same loss curve as an uninterrupted run', async () => {
  const a = tempDir('s2s-resume-a-');
  const b = tempDir('s2s-resume-b-');
  try {
    const full: number[] = [];
    // logEvery 4 and a stop at step 6: the first train line after the resume (step 8) averages steps 5–8 in both runs.
    const opts = { ...OPTS, maxSteps: 14, logEvery: 4 };
    const r = await trainRun({ out: a.dir, codecs, train, valid, model: TINY_MODEL, options: opts, progress: false, say: () => {}, onStep: (s) => full.push(s.loss) });
    assert.equal(r.reason, 'max-steps');
    assert.equal(full.length, 14);

    const part: number[] = [];
    // Ctrl-C during step 6 (an odd step: not at a validation), delivered as the signal event the CLI listens to.
    const onStep = (s: StepInfo): void => {
      part.push(s.loss);
      if (s.step === 6) process.emit('SIGINT', 'SIGINT');
    };
    const r1 = await trainRun({ out: b.dir, codecs, train, valid, model: TINY_MODEL, options: opts, handleSignals: true, progress: false, say: () => {}, onStep });
    assert.equal(r1.reason, 'SIGINT');
    assert.equal(r1.exitCode, 130);
    assert.equal(r1.step, 6);
    const state = JSON.parse(readFileSync(join(b.dir, RUN_FILES.state), 'utf8'));
    assert.equal(state.step, 6);
    assert.equal(state.stopped, 'SIGINT');

    const r2 = await trainRun({ out: b.dir, train, valid, resume: true, options: opts, progress: false, say: () => {}, onStep: (s) => part.push(s.loss) });
    assert.equal(r2.reason, 'max-steps');
    assert.deepEqual(part, full, 'loss per step, interrupted + resumed vs uninterrupted');
    // The final weights are bit-identical too.
    const wa = readSafetensors(join(a.dir, RUN_FILES.model)).tensors;
    const wb = readSafetensors(join(b.dir, RUN_FILES.model)).tensors;
    for (const [name, t] of wa) assert.deepEqual(wb.get(name)!.data, t.data, name);
    // log.jsonl: the same train lines (step, loss, ppl, lr, grad_norm, tokens) and valid lines, once each, across both sessions.
    const lines = (dir: string, type: string): unknown[] => readFileSync(join(dir, RUN_FILES.log), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((e) => e.type === type).map(({ elapsed, tok_per_s, ...rest }) => (void elapsed, void tok_per_s, rest));
    assert.deepEqual(lines(b.dir, 'train').map((e) => (e as { step: number }).step), [4, 8, 12]);
    assert.deepEqual(lines(b.dir, 'train'), lines(a.dir, 'train'));
    assert.deepEqual(lines(b.dir, 'valid'), lines(a.dir, 'valid'));
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('resuming a run that already reached its limit does not validate the same step again', async () => {
  for (const maxSteps of [8, 6]) {
    const d = tempDir('s2s-revalid-');
    try {
      const opts = { ...OPTS, maxSteps, patience: 5 };
      await trainRun({ out: d.dir, codecs, train, valid, model: TINY_MODEL, options: opts, progress: false, say: () => {} });
      const before = JSON.parse(readFileSync(join(d.dir, RUN_FILES.state), 'utf8'));
      assert.equal(before.lastValidStep, maxSteps);
      const seen: number[] = [];
      const r = await trainRun({ out: d.dir, train, valid, resume: true, options: opts, progress: false, say: () => {}, onValid: (v) => seen.push(v.step) });
      assert.equal(r.reason, 'max-steps');
      assert.deepEqual(seen, []);
      const after = JSON.parse(readFileSync(join(d.dir, RUN_FILES.state), 'utf8'));
      assert.equal(after.badValidations, before.badValidations);
      const validSteps = readFileSync(join(d.dir, RUN_FILES.log), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'valid').map((e) => e.step);
      assert.deepEqual(validSteps, maxSteps === 8 ? [4, 8] : [4, 6]);
    } finally {
      d.cleanup();
    }
  }
});

/** A trainer whose loss is NaN at the steps listed (counting calls from 1). */
class NanTrainer extends Trainer {
  calls = 0;
  nanAt: (call: number) => boolean = () => false;
  protected override computeLoss(batch: IdBatch): { loss: Tensor; tokens: number } {
    const r = super.computeLoss(batch);
    this.calls++;
    return this.nanAt(this.calls) ? { loss: mulScalar(r.loss, NaN), tokens: r.tokens } : r;
  }
}

function nanTrainer(dir: string, maxSteps: number, maxNan: number): NanTrainer {
  const rng = new Rng(3);
  const model = buildModel({ ...TINY_MODEL, srcVocab: codecs.src.vocab.size, tgtVocab: codecs.tgt.vocab.size }, rng);
  const ex = encodePairs(train, codecs).examples;
  return new NanTrainer({ model, rng, runDir: dir, train: ex, valid: [], options: { ...OPTS, maxSteps, maxNan }, progress: false, say: () => {} });
}

test('a NaN loss is reported and its update skipped; the run stops after maxNan in a row', async () => {
  const d = tempDir('s2s-nan-');
  try {
    const t = nanTrainer(d.dir, 6, 3);
    t.nanAt = (c) => c === 3;
    const params = t.model.parameters();
    let before: Float32Array[] = [];
    const seen: StepInfo[] = [];
    t['init'].onStep = (s: StepInfo) => {
      seen.push(s);
      if (s.step === 2) before = params.map((p) => Float32Array.from(p.f32));
      if (s.step === 3) params.forEach((p, i) => assert.deepEqual(Float32Array.from(p.f32), before[i]!, 'weights unchanged by the NaN step'));
    };
    const r = await t.run();
    assert.equal(r.reason, 'max-steps');
    assert.deepEqual(seen.map((s) => s.skipped), [false, false, true, false, false, false]);
    const log = readFileSync(join(d.dir, RUN_FILES.log), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(log.filter((e) => e.type === 'nan').map((e) => e.step), [3]);

    const d2 = tempDir('s2s-nan2-');
    try {
      const t2 = nanTrainer(d2.dir, 50, 3);
      t2.nanAt = (c) => c >= 2;
      const r2 = await t2.run();
      assert.equal(r2.reason, 'nan');
      assert.equal(r2.exitCode, 1);
      assert.equal(r2.step, 4);
    } finally {
      d2.cleanup();
    }
  } finally {
    d.cleanup();
  }
});

test('loadRun in a fresh process gives the same translations as the trained model', async () => {
  const d = tempDir('s2s-reload-');
  try {
    const r = await trainRun({ out: d.dir, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, maxSteps: 30, validEvery: 30 }, progress: false, say: () => {} });
    assert.ok(existsSync(join(d.dir, RUN_FILES.best)));
    const inputs = ['a b c', 'h g f e d', 'a a a b', 'c', ''];
    const here = await loadRun(d.dir);
    const mine = here.translate(inputs, { beam: 3, nBest: 2 }).map((t) => t.hypotheses.map((h) => [h.text, h.score]));
    // The trained model object itself (best = last here: one validation at the end) decodes the same.
    // (An empty line is not decoded: translate gives it no tokens.)
    const direct = greedyIds(r.model, inputs.map((s) => codecs.src.encode(s)), 20).map((ids, i) => (inputs[i] === '' ? [] : ids));
    assert.deepEqual(direct, here.translate(inputs, { beam: 1 }).map((t) => t.hypotheses[0]!.tokens.map((tok) => codecs.tgt.vocab.id(tok))));
    const runJs = fileURLToPath(new URL('../../src/train/index.js', import.meta.url));
    const script = `import { loadRun } from ${JSON.stringify(runJs)};
      const run = await loadRun(process.argv[1]);
      const out = run.translate(${JSON.stringify(inputs)}, { beam: 3, nBest: 2 }).map((t) => t.hypotheses.map((h) => [h.text, h.score]));
      process.stdout.write(JSON.stringify(out));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, d.dir], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), mine);
  } finally {
    d.cleanup();
  }
});

test('early stopping: patience validations without improvement stop the run; lr schedules drive the optimizer', async () => {
  const d = tempDir('s2s-early-');
  try {
    // lr 0: the validation loss never improves after the first validation.
    const r = await trainRun({ out: d.dir, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, lr: 0, validEvery: 2, patience: 3, maxSteps: 100 }, progress: false, say: () => {} });
    assert.equal(r.reason, 'early-stop');
    assert.equal(r.step, 8); // best at step 2, then 3 validations (4, 6, 8) without improvement
    assert.equal(r.bestStep, 2);
    const log = readFileSync(join(d.dir, RUN_FILES.log), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(log.filter((e) => e.type === 'valid').map((e) => e.best), [true, false, false, false]);
    assert.equal(log.at(-1).type, 'end');
    assert.equal(log.at(-1).reason, 'early-stop');

    const d2 = tempDir('s2s-noam-');
    try {
      const seen: number[] = [];
      await trainRun({ out: d2.dir, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, schedule: 'noam', warmup: 4, lr: 0.01, maxSteps: 8, validEvery: 0 }, progress: false, say: () => {}, onStep: (s) => seen.push(s.lr) });
      // lr · min(step / warmup, sqrt(warmup / step))
      const expected = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => 0.01 * Math.min(s / 4, Math.sqrt(4 / s)));
      seen.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 1e-12, `step ${i + 1}: ${x} vs ${expected[i]}`));
    } finally {
      d2.cleanup();
    }
  } finally {
    d.cleanup();
  }
});

test('the defaults: lr 0.002 falling linearly to 0, label smoothing 0.1; with no limit given, 10 epochs to fall over', async () => {
  const d = tempDir('s2s-defaults-');
  try {
    const few = pairs.slice(40, 60); // 20 pairs: a couple of batches an epoch
    const lrs: number[] = [];
    const r = await trainRun({ out: d.dir, codecs, train: few, valid, model: TINY_MODEL, options: { batchTokens: 120, validEvery: 0, validDecode: 0, patience: 0, seed: 5 }, progress: false, say: () => {}, onStep: (s) => lrs.push(s.lr) });
    assert.equal(r.reason, 'max-epochs');
    const cfg = JSON.parse(readFileSync(join(d.dir, 'config.json'), 'utf8'));
    assert.equal(cfg.training.schedule, 'linear');
    assert.equal(cfg.training.labelSmoothing, 0.1);
    assert.equal(cfg.training.maxEpochs, 10);
    assert.ok(lrs[0]! <= 0.002 && lrs[0]! > 0.0018, `the first step's lr ${lrs[0]}`);
    for (let i = 1; i < lrs.length; i++) assert.ok(lrs[i]! < lrs[i - 1]!, `the lr falls at every step (step ${i + 1}: ${lrs[i]} after ${lrs[i - 1]})`);
    assert.ok(lrs.at(-1)! < 0.002 / lrs.length * 1.5, `the last step's lr ${lrs.at(-1)} is near 0`);
  } finally {
    d.cleanup();
  }
});
