// Compiles the AssemblyScript kernels (assembly/) with the asc from npm, twice, in parallel:
// - dist/wasm/kernels.wasm: shared memory (threads) + SIMD, which browsers and Node ≥ 20 support;
// - dist/wasm/kernels-relaxed.wasm: the same plus relaxed SIMD, where `madd` (assembly/simd.ts)
//   is f32x4.relaxed_madd — one FMA instruction on CPUs that have it. Chromium ≥ 114 and Node ≥ 22
//   run it; Node 20 only with --experimental-wasm-relaxed-simd (src/platform/node.ts turns that on).
// The backend picks one at load time (src/kernels/wasm/variant.ts).
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ascBin = require.resolve('assemblyscript/bin/asc.js');
mkdirSync('dist/wasm', { recursive: true });

const common = [
  ascBin, 'assembly/index.ts',
  '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert',
  '--runtime', 'stub',
  '--enable', 'simd', '--enable', 'threads',
  '--importMemory', '--sharedMemory', '--initialMemory', '256', '--maximumMemory', '65536',
];
const builds = [
  { out: 'dist/wasm/kernels.wasm', extra: [] },
  { out: 'dist/wasm/kernels-relaxed.wasm', extra: ['--enable', 'relaxed-simd'] },
];

function asc(b) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...common, '--outFile', b.out, ...b.extra], { stdio: 'inherit' });
    p.on('close', (code) => resolve(code ?? 1));
  });
}

const codes = await Promise.all(builds.map(asc));
const failed = builds.filter((_, i) => codes[i] !== 0);
if (failed.length > 0) {
  console.error(`build-wasm: asc failed for ${failed.map((b) => b.out).join(', ')}; see the messages above`);
  process.exit(1);
}
