/**
 * A Transformer run through the same machinery as the RNN models: trainRun writes its config
 * (architecture + the Transformer's training defaults), a stopped run resumes bit-identically,
 * loadRun in a fresh process translates the same, and a server and a page (run files as bytes)
 * load it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCodecs } from '../../src/data/index.js';
import { Transformer } from '../../src/models/index.js';
import { loadRun, trainRun, RUN_FILES, TRANSFORMER_TRAIN_DEFAULTS, type StepInfo } from '../../src/train/index.js';
import { loadRunFromBytes } from '../../src/train/run-bytes.js';
import { readSafetensors } from '../../src/platform/node-safetensors.js';
import { copyPairs, tempDir } from './helpers.js';

const pairs = copyPairs(240, 11);
const train = pairs.slice(40);
const valid = pairs.slice(0, 40);
const codecs = buildCodecs(train, { tokenizer: 'space' });
// every dropout on, so the resume must restore the Rng exactly
const MODEL = { arch: 'transformer', emb: 16, heads: 2, ffn: 32, layers: 1, decoderLayers: 2, dropout: 0.1, attentionDropout: 0.1, activationDropout: 0.1 } as const;
const OPTS = { batchTokens: 120, validEvery: 4, logEvery: 4, seed: 5, validDecode: 20, warmup: 4 } as const;

test('Transformer run: config.json holds the architecture and its training defaults; resume after a stop equals an uninterrupted run', async () => {
  const a = tempDir('s2s-tf-resume-a-');
  const b = tempDir('s2s-tf-resume-b-');
  try {
    const full: number[] = [];
    const opts = { ...OPTS, maxSteps: 12 };
    const r = await trainRun({ out: a.dir, codecs, train, valid, model: MODEL, options: opts, progress: false, say: () => {}, onStep: (s) => full.push(s.loss) });
    assert.equal(r.reason, 'max-steps');
    assert.ok(r.model instanceof Transformer);
    const cfg = JSON.parse(readFileSync(join(a.dir, RUN_FILES.config), 'utf8'));
    assert.equal(cfg.model.arch, 'transformer');
    assert.equal(cfg.model.decoderLayers, 2);
    assert.equal(cfg.model.tieEmbeddings, true);
    assert.equal(cfg.model.shareEmbeddings, false, 'two vocabularies: nothing to share');
    assert.equal(cfg.training.schedule, TRANSFORMER_TRAIN_DEFAULTS.schedule);
    assert.equal(cfg.training.labelSmoothing, TRANSFORMER_TRAIN_DEFAULTS.labelSmoothing);
    assert.equal(cfg.training.lr, TRANSFORMER_TRAIN_DEFAULTS.lr);
    assert.equal(cfg.training.warmup, 4, 'a given option beats the architecture default');

    const part: number[] = [];
    const onStep = (s: StepInfo): void => {
      part.push(s.loss);
      if (s.step === 6) process.emit('SIGINT', 'SIGINT');
    };
    const r1 = await trainRun({ out: b.dir, codecs, train, valid, model: MODEL, options: opts, handleSignals: true, progress: false, say: () => {}, onStep });
    assert.equal(r1.reason, 'SIGINT');
    const r2 = await trainRun({ out: b.dir, train, valid, resume: true, options: { maxSteps: 12 }, progress: false, say: () => {}, onStep: (s) => part.push(s.loss) });
    assert.equal(r2.reason, 'max-steps');
    assert.deepEqual(part, full, 'loss per step, interrupted + resumed vs uninterrupted');
    const wa = readSafetensors(join(a.dir, RUN_FILES.model)).tensors;
    const wb = readSafetensors(join(b.dir, RUN_FILES.model)).tensors;
    assert.ok(wa.has('decoder.layers.1.encoder_attn.q_proj.weight'));
    for (const [name, t] of wa) assert.deepEqual(wb.get(name)!.data, t.data, name);
    await assert.rejects(trainRun({ out: b.dir, train, valid, resume: true, model: { arch: 'transformer', heads: 4 }, options: { maxSteps: 14 }, progress: false, say: () => {} }), /saved model has heads 2, not 4/);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('Transformer run: loadRun in a fresh process, and from bytes (the page), translate the same; a shared vocabulary shares the embeddings', async () => {
  const d = tempDir('s2s-tf-reload-');
  try {
    const shared = buildCodecs(train, { tokenizer: 'space', sharedVocab: true });
    assert.equal(shared.shared, true);
    await trainRun({ out: d.dir, codecs: shared, train, valid, model: MODEL, options: { ...OPTS, maxSteps: 16, validEvery: 8 }, progress: false, say: () => {} });
    const cfg = JSON.parse(readFileSync(join(d.dir, RUN_FILES.config), 'utf8'));
    assert.equal(cfg.model.shareEmbeddings, true);
    const names = [...readSafetensors(join(d.dir, RUN_FILES.best)).tensors.keys()];
    assert.ok(names.includes('encoder.embed_tokens.weight') && !names.includes('decoder.embed_tokens.weight'));
    const inputs = ['a b c', 'h g f e d', 'a a a b', 'c', ''];
    const here = await loadRun(d.dir);
    const mine = here.translate(inputs, { beam: 3, nBest: 2 }).map((t) => t.hypotheses.map((h) => [h.text, h.score]));
    const runJs = fileURLToPath(new URL('../../src/train/index.js', import.meta.url));
    const script = `import { loadRun } from ${JSON.stringify(runJs)};
      const run = await loadRun(process.argv[1]);
      const out = run.translate(${JSON.stringify(inputs)}, { beam: 3, nBest: 2 }).map((t) => t.hypotheses.map((h) => [h.text, h.score]));
      process.stdout.write(JSON.stringify(out));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, d.dir], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), mine);
    const page = loadRunFromBytes(readFileSync(join(d.dir, RUN_FILES.config), 'utf8'), readFileSync(join(d.dir, RUN_FILES.best)));
    assert.deepEqual(page.translate(inputs, { beam: 3, nBest: 2 }).map((t) => t.hypotheses.map((h) => [h.text, h.score])), mine);
    const att = here.translate(['a b c'], { beam: 1, attention: true })[0]!.hypotheses[0]!;
    assert.equal(att.attention.length, att.tokens.length);
    for (const row of att.attention) assert.ok(row.length === 3 && Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-4);
  } finally {
    d.cleanup();
  }
});
