// Builds the web page (web/) into dist/web/: its TypeScript with a DOM-typed tsconfig of its own
// (web/tsconfig.json), plus the static files. The page's modules import the engine from
// dist/src/ by relative URL (../src/browser/index.js), which the main build emits; this build
// writes only dist/web/, so it never replaces a file of the main build.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const tmp = 'dist/.web-build';
rmSync(tmp, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', 'web/tsconfig.json'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build-web: tsc failed; see the messages above');
  process.exit(r.status ?? 1);
}
rmSync('dist/web', { recursive: true, force: true });
mkdirSync('dist/web', { recursive: true });
cpSync(join(tmp, 'web'), 'dist/web', { recursive: true });
for (const name of readdirSync('web')) {
  if (/\.(html|css|svg|png)$/.test(name)) cpSync(join('web', name), join('dist/web', name));
}
rmSync(tmp, { recursive: true, force: true });
