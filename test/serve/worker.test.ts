import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, DecodeWorker, ModelRegistry, type DecodeFn } from '../../src/serve/index.js';
import type { Translation } from '../../src/train/index.js';
import { UserError } from '../../src/util/errors.js';
import { call, makeRun, translate } from './helpers.js';

let run: Awaited<ReturnType<typeof makeRun>>;
let loaded: ModelRegistry;

before(async () => {
  run = await makeRun();
  loaded = await ModelRegistry.load([{ name: 'copy', dir: run.dir }]);
});
after(() => run.cleanup());

test('decode worker: the same outputs as decoding in this thread (beam, n-best, attention, greedy, sampling)', async () => {
  const opened = await ModelRegistry.open([{ name: 'copy', dir: run.dir }]);
  assert.equal(opened.get('copy')!.translator, null, 'open reads no weights');
  assert.deepEqual(opened.get('copy')!.run.config, loaded.get('copy')!.run.config);
  const worker = await DecodeWorker.start([{ name: 'copy', dir: run.dir }], { backend: 'js' }, () => assert.fail('the worker died'));
  try {
    assert.equal(worker.backend, 'js');
    const lines = ['a b c', 'h g f e d', 'c', 'e d c b a'];
    for (const o of [{ beam: 4, nBest: 2, attention: true }, { beam: 1 }, { sample: true, temperature: 1.5, sentenceSeeds: [1, 2, 3, 4] }]) {
      const here = loaded.get('copy')!.translator!.translate(lines, o);
      const there = await worker.decode(opened.get('copy')!, lines, o);
      assert.deepEqual(there, here, JSON.stringify(o));
      assert.ok(there[0]!.hypotheses[0]!.tokens.length > 0);
    }
  } finally {
    await worker.close();
  }
});

test('decode worker: a bad run folder is the UserError loading gives; a call to a model it lacks is an error', async () => {
  await assert.rejects(DecodeWorker.start([{ name: 'x', dir: run.root + '/nope' }], { backend: 'js' }, () => {}), (e: unknown) => e instanceof UserError && /no such run folder/.test(e.message));
  const worker = await DecodeWorker.start([{ name: 'copy', dir: run.dir }], { backend: 'js' }, () => {});
  try {
    await assert.rejects(worker.decode({ ...loaded.get('copy')!, name: 'other' }, ['a'], {}), /no model named 'other'/);
    assert.equal((await worker.decode(loaded.get('copy')!, ['a b'], {}))[0]!.source, 'a b', 'the worker goes on');
  } finally {
    await worker.close();
  }
  await assert.rejects(worker.decode(loaded.get('copy')!, ['a'], {}), /decode worker exited/, 'a closed worker refuses calls');
});

test('decoding off the HTTP thread: health answers during a call, and the requests that came meanwhile form the next call at once', async () => {
  const calls: number[] = [];
  const held: { release: (() => void) | null } = { release: null };
  // A decode that holds its first call until released, as a worker busy with a long batch would.
  const decode: DecodeFn = async (m, lines, o) => {
    calls.push(lines.length);
    if (calls.length === 1) await new Promise<void>((r) => (held.release = r));
    return m.translator!.translate(lines, o);
  };
  const app = createApp({ models: loaded, decode, decodeOffThread: true, batching: { windowMs: 400 }, log: () => {} });
  const { port } = await app.listen(0, '127.0.0.1');
  try {
    const first = translate(port, { text: 'a b c' });
    while (held.release === null) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    assert.equal((await call(port, 'GET', '/v1/health')).status, 200);
    assert.ok(performance.now() - t0 < 500, 'health does not wait for the call');
    const later = [translate(port, { text: 'b c' }), translate(port, { text: 'd' }), translate(port, { text: 'e f' })];
    while (app.batcher.depth < 3) await new Promise((r) => setTimeout(r, 5));
    const t1 = performance.now();
    held.release!();
    const replies = await Promise.all([first, ...later]);
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200]);
    assert.deepEqual(replies.map((r) => (r.json.translations as Translation[])[0]!.source), ['a b c', 'b c', 'd', 'e f']);
    assert.deepEqual(calls, [1, 3], 'the three queued requests share the next call');
    assert.ok(performance.now() - t1 < 350, 'the next call did not wait out the 400 ms window');
  } finally {
    await app.drain();
  }
});
