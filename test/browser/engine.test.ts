import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// As a web app would import it; the engine worker runs in worker_threads here, the same protocol as in a page.
import { BrowserEngine, type TrainProgress } from 's2s/browser';
import { buildCodecs, createBackend, loadRun, setBackend, trainRun } from 's2s';
import { dateSplits } from 's2s/demo';

const SENTENCES = ['3rd of March 1998', 'Tue 3 Mar 98', '12/11/04'];

/** A small dates run in a temporary folder (a few seconds). */
async function smallRun(dir: string): Promise<void> {
  const { train, valid } = dateSplits({ train: 600, valid: 20, test: 0 }, 3);
  await trainRun({
    out: dir, codecs: buildCodecs(train, { tokenizer: 'char' }), train, valid,
    model: { arch: 'lstm', attention: 'general', emb: 16, hidden: 32 },
    options: { batchSize: 32, lr: 0.01, maxSteps: 40, validEvery: 20 },
    say: () => {},
  });
}

test('BrowserEngine: a run loaded from bytes translates exactly as loadRun does in Node (beam, n-best, attention, sampling)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 's2s-engine-'));
  let engine: BrowserEngine | null = null;
  try {
    setBackend(await createBackend({ backend: 'wasm', threads: 1 }));
    engine = await BrowserEngine.start({ backend: 'wasm', threads: 2 });
    await smallRun(dir);
    assert.equal(engine.info.backend, 'wasm');
    assert.equal(engine.info.threads, 2);
    const info = await engine.loadFromBytes('dates', readFileSync(join(dir, 'config.json'), 'utf8'), readFileSync(join(dir, 'model.best.safetensors')));
    const node = await loadRun(dir);
    assert.equal(info.name, 'dates');
    assert.deepEqual(info.vocab, { source: node.codecs.src.vocab.size, target: node.codecs.tgt.vocab.size });
    assert.equal(info.parameters, node.model.parameterCount());
    assert.equal(info.config['hidden'], 32);

    const beam = await engine.translate('dates', SENTENCES, { beam: 4, nBest: 3, attention: true });
    const want = node.translate(SENTENCES, { beam: 4, nBest: 3, batchSize: SENTENCES.length });
    assert.equal(beam.length, 3);
    beam.forEach((t, i) => {
      assert.deepEqual(t.sourceTokens, want[i]!.sourceTokens);
      assert.equal(t.hypotheses.length, 3);
      t.hypotheses.forEach((h, k) => {
        const w = want[i]!.hypotheses[k]!;
        assert.equal(h.text, w.text);
        assert.equal(h.score, w.score);
        assert.deepEqual(h.tokens, w.tokens);
        // one attention row per output token (EOS included) over the source tokens
        assert.ok(h.attention && h.attention.length >= h.tokens.length && h.attention[0]!.length === t.sourceTokens.length);
      });
    });
    // without attention: none sent
    const plain = await engine.translate('dates', SENTENCES[0]!, { beam: 2 });
    assert.equal(plain[0]!.hypotheses[0]!.attention, undefined);

    const sampled = await engine.translate('dates', SENTENCES, { sample: true, temperature: 0.7, topK: 5, seed: 11 });
    const wantSampled = node.translate(SENTENCES, { sample: true, beam: 1, nBest: 1, temperature: 0.7, topK: 5, seed: 11, batchSize: SENTENCES.length });
    assert.deepEqual(sampled.map((t) => t.hypotheses[0]!.text), wantSampled.map((t) => t.hypotheses[0]!.text));

    // the run exported as loaded
    const files = await engine.exportRun('dates');
    assert.equal(files.config, readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(Buffer.from(files.weights), readFileSync(join(dir, 'model.best.safetensors')));
  } finally {
    await engine?.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BrowserEngine: mistakes come back as errors naming the model, file or line, and the engine keeps working', async () => {
  const engine = await BrowserEngine.start({ backend: 'js' });
  try {
    await assert.rejects(engine.translate('nope', 'x'), /no model named 'nope'/);
    await assert.rejects(engine.loadFromBytes('bad', '{"format":"other"}', new Uint8Array(8), { config: 'picked/config.json' }),
      (e: Error) => e.name === 'UserError' && /picked\/config\.json: not an s2s run config/.test(e.message));
    await assert.rejects(engine.loadFromBytes('bad', 'not json', new Uint8Array(8)), /config\.json: the run config is not valid JSON/);
    await assert.rejects(engine.train({ name: 't', task: { kind: 'tsv', text: 'a\tb\nno tab here\n', label: 'drop.tsv' }, seconds: 1 }),
      /drop\.tsv:2: expected exactly one tab/);
    await assert.rejects(engine.loadFromUrl('u', 'http://127.0.0.1:9/nothing/'), /127\.0\.0\.1:9\/nothing\/config\.json: request failed/);
    await assert.rejects(engine.exportRun('nope'), /no model named 'nope'/);
  } finally {
    await engine.terminate();
  }
  await assert.rejects(engine.translate('x', 'y'), /terminated/);
});

test('BrowserEngine: trains the dates model in the worker with progress and validations; the exported run loads in Node and translates the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 's2s-engine-train-'));
  let engine: BrowserEngine | null = null;
  try {
    engine = await BrowserEngine.start({ backend: 'wasm', threads: 1 });
    const events: TrainProgress[] = [];
    const summary = await engine.train({
      name: 'mine', task: { kind: 'dates', trainSize: 500, validSize: 20 }, seconds: 3,
      model: { emb: 16, hidden: 32 }, options: { validEvery: 25, batchSize: 32 },
    }, (p) => events.push(p));
    assert.equal(summary.reason, 'max-time');
    assert.ok(summary.steps >= 10, `trained ${summary.steps} steps in 3 s`);
    assert.ok(events.length >= 3, `${events.length} progress events`);
    const valids = events.filter((e) => e.valid);
    assert.ok(valids.length >= 1 && valids.every((e) => Number.isFinite(e.valid!.loss)));
    assert.ok(events.every((e, i) => i === 0 || e.step >= events[i - 1]!.step), 'steps never go back');
    assert.ok(events.every((e) => e.fraction >= 0 && e.fraction <= 1));
    assert.equal(summary.model.config['hidden'], 32);

    const files = await engine.exportRun('mine');
    writeFileSync(join(dir, 'config.json'), files.config);
    writeFileSync(join(dir, 'model.safetensors'), files.weights);
    setBackend(await createBackend({ backend: 'wasm', threads: 1 }));
    const node = await loadRun(dir);
    const inPage = await engine.translate('mine', SENTENCES, { beam: 3 });
    assert.deepEqual(inPage.map((t) => t.hypotheses[0]!.text), node.translator.translateText(SENTENCES, { beam: 3, batchSize: SENTENCES.length }));
  } finally {
    await engine?.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BrowserEngine: stopTraining ends a run early and keeps the model', async () => {
  const engine = await BrowserEngine.start({ backend: 'js' });
  try {
    let asked = false;
    const run = engine.train({ name: 's', task: { kind: 'tsv', text: 'ab\tba\ncd\tdc\nef\tfe\ngh\thg\n'.repeat(5), label: 'tiny.tsv', validFraction: 0 }, seconds: 60,
      model: { emb: 8, hidden: 8 }, options: { batchSize: 4 } }, () => {
      if (!asked) { asked = true; void engine.stopTraining(); }
    });
    const summary = await run;
    assert.equal(summary.reason, 'SIGINT');
    assert.ok(summary.seconds < 30, `stopped after ${summary.seconds.toFixed(1)} s`);
    const [t] = await engine.translate('s', 'ab', { beam: 1 });
    assert.equal(typeof t!.hypotheses[0]!.text, 'string');
  } finally {
    await engine.terminate();
  }
});
