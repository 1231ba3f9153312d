import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/serve/index.js';
import { tempDir } from '../train/helpers.js';
import { call } from './helpers.js';

test('static: the page and dist/{web,src,wasm} files with their content types; nothing else, no way out', async () => {
  const d = tempDir('s2s-static-');
  const dist = join(d.dir, 'dist');
  for (const sub of ['web', 'src/platform', 'wasm', 'test', 'web/sub']) mkdirSync(join(dist, sub), { recursive: true });
  const files: Record<string, string> = {
    'web/index.html': '<!doctype html><title>s2s</title>', 'web/app.js': 'export {}', 'web/style.css': 'body{}', 'web/icon.svg': '<svg/>',
    'web/app.js.map': '{}', 'src/platform/browser.js': 'export const x = 1', 'wasm/kernels.wasm': '\0asm', 'test/secret.json': '{"secret":1}',
    'web/notes.txt': 'no type', 'web/sub/page.mjs': 'export {}',
  };
  for (const [p, body] of Object.entries(files)) writeFileSync(join(dist, p), body);
  writeFileSync(join(d.dir, 'outside.json'), '{"outside":1}');
  symlinkSync(join(d.dir, 'outside.json'), join(dist, 'web', 'link.json'));
  symlinkSync(join(dist, 'test', 'secret.json'), join(dist, 'web', 'link2.json'));
  symlinkSync(join(dist, 'web', 'app.js'), join(dist, 'web', 'inside.js'));
  const app = createApp({ models: null, distDir: dist, log: () => {} });
  const { port } = await app.listen(0, '127.0.0.1');
  try {
    const ok: [string, string, string][] = [
      ['/', 'web/index.html', 'text/html'],
      ['/dist/web/app.js', 'web/app.js', 'text/javascript'],
      ['/dist/web/style.css', 'web/style.css', 'text/css'],
      ['/dist/web/icon.svg', 'web/icon.svg', 'image/svg+xml'],
      ['/dist/web/app.js.map', 'web/app.js.map', 'application/json'],
      ['/dist/web/sub/page.mjs', 'web/sub/page.mjs', 'text/javascript'],
      ['/dist/src/platform/browser.js', 'src/platform/browser.js', 'text/javascript'],
      ['/dist/wasm/kernels.wasm', 'wasm/kernels.wasm', 'application/wasm'],
      ['/dist/web/inside.js', 'web/app.js', 'text/javascript'],
      ['/dist/web/app.js?v=3', 'web/app.js', 'text/javascript'],
    ];
    for (const [url, file, type] of ok) {
      const r = await call(port, 'GET', url);
      assert.equal(r.status, 200, url);
      assert.equal(r.text, files[file], url);
      assert.match(String(r.headers['content-type']), new RegExp('^' + type.replace('+', '\\+')), url);
      assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', url);
    }
    const refused = [
      '/dist/test/secret.json', '/dist/web/../test/secret.json', '/dist/web/%2e%2e/test/secret.json', '/dist/web/..%2ftest%2fsecret.json',
      '/dist/web/%2E%2E%2F%2E%2E%2Foutside.json', '/dist/web/link.json', '/dist/web/link2.json', '/dist/web', '/dist/web/', '/dist/web/sub',
      '/dist/web/notes.txt', '/dist/web//app.js', '/dist/web/%zz.js', '/dist/web/app.js%00.js', '/dist/web\\..\\test\\secret.json', '/dist/', '/dist/wasm/missing.wasm',
    ];
    for (const url of refused) {
      const r = await call(port, 'GET', url);
      assert.equal(r.status, 404, url);
      assert.equal(r.json.error.code, 'not_found', url);
    }
    const post = await call(port, 'POST', '/dist/web/app.js', 'x');
    assert.deepEqual([post.status, post.headers['allow']], [405, 'GET, HEAD']);
  } finally {
    await app.drain();
    d.cleanup();
  }
});
