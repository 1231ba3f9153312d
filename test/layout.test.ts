import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

/**
 * DESIGN.md's rule: a module imports only from layers below it. The allowed edges, listed once.
 * (util and platform are the lowest layers (platform may use util); demo is a task generator the CLI runs.)
 */
const ALLOWED: Record<string, string[]> = {
  util: [],
  platform: ['util'],
  kernels: ['util', 'platform'],
  tensor: ['util', 'kernels'],
  nn: ['util', 'tensor'],
  models: ['util', 'tensor', 'nn'],
  decode: ['util', 'tensor'],
  data: ['util'],
  metrics: ['util'],
  train: ['util', 'platform', 'kernels', 'tensor', 'nn', 'models', 'decode', 'data', 'metrics'],
  demo: ['util', 'data', 'train'],
  serve: ['util', 'kernels', 'tensor', 'models', 'decode', 'data', 'metrics', 'train'],
  // the engine worker and its client for web pages (s2s/browser); the page itself lives in web/
  browser: ['util', 'platform', 'kernels', 'tensor', 'models', 'decode', 'data', 'train', 'demo'],
  cli: ['util', 'platform', 'kernels', 'tensor', 'nn', 'models', 'decode', 'data', 'metrics', 'train', 'demo', 'serve'],
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
