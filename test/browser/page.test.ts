import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildCodecs, createBackend, loadRun, setBackend, trainRun } from 's2s';
import { dateSplits } from 's2s/demo';
import type { TranslationJson } from 's2s/browser';
import { chromiumMissing, launchChromium } from '../../bench/chromium.js';
import { startServe } from '../../bench/serve-process.js';

// The functions given to page.evaluate / waitForFunction run in the page; the test compiles without lib.dom.
declare const window: unknown;
declare const document: { body: { hasAttribute(name: string): boolean } };
declare const crossOriginIsolated: boolean;

/** Seconds the page trains the dates model (the page's own default is 20; short here to keep the suite fast). */
const TRAIN_SECONDS = 5;
const SENTENCE = 'Tue 3 Mar 98';

interface Last { mode: 'server' | 'browser'; model: string; translations: TranslationJson[]; ms: number }

async function translateOnPage(page: Page, mode: 'server' | 'browser'): Promise<Last> {
  await page.click(`#mode-${mode}`);
  const before = await page.evaluate(() => (window as unknown as { s2sPage: { last: unknown } }).s2sPage.last);
  await page.click('#translate');
  await page.waitForFunction((prev) => {
    const last = (window as unknown as { s2sPage: { last: unknown } }).s2sPage.last;
    return last !== prev && last !== null && !document.body.hasAttribute('data-translating');
  }, before, { timeout: 60_000 });
  const err = await page.$eval('#translate-error', (e) => ((e as unknown as { hidden: boolean }).hidden ? '' : e.textContent));
  assert.equal(err, '', 'no error shown');
  return page.evaluate(() => (window as unknown as { s2sPage: { last: Last } }).s2sPage.last);
}

/** The visible n-best rows: [text, score as shown]. */
async function shownRows(page: Page): Promise<string[][]> {
  return page.$$eval('#results table.nbest tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent ?? '')));
}

/** The page's files from dist/ on a plain server: no COOP/COEP, so the page is not cross-origin isolated. */
async function plainStaticServer(): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const file = path === '/' ? 'dist/web/index.html' : path.startsWith('/dist/') && !path.includes('..') ? path.slice(1) : null;
    try {
      if (!file) throw new Error('not found');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[/\.[a-z]+$/.exec(file)?.[0] ?? ''] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function sameTranslations(a: TranslationJson[], b: TranslationJson[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((t, i) => {
    assert.deepEqual(t.sourceTokens, b[i]!.sourceTokens, what);
    assert.deepEqual(t.hypotheses.map((h) => [h.text, h.tokens]), b[i]!.hypotheses.map((h) => [h.text, h.tokens]), what);
    t.hypotheses.forEach((h, k) => assert.ok(Math.abs(h.score - b[i]!.hypotheses[k]!.score) < 1e-4, `${what}: score ${h.score} vs ${b[i]!.hypotheses[k]!.score}`));
  });
}

test('web page: server and in-browser translation agree, the heatmap is drawn, a model trained in the page downloads and loads in Node', { skip: chromiumMissing() ?? false, timeout: 180_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 's2s-page-'));
  const shots = mkdtempSync(join(tmpdir(), 's2s-page-screenshots-'));
  const runDir = join(work, 'dates');
  let served: Awaited<ReturnType<typeof startServe>> | null = null;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | null = null;
  try {
    setBackend(await createBackend({ backend: 'wasm', threads: 1 }));
    const { train, valid } = dateSplits({ train: 1500, valid: 40, test: 0 }, 5);
    await trainRun({
      out: runDir, codecs: buildCodecs(train, { tokenizer: 'char' }), train, valid,
      model: { arch: 'lstm', attention: 'general', bidirectional: true, emb: 24, hidden: 48 },
      options: { batchSize: 32, lr: 0.01, maxSteps: 100, validEvery: 50, validDecode: 20 }, say: () => {},
    });
    served = await startServe(['--model', `dates=${runDir}`, '--threads', '1']);
    chromium = await launchChromium();
    const page = await chromium.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(served.url + '/');
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP make the page cross-origin isolated');
    const status = await page.textContent('#engine-status');
    assert.match(status ?? '', /in-browser engine: wasm, \d+ threads?/);
    // model facts from GET /v1/models
    const facts = await page.$$eval('#facts dt, #facts dd', (els) => els.map((e) => e.textContent));
    assert.ok(facts.includes('hidden') && facts.includes('48'), `facts: ${facts.join(' | ')}`);
    assert.ok(facts.includes('validation loss'), 'validation scores shown');

    await page.fill('#source', SENTENCE);
    await page.fill('#beam', '4');
    await page.fill('#nbest', '3');
    const onServer = await translateOnPage(page, 'server');
    const rowsServer = await shownRows(page);
    await page.screenshot({ path: join(shots, '1-translate-server.png'), fullPage: true });
    const inBrowser = await translateOnPage(page, 'browser');
    const rowsBrowser = await shownRows(page);
    assert.equal(onServer.mode, 'server');
    assert.equal(inBrowser.mode, 'browser');
    assert.equal(onServer.translations[0]!.hypotheses.length, 3);
    sameTranslations(inBrowser.translations, onServer.translations, 'beam 4, n-best 3');
    assert.deepEqual(rowsBrowser, rowsServer, 'the page shows the same n-best list and scores');

    // the heatmap of the selected hypothesis: one cell per (output token, source token), not all alike
    const hyp0 = inBrowser.translations[0]!.hypotheses[0]!;
    const cells = await page.$$eval('#heatmap svg rect.cell', (rs) => rs.map((r) => Number(r.getAttribute('data-weight'))));
    assert.equal(cells.length, hyp0.attention!.length * inBrowser.translations[0]!.sourceTokens.length);
    assert.ok(Math.max(...cells) - Math.min(...cells) > 0.05, 'attention weights differ across cells');
    const labels = await page.$$eval('#heatmap svg text', (ts) => ts.map((t) => t.textContent));
    for (const t of [...inBrowser.translations[0]!.sourceTokens, ...hyp0.tokens]) assert.ok(labels.includes(t === ' ' ? '␣' : t), `the axes are labelled with token '${t}'`);
    // choosing another hypothesis redraws the heatmap for it
    await page.click('#results tbody tr[data-hyp="2"]');
    const caption = await page.textContent('#heatmap-caption');
    assert.match(caption ?? '', /hypothesis 3/);
    await page.screenshot({ path: join(shots, '2-translate-browser-heatmap.png'), fullPage: true });

    // sampling with a seed: the same draw on both paths
    await page.check('#sample');
    await page.fill('#temperature', '0.8');
    await page.fill('#topk', '4');
    await page.fill('#seed', '7');
    await page.fill('#source', `${SENTENCE}\n3rd of March 1998`);
    const sampledServer = await translateOnPage(page, 'server');
    const sampledBrowser = await translateOnPage(page, 'browser');
    sameTranslations(sampledBrowser.translations, sampledServer.translations, 'sampling, seed 7');
    await page.uncheck('#sample');

    // without cross-origin isolation (a plain static server): one thread, and the run opened from picked files
    const plain = await plainStaticServer();
    try {
      const page2 = await chromium.context.newPage();
      page2.on('pageerror', (e) => pageErrors.push(e.message));
      await page2.goto(plain.url + '/');
      await page2.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
      assert.equal(await page2.evaluate(() => crossOriginIsolated), false);
      assert.match((await page2.textContent('#engine-status')) ?? '', /wasm, 1 thread \(page not cross-origin isolated\)/);
      await page2.setInputFiles('#open-files', [join(runDir, 'config.json'), join(runDir, 'model.best.safetensors')]);
      await page2.waitForSelector('#model option', { state: 'attached' });
      assert.equal(await page2.$eval('#mode-server', (b) => (b as unknown as { disabled: boolean }).disabled), true, 'no server here');
      await page2.fill('#source', SENTENCE);
      await page2.fill('#beam', '4');
      await page2.fill('#nbest', '3');
      const opened = await translateOnPage(page2, 'browser');
      sameTranslations(opened.translations, onServer.translations, 'picked files, one thread, not isolated');
      await page2.screenshot({ path: join(shots, '3-not-isolated-opened-files.png'), fullPage: true });
      await page2.close();
    } finally {
      plain.server.close();
    }

    // train the dates model in the page
    await page.click('#tabbtn-train');
    await page.fill('#train-seconds', String(TRAIN_SECONDS));
    await page.fill('#train-name', 'page-dates');
    await page.click('#train-start');
    await page.waitForSelector('body[data-training=true]');
    await page.waitForFunction("['', '0px', '0%'].indexOf(document.getElementById('train-bar').style.width) < 0", null, { timeout: 30_000 });
    await page.screenshot({ path: join(shots, '4-training.png'), fullPage: true });
    await page.waitForSelector('body[data-trained="local:page-dates"]', { timeout: 90_000 });
    assert.equal(await page.$eval('#train-error', (e) => (e as unknown as { hidden: boolean }).hidden), true, 'no training error');
    const result = await page.textContent('#train-result');
    const steps = Number(/^(\d+) steps/.exec(result ?? '')?.[1]);
    assert.ok(steps >= 3, `trained ${steps} steps: ${result}`);
    assert.ok(await page.$$eval('#chart svg polyline.train', (p) => p.length) === 1, 'loss curve drawn');
    assert.ok(await page.$$eval('#chart svg circle.dot-valid', (p) => p.length) >= 1, 'validation points drawn');
    await page.screenshot({ path: join(shots, '5-trained.png'), fullPage: true });

    // download the run; Node loads it and translates the same
    const dl = join(work, 'downloaded');
    mkdirSync(dl);
    for (const [button, file] of [['#download-config', 'config.json'], ['#download-weights', 'model.safetensors']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      assert.equal(download.suggestedFilename(), file);
      await download.saveAs(join(dl, file));
    }
    await page.click('#use-trained');
    assert.equal(await page.$eval('#mode-server', (b) => (b as unknown as { disabled: boolean }).disabled), true, 'a model trained here has no server path');
    await page.fill('#source', SENTENCE);
    const trained = await translateOnPage(page, 'browser');
    assert.equal(trained.model, 'local:page-dates');
    await page.screenshot({ path: join(shots, '6-translate-trained.png'), fullPage: true });
    const node = await loadRun(dl);
    const want = node.translate([SENTENCE], { beam: 4, nBest: 3, batchSize: 1 });
    sameTranslations(trained.translations, want.map((t) => ({ ...t, hypotheses: t.hypotheses.map((h) => ({ text: h.text, score: h.score, tokens: h.tokens })) })), 'downloaded run in Node');
    assert.deepEqual(pageErrors, [], 'no uncaught errors on the page');
    console.log(`page screenshots: ${shots}`);
  } finally {
    await chromium?.close();
    await served?.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
