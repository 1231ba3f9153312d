import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/**
 * What a browser loads must be loadable there: the static import graph of the page and of the
 * engine worker (compiled, under dist/) reaches no `node:` module and no bare specifier (a page has
 * no resolver for them), only relative files that exist. Dynamic imports (platform/node.ts) are
 * not followed: they run only in Node.
 */
const STATIC_IMPORT = /^\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

function browserGraph(entries: string[]): { files: Set<string>; problems: string[] } {
  const files = new Set<string>();
  const problems: string[] = [];
  const walk = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    if (!existsSync(file)) {
      problems.push(`${relative(process.cwd(), file)} does not exist`);
      return;
    }
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
      else problems.push(`${relative(process.cwd(), file)} imports '${spec}'`);
    }
  };
  for (const e of entries) walk(resolve(e));
  return { files, problems };
}

test('the page and the engine worker import nothing a browser cannot load (no node:, no bare specifiers)', () => {
  const entries = ['dist/web/app.js', 'dist/src/browser/index.js', 'dist/src/browser/engine-worker.js', 'dist/src/kernels/wasm/worker.js', 'dist/src/kernels/wasm/index.js'];
  const { files, problems } = browserGraph(entries);
  assert.deepEqual(problems, []);
  // the engine's layers are all in it (so the check covers them), the Node platform is not
  const rel = [...files].map((f) => relative(process.cwd(), f));
  for (const must of ['dist/src/train/trainer.js', 'dist/src/train/translator.js', 'dist/src/platform/browser.js', 'dist/src/decode/beam.js']) assert.ok(rel.includes(must), `${must} in the browser graph`);
  assert.ok(!rel.includes('dist/src/platform/node.js'), 'platform/node.js is only imported dynamically');
});
