import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, defaultDecode, ModelRegistry, type App, type BatchingOptions, type DecodeFn } from '../../src/serve/index.js';
import { makeRun, translate } from './helpers.js';

let run: Awaited<ReturnType<typeof makeRun>>;
let registry: ModelRegistry;

before(async () => {
  run = await makeRun();
  registry = await ModelRegistry.load([{ name: 'copy', dir: run.dir }]);
});
after(() => run.cleanup());

/** An app whose decoding calls are recorded (texts per call). */
async function withApp(batching: Partial<BatchingOptions>, limits: object, fn: (port: number, calls: number[], app: App) => Promise<void>): Promise<void> {
  const calls: number[] = [];
  const decode: DecodeFn = (m, lines, o) => {
    calls.push(lines.length);
    return defaultDecode(m, lines, o);
  };
  const app = createApp({ models: registry, batching, limits, decode, log: () => {} });
  const { port } = await app.listen(0, '127.0.0.1');
  try {
    await fn(port, calls, app);
  } finally {
    await app.drain();
  }
}

const OTHERS = ['b', 'c d e f g h', 'a a a', 'g f', 'e d c b a'];
const MODES: [string, object][] = [
  ['beam', { beam: 4, nBest: 2, lengthPenalty: 0.4 }],
  ['greedy', { beam: 1 }],
  ['sampling', { sample: true, temperature: 1.5, topK: 5, seed: 9 }],
];

test('batching: a request alone and batched with others gives identical outputs (beam, greedy, sampling)', async () => {
  const mine = { texts: ['a b c', 'h g f e d', 'c'], attention: true };
  const alone: Record<string, unknown> = {};
  await withApp({ enabled: false }, {}, async (port) => {
    for (const [name, o] of MODES) alone[name] = (await translate(port, { ...mine, ...o })).json;
  });
  await withApp({ windowMs: 150, maxBatch: 64 }, {}, async (port, calls) => {
    for (const [name, o] of MODES) {
      calls.length = 0;
      // Others first and last, some with their own seeds, so `mine` sits mid-batch at a different offset.
      const others = OTHERS.map((t, i) => translate(port, { texts: [t, OTHERS[(i + 1) % OTHERS.length]!], ...o, ...(i % 2 ? { seed: 100 + i } : {}) }));
      const [r] = await Promise.all([translate(port, { ...mine, ...o }), ...others]);
      assert.equal(r!.status, 200, r!.text);
      assert.deepEqual(calls, [3 + 2 * OTHERS.length], `${name}: all six requests in one decoding call`);
      assert.deepEqual(r!.json, alone[name], `${name}: batched = alone`);
    }
  });
});

test('batching: only requests with the same options share a call; maxBatch caps a call without splitting requests', async () => {
  await withApp({ windowMs: 150, maxBatch: 4 }, {}, async (port, calls) => {
    const rs = await Promise.all([
      translate(port, { texts: ['a b', 'c'], beam: 2 }),
      translate(port, { texts: ['a b'], beam: 3 }),
      translate(port, { texts: ['d e', 'f'], beam: 2 }),
      translate(port, { texts: ['g', 'h', 'a'], beam: 2 }),
      translate(port, { texts: ['b c'], beam: 3 }),
    ]);
    assert.ok(rs.every((r) => r.status === 200));
    // Oldest first: beam 2 takes requests 1 and 3 (4 texts; request 4 does not fit), then beam 3's two, then request 4.
    assert.deepEqual(calls, [4, 2, 3]);
    const alone = await translate(port, { texts: ['g', 'h', 'a'], beam: 2 });
    assert.deepEqual(rs[3]!.json, alone.json);
  });
});

test('batching off: one request per decoding call', async () => {
  await withApp({ enabled: false, windowMs: 50 }, {}, async (port, calls) => {
    const rs = await Promise.all([1, 2, 3].map((n) => translate(port, { texts: Array.from({ length: n }, () => 'a b'), beam: 2 })));
    assert.ok(rs.every((r) => r.status === 200));
    assert.deepEqual(calls, [1, 2, 3]);
  });
});

test('batching: a full queue answers 429 with Retry-After, and the queued request still completes', async () => {
  await withApp({ windowMs: 300 }, { maxQueue: 2 }, async (port, _calls, app) => {
    const first = translate(port, { texts: ['a b', 'c d'] });
    for (let i = 0; i < 200 && app.batcher.depth < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(app.batcher.depth, 2);
    const over = await translate(port, { text: 'e' });
    assert.equal(over.status, 429);
    assert.equal(over.headers['retry-after'], '1');
    assert.equal(over.json.error.code, 'overloaded');
    assert.match(over.json.error.message, /queue is full \(2 of 2 texts waiting, max-queue\)/);
    assert.equal((await first).status, 200);
    assert.equal((await translate(port, { text: 'e' })).status, 200);
  });
});

test('batching: batched = alone on the wasm backend with 2 threads too (the server default)', async () => {
  const { loadRun } = await import('../../src/train/index.js');
  const wasm = await loadRun(run.dir, { backend: 'wasm', threads: 2 });
  const mine = ['a b c', 'h g f e d', 'c'];
  const others = ['b', 'c d e f g h', 'a a a', 'g f', 'e d c b a a b c d e f g', 'h h h h'];
  for (const [name, o] of MODES) {
    const alone = wasm.translate(mine, { ...o, batchSize: 64 });
    const seeds = [...others.map((_, i) => 100 + i), ...mine.map((_, i) => 9 + i)];
    const batched = wasm.translate([...others, ...mine], { ...o, batchSize: 64, sentenceSeeds: seeds }).slice(others.length);
    assert.deepEqual(batched, alone, name);
  }
});

test('an internal error in decoding is a logged 500 for that call only; the server goes on', async () => {
  const logged: string[] = [];
  const decode: DecodeFn = (m, lines, o) => {
    if (lines.includes('boom')) throw new Error('kernel exploded');
    return defaultDecode(m, lines, o);
  };
  const app = createApp({ models: registry, batching: { windowMs: 0 }, decode, log: (l) => logged.push(l) });
  const { port } = await app.listen(0, '127.0.0.1');
  try {
    const bad = await translate(port, { text: 'boom' });
    assert.equal(bad.status, 500);
    assert.deepEqual(bad.json.error, { code: 'internal', message: 'internal error (logged on the server)' });
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /internal error on POST \/v1\/translate: Error: kernel exploded/);
    assert.equal((await translate(port, { text: 'a b' })).status, 200);
  } finally {
    await app.drain();
  }
});

test('drain: a request whose body is still arriving when draining starts is answered in full, with Connection: close', async () => {
  const app = createApp({ models: registry, batching: { windowMs: 50 }, log: () => {} });
  const { port } = await app.listen(0, '127.0.0.1');
  const { request, Agent } = await import('node:http');
  const body = JSON.stringify({ texts: ['a b c', 'd e'] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (first: string, rest: string | null): { started: Promise<void>; reply: Promise<{ status: number; text: string; connection: string | undefined }>; finish: () => void } => {
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    let req!: ReturnType<typeof request>;
    const reply = new Promise<{ status: number; text: string; connection: string | undefined }>((resolve, reject) => {
      req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/translate', agent, headers: { 'Content-Length': String(Buffer.byteLength(first + (rest ?? ''))) } }, (res) => {
        let t = '';
        res.on('data', (c: Buffer) => (t += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t, connection: res.headers['connection'] }));
      });
      req.on('error', reject);
      req.on('socket', (s) => (s.connecting ? s.once('connect', () => started()) : started()));
      req.write(first);
      if (rest === null) req.end();
    });
    return { started: startedP, reply, finish: () => req.end(rest ?? '') };
  };
  try {
    const half = send(body.slice(0, 10), body.slice(10));
    await half.started;
    await new Promise((r) => setTimeout(r, 50)); // the server has the headers and 10 bytes
    const drained = app.drain();
    half.finish();
    const r = await half.reply;
    assert.equal(r.status, 200, r.text);
    assert.equal(JSON.parse(r.text).translations.length, 2);
    assert.equal(r.connection, 'close');
    await drained;
  } finally {
    agent.destroy();
  }
});

test('batching: once the clients just answered are back, the window ends early', async () => {
  // A long window: the first call waits all of it; the second must start as soon as the four
  // answered clients have sent again, long before its window would end.
  await withApp({ windowMs: 1500, maxBatch: 64 }, {}, async (port, calls) => {
    const round = () => Promise.all(['a b', 'c', 'd e', 'f'].map((t) => translate(port, { texts: [t], beam: 2 })));
    const t0 = performance.now();
    await round();
    const first = performance.now() - t0;
    const t1 = performance.now();
    await round();
    const second = performance.now() - t1;
    assert.deepEqual(calls, [4, 4], 'each round is one call of all four');
    assert.ok(first >= 1400, `the first window is waited out (${first.toFixed(0)} ms)`);
    assert.ok(second < 1000, `the second call starts once the four are back (${second.toFixed(0)} ms)`);
  });
});
