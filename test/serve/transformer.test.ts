/** s2s serve holds a Transformer run beside an RNN run: same API, the same results as the library. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildCodecs } from '../../src/data/index.js';
import { createApp, ModelRegistry, type App } from '../../src/serve/index.js';
import { trainRun } from '../../src/train/index.js';
import { copyPairs } from '../train/helpers.js';
import { call, makeRun, translate } from './helpers.js';

test('serve: a Transformer run and an RNN run side by side; beam, n-best and attention as the library gives them', async () => {
  const rnn = await makeRun();
  let served: App | null = null;
  try {
    const pairs = copyPairs(300, 5);
    const dir = join(rnn.root, 'transformer');
    await trainRun({
      out: dir, codecs: buildCodecs(pairs, { tokenizer: 'space' }), train: pairs.slice(40), valid: pairs.slice(0, 40),
      model: { arch: 'transformer', emb: 16, heads: 2, ffn: 32, layers: 1, dropout: 0 },
      options: { batchTokens: 150, maxSteps: 20, validEvery: 20, warmup: 5, lr: 0.01, seed: 3 }, progress: false, say: () => {},
    });
    const registry = await ModelRegistry.load([{ name: 'tf', dir }, { name: 'rnn', dir: rnn.dir }]);
    served = createApp({ models: registry, log: () => {} });
    const port = (await served.listen(0, '127.0.0.1')).port;
    const texts = ['a b c', 'h g f e', '', 'd'];
    const r = await translate(port, { texts, beam: 3, nBest: 2, model: 'tf' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.model, 'tf');
    const lib = registry.get('tf')!.translator!.translate(texts, { beam: 3, nBest: 2, maxLen: 513 });
    r.json.translations.forEach((t: any, i: number) => {
      assert.deepEqual(t.hypotheses.map((h: any) => [h.text, h.score]), lib[i]!.hypotheses.map((h) => [h.text, h.score]));
    });
    const a = await translate(port, { text: 'a b c', attention: true, beam: 2, model: 'tf' });
    const ha = a.json.translations[0].hypotheses[0];
    assert.equal(ha.attention.length, ha.tokens.length);
    for (const row of ha.attention) assert.ok(row.length === 3 && Math.abs(row.reduce((s: number, x: number) => s + x, 0) - 1) < 1e-4);
    assert.equal((await translate(port, { text: 'a b c', model: 'rnn' })).status, 200);
    const models = await call(port, 'GET', '/v1/models');
    const tf = models.json.models.find((m: any) => m.name === 'tf');
    assert.equal(tf.config.arch, 'transformer');
    assert.equal(tf.config.heads, 2);
  } finally {
    if (served) await served.drain();
    rnn.cleanup();
  }
});
