/**
 * The s2s page: translate on the server or in this browser (the same engine in a Web Worker, on
 * the same run files), inspect n-best lists and attention, and train a model in the page.
 */
import { BrowserEngine, type DecodeSettings, type ModelInfo, type TrainProgress, type TranslationJson } from '../src/browser/index.js';
import { lossChart, type CurvePoint } from './chart.js';
import { byId, download, h, numberInput, showError } from './dom.js';
import { attentionHeatmap } from './heatmap.js';
import { runFilesUrl, serverModels, serverTranslate, type ServerModel } from './server.js';

type Mode = 'server' | 'browser';

/** A model the page can translate with: served (both paths) or only in this browser (trained or opened here). */
interface PageModel {
  key: string;
  label: string;
  server: ServerModel | null;
  local: ModelInfo | null;
}

const state = {
  engine: null as BrowserEngine | null,
  engineError: null as Error | null,
  models: new Map<string, PageModel>(),
  /** Served models already loaded into the engine worker. */
  inWorker: new Set<string>(),
  mode: 'server' as Mode,
  results: [] as TranslationJson[],
  selected: { line: 0, hyp: 0 },
  busy: false,
};

/** What tests and the curious can read: the last translation and where it ran. */
const debug = { last: null as null | { mode: Mode; model: string; translations: TranslationJson[]; ms: number } };
(window as unknown as { s2sPage: typeof debug }).s2sPage = debug;

// ---------- engine ----------

/** ?threads=N and ?backend=js|wasm choose the in-browser engine (default: wasm on every core the page may use). */
function engineOptions(): { threads?: number; backend?: 'js' | 'wasm' } {
  const q = new URLSearchParams(location.search);
  const threads = Number(q.get('threads'));
  const backend = q.get('backend');
  return {
    threads: Number.isInteger(threads) && threads >= 1 ? threads : undefined,
    backend: backend === 'js' || backend === 'wasm' ? backend : undefined,
  };
}

const engineReady: Promise<BrowserEngine | null> = BrowserEngine.start(engineOptions()).then(
  (e) => {
    state.engine = e;
    const s = byId('engine-status');
    s.textContent = `in-browser engine: ${e.info.backend}, ${e.info.threads} thread${e.info.threads === 1 ? '' : 's'}${e.info.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`;
    s.className = 'engine ok';
    return e;
  },
  (err: unknown) => {
    state.engineError = err instanceof Error ? err : new Error(String(err));
    const s = byId('engine-status');
    s.textContent = `in-browser engine failed: ${state.engineError.message}`;
    s.className = 'engine bad';
    return null;
  },
);

async function engine(): Promise<BrowserEngine> {
  const e = await engineReady;
  if (!e) throw state.engineError ?? new Error('the in-browser engine did not start');
  return e;
}

// ---------- models ----------

function addModel(m: PageModel): void {
  state.models.set(m.key, m);
  const sel = byId<HTMLSelectElement>('model');
  let opt = [...sel.options].find((o) => o.value === m.key);
  if (!opt) {
    opt = h('option', { value: m.key }, m.label);
    sel.append(opt);
  }
}

function currentModel(): PageModel | null {
  return state.models.get(byId<HTMLSelectElement>('model').value) ?? null;
}

function setMode(mode: Mode): void {
  state.mode = mode;
  for (const [id, m] of [['mode-server', 'server'], ['mode-browser', 'browser']] as const) {
    const b = byId(id);
    b.classList.toggle('on', m === mode);
    b.setAttribute('aria-checked', String(m === mode));
  }
}

function onModelChange(): void {
  const m = currentModel();
  const serverBtn = byId<HTMLButtonElement>('mode-server');
  serverBtn.disabled = !m?.server;
  if (!m?.server) setMode('browser');
  renderFacts(m);
}

function fmt(v: unknown, digits = 4): string {
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(digits).replace(/\.?0+$/, '');
  if (v === null || v === undefined) return '—';
  return String(v);
}

function renderFacts(m: PageModel | null): void {
  const dl = byId('facts');
  dl.replaceChildren();
  if (!m) {
    dl.append(h('dt', {}, '—'), h('dd', {}, 'no model yet'));
    return;
  }
  const c = (m.server?.config ?? m.local?.config ?? {}) as Record<string, unknown>;
  const vocab = m.server?.vocab ?? m.local?.vocab;
  const layers = (n: unknown): string => `${fmt(n)} layer${n === 1 ? '' : 's'}`;
  const rows: [string, string][] = c['arch'] === 'transformer'
    ? [
      ['name', m.label],
      ['encoder', `transformer, ${layers(c['layers'])}`],
      ['decoder', `transformer, ${layers(c['decoderLayers'] ?? c['layers'])}`],
      ['attention', `${fmt(c['heads'])} heads`],
      ['width', `${fmt(c['emb'])} (feed-forward ${fmt(c['ffn'])}, ${fmt(c['activation'])}, ${c['postNorm'] ? 'post' : 'pre'}-norm)`],
      ['vocabulary', vocab ? `${fmt(vocab.source)} source, ${fmt(vocab.target)} target` : '—'],
    ]
    : [
      ['name', m.label],
      ['encoder', `${fmt(c['arch'])}${c['bidirectional'] ? ', bidirectional' : ''}, ${layers(c['layers'])}`],
      ['decoder', `${fmt(c['decoderArch'] ?? c['arch'])}, ${layers(c['decoderLayers'] ?? c['layers'])}`],
      ['attention', fmt(c['attention'])],
      ['embedding', fmt(c['emb'])],
      ['hidden', fmt(c['hidden'])],
      ['vocabulary', vocab ? `${fmt(vocab.source)} source, ${fmt(vocab.target)} target` : '—'],
    ];
  if (m.local) rows.push(['parameters', fmt(m.local.parameters)]);
  const t = m.server?.training;
  if (t) {
    rows.push(['steps trained', fmt(t.steps)]);
    if (t.best && t.best.score !== null) rows.push([`best ${t.best.criterion}`, `${fmt(t.best.score)} (step ${fmt(t.best.step)})`]);
    const v = t.bestValidation;
    if (v) {
      for (const k of ['loss', 'ppl', 'exact', 'bleu', 'chrf']) if (typeof v[k] === 'number') rows.push([`validation ${k}`, k === 'exact' ? `${fmt(v[k], 1)}%` : fmt(v[k])]);
    }
  } else if (m.local) {
    const tr = m.local.training;
    if (typeof tr['steps'] === 'number') rows.push(['steps trained', fmt(tr['steps'])]);
    const lv = tr['lastValidation'] as { loss?: number; ppl?: number; exact?: number } | null | undefined;
    if (lv) {
      if (typeof lv.loss === 'number') rows.push(['validation loss', fmt(lv.loss)]);
      if (typeof lv.exact === 'number') rows.push(['validation exact', `${fmt(lv.exact, 1)}%`]);
    }
  }
  if (m.server) rows.push(['weights', m.server.weights]);
  rows.push(['available', m.server ? 'server and browser' : 'this browser only']);
  for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v));
}

// ---------- translate ----------

function settings(): DecodeSettings {
  const sample = byId<HTMLInputElement>('sample').checked;
  const beam = Math.max(1, Math.floor(numberInput('beam')));
  return {
    beam,
    nBest: sample ? 1 : Math.min(beam, Math.max(1, Math.floor(numberInput('nbest')))),
    lengthPenalty: numberInput('lp'),
    attention: true,
    sample,
    temperature: numberInput('temperature'),
    topK: Math.floor(numberInput('topk')),
    seed: Math.floor(numberInput('seed')),
  };
}

async function translateInBrowser(m: PageModel, texts: string[], s: DecodeSettings): Promise<TranslationJson[]> {
  const e = await engine();
  if (m.server && !state.inWorker.has(m.key)) {
    await e.loadFromUrl(m.key, runFilesUrl(m.server.name));
    state.inWorker.add(m.key);
  }
  return e.translate(m.key, texts, s);
}

async function translate(): Promise<void> {
  if (state.busy) return;
  const err = byId('translate-error');
  err.hidden = true;
  const m = currentModel();
  const texts = byId<HTMLTextAreaElement>('source').value.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!m) return showError(err, new Error('no model: start the page with s2s serve --model RUN, open a run, or train one'));
  if (texts.length === 0) return showError(err, new Error('type a sentence to translate'));
  const button = byId<HTMLButtonElement>('translate');
  state.busy = true;
  button.disabled = true;
  document.body.dataset['translating'] = 'true';
  try {
    const s = settings();
    const t0 = performance.now();
    const mode = state.mode;
    const out = mode === 'server' && m.server ? await serverTranslate(m.server.name, texts, s) : await translateInBrowser(m, texts, s);
    const ms = performance.now() - t0;
    state.results = out;
    state.selected = { line: 0, hyp: 0 };
    debug.last = { mode, model: m.key, translations: out, ms };
    const where = mode === 'server' ? 'on the server' : `in this browser (${state.engine?.info.backend}, ${state.engine?.info.threads} thread${state.engine?.info.threads === 1 ? '' : 's'})`;
    byId('timing').textContent = `${ms.toFixed(0)} ms ${where}`;
    renderResults();
  } catch (e) {
    showError(err, e);
  } finally {
    state.busy = false;
    button.disabled = false;
    delete document.body.dataset['translating'];
  }
}

function renderResults(): void {
  const box = byId('results');
  box.replaceChildren();
  byId('results-card').hidden = state.results.length === 0;
  state.results.forEach((t, line) => {
    const body = h('tbody');
    t.hypotheses.forEach((hyp, k) => {
      const tr = h('tr', { 'data-line': String(line), 'data-hyp': String(k) },
        h('td', { class: 'rank' }, String(k + 1)), h('td', { class: 'hyp' }, hyp.text), h('td', { class: 'score' }, hyp.score.toFixed(4)));
      if (line === state.selected.line && k === state.selected.hyp) tr.classList.add('selected');
      tr.addEventListener('click', () => {
        state.selected = { line, hyp: k };
        renderResults();
      });
      body.append(tr);
    });
    const table = h('table', { class: 'nbest' }, h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'hypothesis'), h('th', { class: 'score' }, 'score (log-prob)'))), body);
    box.append(h('div', { class: 'result' }, h('div', { class: 'src' }, t.source), h('div', { class: 'best' }, t.hypotheses[0]?.text ?? ''), table));
  });
  renderHeatmap();
}

function renderHeatmap(): void {
  const card = byId('heatmap-card');
  const t = state.results[state.selected.line];
  const hyp = t?.hypotheses[state.selected.hyp];
  const box = byId('heatmap');
  box.replaceChildren();
  if (!t || !hyp || !hyp.attention || hyp.attention.length === 0) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  byId('heatmap-caption').textContent = `— hypothesis ${state.selected.hyp + 1} of “${t.source}”`;
  box.append(attentionHeatmap(hyp.attention, t.sourceTokens, hyp.tokens, Math.max(320, box.clientWidth)));
}

// ---------- open run files ----------

async function openFiles(files: FileList): Promise<void> {
  const err = byId('open-error');
  err.hidden = true;
  try {
    const list = [...files];
    const config = list.find((f) => f.name.endsWith('.json'));
    const weights = list.find((f) => f.name.endsWith('.safetensors'));
    if (!config || !weights) throw new Error('pick both files of a run: config.json and a .safetensors weights file');
    const key = `local:${weights.name.replace(/\.safetensors$/, '')}-${state.models.size + 1}`;
    const info = await (await engine()).loadFromFiles(key, config, weights);
    addModel({ key, label: `${weights.name} (opened here)`, server: null, local: info });
    byId<HTMLSelectElement>('model').value = key;
    onModelChange();
  } catch (e) {
    showError(err, e);
  }
}

// ---------- training ----------

const curve = { train: [] as CurvePoint[], valid: [] as CurvePoint[], exact: [] as CurvePoint[] };
let tsvText: { name: string; text: string } | null = null;
let trainedKey: string | null = null;

function drawChart(): void {
  byId('chart').replaceChildren(lossChart(curve.train, curve.valid, curve.exact));
}

function onProgress(p: TrainProgress): void {
  byId('train-bar').style.width = `${(p.fraction * 100).toFixed(1)}%`;
  if (Number.isFinite(p.loss)) curve.train.push({ step: p.step, value: p.loss });
  let line = `step ${p.step} · epoch ${p.epoch + 1} · loss ${Number.isFinite(p.loss) ? p.loss.toFixed(3) : '—'} · ${p.stepsPerSecond.toFixed(1)} steps/s · ${Math.round(p.tokensPerSecond)} tokens/s · ${p.elapsed.toFixed(0)} s`;
  if (p.valid) {
    curve.valid.push({ step: p.step, value: p.valid.loss });
    if (p.valid.exact !== undefined) curve.exact.push({ step: p.step, value: p.valid.exact });
  }
  const lastExact = curve.exact[curve.exact.length - 1];
  if (lastExact) line += ` · valid exact ${lastExact.value.toFixed(1)}%`;
  byId('train-stats').textContent = line;
  drawChart();
}

async function startTraining(): Promise<void> {
  const err = byId('train-error');
  err.hidden = true;
  const start = byId<HTMLButtonElement>('train-start');
  const stop = byId<HTMLButtonElement>('train-stop');
  const task = (document.querySelector('input[name=task]:checked') as HTMLInputElement).value;
  try {
    if (task === 'tsv' && !tsvText) throw new Error('drop a TSV file (source<TAB>target per line) first, or choose the dates task');
    const name = byId<HTMLInputElement>('train-name').value.trim() || 'trained';
    const key = `local:${name}`;
    curve.train = [];
    curve.valid = [];
    curve.exact = [];
    drawChart();
    start.disabled = true;
    stop.disabled = false;
    byId('train-done').hidden = true;
    document.body.dataset['training'] = 'true';
    byId('train-stats').textContent = 'preparing data…';
    const e = await engine();
    const summary = await e.train({
      name: key,
      task: task === 'tsv' ? { kind: 'tsv', text: tsvText!.text, label: tsvText!.name } : { kind: 'dates' },
      seconds: numberInput('train-seconds'),
      model: { emb: Math.floor(numberInput('train-emb')), hidden: Math.floor(numberInput('train-hidden')) },
    }, onProgress);
    byId('train-bar').style.width = '100%';
    trainedKey = key;
    addModel({ key, label: `${name} (trained here)`, server: null, local: summary.model });
    const exact = curve.exact[curve.exact.length - 1];
    byId('train-result').textContent = `${summary.steps} steps in ${summary.seconds.toFixed(1)} s (${summary.stepsPerSecond.toFixed(1)} steps/s) on ${summary.trainPairs} pairs`
      + (exact ? `; validation exact match ${exact.value.toFixed(1)}%` : '') + (summary.reason === 'SIGINT' ? ' (stopped)' : '') + '.';
    byId('train-done').hidden = false;
    document.body.dataset['trained'] = key;
  } catch (e) {
    showError(err, e);
  } finally {
    start.disabled = false;
    stop.disabled = true;
    delete document.body.dataset['training'];
  }
}

function useTrained(): void {
  if (!trainedKey) return;
  byId<HTMLSelectElement>('model').value = trainedKey;
  onModelChange();
  setMode('browser');
  showTab('translate');
}

async function downloadRun(part: 'config' | 'weights'): Promise<void> {
  if (!trainedKey) return;
  try {
    const files = await (await engine()).exportRun(trainedKey);
    if (part === 'config') download('config.json', files.config, 'application/json');
    else download('model.safetensors', files.weights, 'application/octet-stream');
  } catch (e) {
    showError(byId('train-error'), e);
  }
}

function readTsv(file: File): void {
  void file.text().then((text) => {
    tsvText = { name: file.name, text };
    const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '').length;
    byId('tsv-status').textContent = `${file.name}: ${lines.toLocaleString('en-US')} lines`;
    const n = byId<HTMLInputElement>('train-name');
    if (n.value === 'dates-in-page') n.value = file.name.replace(/\.[^.]*$/, '');
  });
}

// ---------- wiring ----------

function showTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button')) b.classList.toggle('active', b.dataset['tab'] === name);
  for (const s of document.querySelectorAll<HTMLElement>('.tab')) s.classList.toggle('active', s.id === `tab-${name}`);
  if (name === 'train' && curve.train.length === 0) drawChart();
}

function wire(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button')) b.addEventListener('click', () => showTab(b.dataset['tab']!));
  byId('mode-server').addEventListener('click', () => setMode('server'));
  byId('mode-browser').addEventListener('click', () => setMode('browser'));
  byId('model').addEventListener('change', onModelChange);
  byId('translate').addEventListener('click', () => void translate());
  byId('source').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void translate();
  });
  const sample = byId<HTMLInputElement>('sample');
  sample.addEventListener('change', () => {
    for (const id of ['temperature', 'topk', 'seed']) byId<HTMLInputElement>(id).disabled = !sample.checked;
    for (const id of ['beam', 'nbest', 'lp']) byId<HTMLInputElement>(id).disabled = sample.checked;
  });
  byId<HTMLInputElement>('open-files').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files;
    if (f) void openFiles(f);
  });
  byId('train-start').addEventListener('click', () => void startTraining());
  byId('train-stop').addEventListener('click', () => void state.engine?.stopTraining());
  byId('use-trained').addEventListener('click', useTrained);
  byId('download-config').addEventListener('click', () => void downloadRun('config'));
  byId('download-weights').addEventListener('click', () => void downloadRun('weights'));
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=task]')) {
    r.addEventListener('change', () => (byId('drop').hidden = r.value !== 'tsv' || !r.checked));
  }
  const drop = byId('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) readTsv(f);
  });
  byId<HTMLInputElement>('tsv-file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) readTsv(f);
  });
  window.addEventListener('resize', () => renderHeatmap());
}

async function main(): Promise<void> {
  wire();
  const served = await serverModels();
  if (served) {
    for (const m of served) addModel({ key: `server:${m.name}`, label: m.name, server: m, local: null });
    const d = served.find((m) => m.default) ?? served[0];
    if (d) byId<HTMLSelectElement>('model').value = `server:${d.name}`;
  }
  onModelChange();
  await engineReady;
  document.body.dataset['ready'] = 'true';
}

void main();
