import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, ModelRegistry, type App } from '../../src/serve/index.js';
import { call, makeRun, parsePrometheus, translate } from './helpers.js';

let run: Awaited<ReturnType<typeof makeRun>>;
let app: App;
let port: number;
let registry: ModelRegistry;

const LIMITS = { maxTexts: 4, maxInputChars: 60, maxInputTokens: 8, maxBodyBytes: 2000, maxBeam: 6 };

before(async () => {
  run = await makeRun();
  registry = await ModelRegistry.load([{ name: 'copy', dir: run.dir }, { name: 'second', dir: run.dir }]);
  app = createApp({ models: registry, limits: LIMITS, log: () => {} });
  port = (await app.listen(0, '127.0.0.1')).port;
});

after(async () => {
  await app.drain();
  run.cleanup();
});

const direct = (texts: string[], o: object) => registry.get('copy')!.translator!.translate(texts, { maxLen: 513, ...o });

test('serve: health and readiness; the isolation headers are on every response', async () => {
  const h = await call(port, 'GET', '/v1/health');
  assert.equal(h.status, 200);
  assert.deepEqual(h.json, { status: 'ok' });
  const r = await call(port, 'GET', '/v1/ready');
  assert.deepEqual([r.status, r.json], [200, { status: 'ready', models: ['copy', 'second'] }]);
  const head = await call(port, 'HEAD', '/v1/health');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const reply of [h, r, await call(port, 'GET', '/nope'), await call(port, 'PUT', '/v1/translate'), await translate(port, { text: 'a' })]) {
    assert.equal(reply.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(reply.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(reply.headers['cross-origin-resource-policy'], 'same-origin');
  }
});

test('serve: not ready while the models load; ready after setModels', async () => {
  const loading = createApp({ models: null, log: () => {} });
  const p = (await loading.listen(0, '127.0.0.1')).port;
  try {
    assert.equal((await call(p, 'GET', '/v1/health')).status, 200);
    const r = await call(p, 'GET', '/v1/ready');
    assert.deepEqual([r.status, r.json], [503, { status: 'loading' }]);
    const t = await translate(p, { text: 'a b' });
    assert.equal(t.status, 503);
    assert.equal(t.json.error.code, 'unavailable');
    assert.equal(t.headers['retry-after'], '1');
    loading.setModels(registry);
    assert.equal((await call(p, 'GET', '/v1/ready')).status, 200);
    assert.equal((await translate(p, { text: 'a b' })).status, 200);
  } finally {
    await loading.drain();
  }
});

test('serve: translate one text — the contract shape, equal to the library', async () => {
  const r = await translate(port, { text: 'a b c d' });
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.equal(r.json.model, 'copy');
  assert.equal(r.json.translations.length, 1);
  const t = r.json.translations[0];
  assert.equal(t.source, 'a b c d');
  assert.deepEqual(t.sourceTokens, ['a', 'b', 'c', 'd']);
  assert.equal(t.hypotheses.length, 1);
  const h = t.hypotheses[0];
  assert.deepEqual(Object.keys(h).sort(), ['score', 'text', 'tokens']); // no attention unless asked
  assert.equal(h.tokens.join(' '), h.text);
  assert.ok(h.score < 0);
  const lib = direct(['a b c d'], { beam: 5 })[0]!.hypotheses[0]!;
  assert.deepEqual([h.text, h.score], [lib.text, lib.score]);
});

test('serve: texts with beam, n-best, length penalty, greedy, attention, and a second model', async () => {
  const texts = ['a b c', 'h g f e', '', 'd'];
  const r = await translate(port, { texts, beam: 4, nBest: 3, lengthPenalty: 0.6 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.translations.map((t: any) => t.source), texts);
  const lib = direct(texts, { beam: 4, nBest: 3, lengthPenalty: 0.6 });
  r.json.translations.forEach((t: any, i: number) => {
    assert.deepEqual(t.hypotheses.map((h: any) => [h.text, h.score]), lib[i]!.hypotheses.map((h) => [h.text, h.score]));
    if (texts[i] !== '') {
      assert.equal(t.hypotheses.length, 3);
      for (let k = 1; k < 3; k++) assert.ok(t.hypotheses[k - 1].score >= t.hypotheses[k].score);
    }
  });
  assert.deepEqual(r.json.translations[2].hypotheses, [{ text: '', score: 0, tokens: [] }]);

  const g = await translate(port, { texts, beam: 1, maxLenA: 1, maxLenB: 1 });
  const libG = direct(texts, { beam: 1, maxLenA: 1, maxLenB: 1 });
  assert.deepEqual(g.json.translations.map((t: any) => t.hypotheses[0].text), libG.map((t) => t.hypotheses[0]!.text));
  for (const t of g.json.translations) assert.ok(t.hypotheses[0].tokens.length <= t.sourceTokens.length + 1); // length limit 1·|src| + 1 steps

  const a = await translate(port, { text: 'a b c', attention: true, beam: 2 });
  const ha = a.json.translations[0].hypotheses[0];
  assert.equal(ha.attention.length, ha.tokens.length);
  for (const row of ha.attention) {
    assert.equal(row.length, 3);
    assert.ok(Math.abs(row.reduce((s: number, x: number) => s + x, 0) - 1) < 1e-4, 'attention rows are distributions');
  }
  const second = await translate(port, { text: 'a b c', model: 'second' });
  assert.equal(second.json.model, 'second');
  assert.equal(second.json.translations[0].hypotheses[0].text, direct(['a b c'], {})[0]!.hypotheses[0]!.text);
});

test('serve: sampling is reproducible by seed, varies across seeds, and top-k 1 is greedy', async () => {
  const texts = ['a b c d e', 'f g h'];
  const s1 = await translate(port, { texts, sample: true, seed: 11, temperature: 2 });
  const s2 = await translate(port, { texts, sample: true, seed: 11, temperature: 2 });
  assert.equal(s1.status, 200, s1.text);
  assert.deepEqual(s1.json, s2.json);
  assert.equal(s1.json.translations[0].hypotheses.length, 1);
  // The library with the same options gives the same samples (the page uses the same Translator).
  const lib = direct(texts, { sample: true, seed: 11, temperature: 2 });
  assert.deepEqual(s1.json.translations.map((t: any) => t.hypotheses[0].text), lib.map((t) => t.hypotheses[0]!.text));
  const outs = new Set<string>();
  for (let seed = 0; seed < 8; seed++) outs.add((await translate(port, { text: 'a b c d e', sample: true, seed, temperature: 3 })).json.translations[0].hypotheses[0].text);
  assert.ok(outs.size > 1, `8 seeds at temperature 3 gave one output: ${[...outs]}`);
  const k1 = await translate(port, { texts, sample: true, topK: 1, seed: 5 });
  const greedy = await translate(port, { texts, beam: 1 });
  assert.deepEqual(k1.json.translations.map((t: any) => t.hypotheses[0].text), greedy.json.translations.map((t: any) => t.hypotheses[0].text));
});

test('serve: models and their run files', async () => {
  const r = await call(port, 'GET', '/v1/models');
  assert.equal(r.status, 200);
  const [m0, m1] = r.json.models;
  assert.deepEqual([m0.name, m0.default, m1.name, m1.default], ['copy', true, 'second', false]);
  const cfg = JSON.parse(readFileSync(join(run.dir, 'config.json'), 'utf8'));
  assert.deepEqual(m0.config, cfg.model);
  assert.equal(m0.config.hidden, 32);
  const { codecs } = registry.get('copy')!.run;
  assert.deepEqual(m0.vocab, { source: codecs.src.vocab.size, target: codecs.tgt.vocab.size });
  assert.equal(m0.weights, 'model.best.safetensors');
  assert.equal(m0.training.steps, 40);
  assert.equal(m0.training.metric, 'bleu');
  assert.equal(m0.training.best.criterion, 'bleu');
  assert.equal(typeof m0.training.best.score, 'number');
  assert.equal(m0.training.bestValidation.step, m0.training.best.step);
  assert.equal(m0.training.lastValidation.step, 40);

  const c = await call(port, 'GET', '/v1/models/copy/config.json');
  assert.equal(c.status, 200);
  assert.match(String(c.headers['content-type']), /^application\/json/);
  assert.ok(c.body.equals(readFileSync(join(run.dir, 'config.json'))));
  const w = await call(port, 'GET', '/v1/models/second/model.safetensors');
  assert.equal(w.status, 200);
  assert.ok(w.body.equals(readFileSync(join(run.dir, 'model.best.safetensors'))), 'the weights the server loaded');
  const missing = await call(port, 'GET', '/v1/models/nope/config.json');
  assert.deepEqual([missing.status, missing.json.error.code], [404, 'not_found']);
  assert.match(missing.json.error.message, /no model named 'nope'; loaded: copy, second/);
  assert.equal((await call(port, 'GET', '/v1/models/%E0%A4%A/config.json')).status, 404); // a malformed escape is not a 500
  assert.ok((await call(port, 'GET', '/v1/models/%63opy/config.json')).body.equals(c.body)); // %63 = c
});

test('serve: every bad request is a 400 naming the field or the limit', async () => {
  const cases: [string | object, RegExp][] = [
    ['{"text": "a"', /malformed JSON/],
    ['', /the body is empty/],
    ['[1,2]', /must be a JSON object/],
    [{ txt: 'a' }, /unknown field 'txt'; valid fields: text, texts, model, beam/],
    [{ text: 'a', texts: ['b'] }, /either 'text' or 'texts'/],
    [{}, /missing field 'text'/],
    [{ text: 3 }, /field 'text' must be a string/],
    [{ texts: ['a', 2] }, /'texts' must be an array of strings/],
    [{ texts: [] }, /'texts' is empty/],
    [{ texts: ['a', 'b', 'c', 'd', 'e'] }, /5 texts in one request; the limit is 4 \(max-texts\)/],
    [{ text: 'a '.repeat(31) }, /text 0 has 62 characters; the limit is 60 \(max-input-chars\)/],
    [{ texts: ['a', 'a b c d e f g h a'] }, /text 1 has 9 tokens; the limit is 8 \(max-input-tokens\)/],
    [{ text: 'a', beam: 0 }, /'beam' must be an integer from 1 to 6 \(max-beam\), got 0/],
    [{ text: 'a', beam: 2.5 }, /'beam' must be an integer/],
    [{ text: 'a', beam: 7 }, /max-beam/],
    [{ text: 'a', beam: 2, nBest: 3 }, /'nBest' must be an integer from 1 to beam \(2\), got 3/],
    [{ text: 'a', sample: true, nBest: 2 }, /'nBest' must be 1 when sample is true/],
    [{ text: 'a', lengthPenalty: -1 }, /'lengthPenalty' must be a number ≥ 0/],
    [{ text: 'a', maxLenA: '2' }, /'maxLenA' must be a number ≥ 0, got "2"/],
    [{ text: 'a', temperature: 0 }, /'temperature' must be a number > 0/],
    [{ text: 'a', topK: -1 }, /'topK' must be an integer ≥ 0/],
    [{ text: 'a', seed: 1.5 }, /'seed' must be an integer/],
    [{ text: 'a', attention: 'yes' }, /'attention' must be true or false/],
    [{ text: 'a', sample: 1 }, /'sample' must be true or false/],
    [{ text: 'a', model: 5 }, /'model' must be a model name/],
  ];
  for (const [body, re] of cases) {
    const r = await call(port, 'POST', '/v1/translate', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'bad_request');
    assert.match(r.json.error.message, re, JSON.stringify(body));
    assert.ok(!r.json.error.message.includes('\n'), 'one line');
  }
  const unknownModel = await translate(port, { text: 'a', model: 'nope' });
  assert.deepEqual([unknownModel.status, unknownModel.json.error.code], [404, 'not_found']);
});

test('serve: 413 for a body over the limit (declared or streamed), 404 unknown path, 405 with Allow', async () => {
  const big = JSON.stringify({ text: 'a '.repeat(1500) });
  const declared = await call(port, 'POST', '/v1/translate', big);
  assert.equal(declared.status, 413);
  assert.deepEqual(declared.json.error, { code: 'too_large', message: 'the request body is over 2000 bytes (max-body-bytes)' });
  const streamed = await new Promise<number>((resolve, reject) => {
    // No Content-Length: the limit is enforced while reading.
    import('node:http').then(({ request }) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/translate', agent: false, headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(big.slice(0, 1000));
      req.write(big.slice(1000));
      req.end();
    }, reject);
  });
  assert.equal(streamed, 413);

  const nf = await call(port, 'GET', '/v2/translate');
  assert.deepEqual([nf.status, nf.json.error.code], [404, 'not_found']);
  const m1 = await call(port, 'GET', '/v1/translate');
  assert.deepEqual([m1.status, m1.json.error.code, m1.headers['allow']], [405, 'method_not_allowed', 'POST']);
  const m2 = await call(port, 'DELETE', '/v1/models');
  assert.deepEqual([m2.status, m2.headers['allow']], [405, 'GET, HEAD']);
  assert.match(m2.json.error.message, /DELETE is not allowed on \/v1\/models; use GET, HEAD/);
  // A request Node's HTTP parser rejects gets the API's JSON error and the isolation headers too.
  const raw = await new Promise<string>((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const sock = connect(port, '127.0.0.1', () => sock.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      sock.on('data', (c: Buffer) => (got += c.toString()));
      sock.on('end', () => resolve(got));
      sock.on('error', reject);
    }, reject);
  });
  assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(raw, /Cross-Origin-Embedder-Policy: require-corp/);
  assert.match(raw, /\{"error":\{"code":"bad_request","message":"malformed HTTP request \(HPE_/);
  // The server is still answering after all of this.
  assert.equal((await translate(port, { text: 'a b' })).status, 200);
});

test('serve: /metrics is valid Prometheus text with requests, latency, queue depth, batch sizes and tokens', async () => {
  await translate(port, { texts: ['a b', 'c d e'] });
  const r = await call(port, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const { types, samples } = parsePrometheus(r.text);
  assert.equal(types.get('s2s_http_requests_total'), 'counter');
  assert.equal(types.get('s2s_http_request_duration_seconds'), 'histogram');
  assert.equal(types.get('s2s_queue_depth'), 'gauge');
  assert.equal(types.get('s2s_batch_size'), 'histogram');
  const get = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  assert.ok(get('s2s_http_requests_total', { route: '/v1/translate', method: 'POST', status: '200' })! >= 10);
  assert.ok(get('s2s_http_requests_total', { route: '/v1/translate', method: 'POST', status: '400' })! >= 20);
  assert.ok(get('s2s_http_requests_total', { route: '/v1/translate', method: 'POST', status: '413' })! >= 2);
  assert.equal(get('s2s_http_requests_total', { route: 'unknown', method: 'GET', status: '404' }), 3); // /nope, /v2/translate, the malformed escape
  assert.ok(get('s2s_http_request_duration_seconds_count', { route: '/v1/translate' })! >= 30);
  assert.equal(get('s2s_queue_depth'), 0);
  assert.ok(get('s2s_batch_size_count', { model: 'copy' })! >= 10);
  assert.ok(get('s2s_output_tokens_total', { model: 'copy' })! > 0);
  assert.ok(get('s2s_translated_texts_total', { model: 'copy' })! >= 20);
  assert.ok(get('s2s_decode_tokens_per_second', { model: 'copy' })! > 0);
  assert.equal(get('s2s_ready'), 1);
});

test('serve: the package entry s2s/serve gives programs the same server', async () => {
  const pkg = await import('s2s/serve');
  assert.equal(typeof pkg.createApp, 'function');
  assert.equal(typeof pkg.ModelRegistry.load, 'function');
  assert.equal(pkg.DEFAULT_LIMITS.maxTexts, 64);
});
