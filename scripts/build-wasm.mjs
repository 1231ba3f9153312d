// Compiles the AssemblyScript kernels (assembly/) to dist/wasm/kernels.wasm with the asc from npm.
// One build: shared memory (threads) + SIMD; browsers and Node ≥ 20 support both features.
import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ascBin = require.resolve('assemblyscript/bin/asc.js');
mkdirSync('dist/wasm', { recursive: true });
const args = [
  ascBin, 'assembly/index.ts',
  '--outFile', 'dist/wasm/kernels.wasm',
  '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert',
  '--runtime', 'stub',
  '--enable', 'simd', '--enable', 'threads',
  '--importMemory', '--sharedMemory', '--initialMemory', '256', '--maximumMemory', '65536',
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build-wasm: asc failed; see the messages above');
  process.exit(r.status ?? 1);
}
