import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

/**
 * DESIGN.md's rule: a module imports only from layers below it. The allowed edges, listed once.
 * (util and platform are the lowest layers (platform may use util); demo is a task generator the CLI runs.
 * data may use platform for file access only: its parsers stay pure, see the host-API tests below.)
 */
const ALLOWED: Record<string, string[]> = {
  util: [],
  platform: ['util'],
  kernels: ['util', 'platform'],
  tensor: ['util', 'kernels'],
  nn: ['util', 'tensor'],
  models: ['util', 'tensor', 'nn'],
  decode: ['util', 'tensor'],
  data: ['util', 'platform'],
  metrics: ['util'],
  // SVG plots built as plain trees: no host API, shared by the CLI and the web page
  plot: ['util'],
  train: ['util', 'platform', 'kernels', 'tensor', 'nn', 'models', 'decode', 'data', 'metrics'],
  demo: ['util', 'data', 'train'],
  // real tasks end to end (s2s recipe NAME): data building, training and scoring, below the CLI
  recipes: ['util', 'platform', 'kernels', 'tensor', 'nn', 'models', 'decode', 'data', 'metrics', 'train', 'demo'],
  serve: ['util', 'kernels', 'tensor', 'models', 'decode', 'data', 'metrics', 'train'],
  // the engine worker and its client for web pages (s2s/browser); the page itself lives in web/
  browser: ['util', 'platform', 'kernels', 'tensor', 'models', 'decode', 'data', 'train', 'demo'],
  cli: ['util', 'platform', 'kernels', 'tensor', 'nn', 'models', 'decode', 'data', 'metrics', 'train', 'demo', 'serve', 'plot', 'recipes'],
};

const root = resolve(process.cwd(), 'src');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('every src/ module imports only from its own layer or the layers below it', () => {
  const violations: string[] = [];
  for (const file of sources(root)) {
    const layer = relative(root, file).split('/')[0]!;
    if (layer.endsWith('.ts')) continue; // src/index.ts: the package's public surface re-exports everything
    const allowed = ALLOWED[layer];
    assert.ok(allowed, `src/${layer} is not a known layer; add it to ALLOWED in test/layout.test.ts`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(root, resolve(dirname(file), m[1]!)).split('/')[0]!;
      if (target !== layer && !allowed.includes(target)) violations.push(`${relative(root, file)} imports ${m[1]} (layer ${target})`);
    }
  }
  assert.deepEqual(violations, []);
});

/** Where a host API (`node:…`) may be imported: the platform layer, and the layers that are Node by nature. */
const HOST_LAYERS = ['platform', 'cli', 'serve'];

test('host APIs (node:…) are imported only in src/platform, src/cli and src/serve', () => {
  const offenders: string[] = [];
  for (const file of sources(root)) {
    const rel = relative(root, file);
    if (HOST_LAYERS.includes(rel.split('/')[0]!)) continue;
    if (/(?:from|import)\s*\(?\s*'node:/.test(readFileSync(file, 'utf8'))) offenders.push(rel);
  }
  assert.deepEqual(offenders, []);
});

/** The modules a file imports, transitively (relative imports only), as paths under src/. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    const rel = relative(root, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      visit(resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
    }
  };
  visit(join(root, entry));
  return seen;
}

test('the parsers of src/data reach no file access: a page can feed them a string, a web stream or a dropped file', () => {
  const pure = ['data/readers/tsv.ts', 'data/readers/jsonl.ts', 'data/readers/parallel.ts', 'data/readers/po.ts', 'data/readers/mo.ts',
    'data/readers/lines.ts', 'data/readers/split-lines.ts', 'data/codec.ts', 'util/safetensors.ts', 'util/safetensors-decode.ts'];
  const reached: string[] = [];
  for (const entry of pure) for (const m of importGraph(entry)) if (m.startsWith('platform/')) reached.push(`${entry} → ${m}`);
  assert.deepEqual(reached, []);
  // and the file readers do reach it, through platform/node-files.ts (so the test above is not vacuous)
  assert.ok(importGraph('data/readers/files.ts').has('platform/node-files.ts'));
});
