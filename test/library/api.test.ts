import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The package imports itself by name, exactly as a user's program would (README's library example).
import { buildCodecs, createBackend, setBackend, trainRun, loadRun, computeMetric } from 's2s';
import { dateSplits } from 's2s/demo';

test('library API: build, train, save, load and translate through the package root', async () => {
  const dir = mkdtempSync(join(tmpdir(), 's2s-lib-'));
  try {
    setBackend(await createBackend({ threads: 1 }));
    const { train, valid } = dateSplits({ train: 400, valid: 20, test: 0 }, 1);
    const codecs = buildCodecs(train, { tokenizer: 'char' });
    const result = await trainRun({
      out: dir, codecs, train, valid,
      model: { arch: 'lstm', attention: 'general', emb: 16, hidden: 32 },
      options: { batchSize: 32, lr: 0.01, maxSteps: 40, validEvery: 20 },
    });
    assert.equal(result.reason, 'max-steps');
    assert.equal(result.step, 40);
    for (const f of ['config.json', 'model.safetensors', 'model.best.safetensors', 'log.jsonl']) {
      assert.ok(existsSync(join(dir, f)), `${f} written`);
    }
    const run = await loadRun(dir);
    const out = run.translator.translateText(['3rd of March 1998', 'Tue 3 Mar 98'], { beam: 3 });
    assert.equal(out.length, 2);
    for (const s of out) assert.equal(typeof s, 'string');
    // the output is scored by the same package (exact match of two strings against themselves = 100)
    assert.equal(computeMetric('exact', out, out.map((s) => [s])).score, 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
