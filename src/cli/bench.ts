import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { parseFlags, type FlagSpec } from './args.js';

/**
 * `s2s bench train|gemm|data|serve [flags]`: benchmarks that print JSON. Each suite lives under bench/
 * (compiled to dist/bench/) and loads lazily, so a suite that is not built yet gives a clear error
 * instead of breaking the others.
 */
const SUITES: Record<string, { file: string; fn: string; summary: string; args?: (argv: string[]) => unknown }> = {
  train: { file: 'train.js', fn: 'runTrainBench', summary: 'training step and decoding speed of the benchmark model (--peer: PyTorch side by side)' },
  gemm: { file: 'gemm.js', fn: 'runGemmBench', summary: 'matrix-multiply kernels (GFLOP/s)' },
  data: { file: 'data.js', fn: 'runDataBench', summary: 'data pipeline throughput (read, tokenize, encode)', args: dataArgs },
  serve: { file: 'serve.js', fn: 'runServeBench', summary: 'load test of s2s serve on loopback: requests/s and p50/p99 latency, batching on vs off' },
  browser: { file: 'browser.js', fn: 'runBrowserBench', summary: 'the engine in headless chromium vs in Node: decoding and training speed' },
};

/** runDataBench takes an options object rather than argv. */
function dataArgs(argv: string[]): { json: boolean; lines?: number } {
  const specs: Record<string, FlagSpec> = {
    json: { type: 'bool', help: 'print JSON' },
    lines: { type: 'int', min: 1, help: 'corpus lines to generate (default 1,000,000)' },
  };
  const { flags, rest } = parseFlags('bench data', argv, specs);
  if (rest.length > 0) throw new UserError(`s2s bench data: unexpected argument '${rest[0]}'`);
  const lines = flags['lines'] as number | undefined;
  return { json: flags['json'] === true, lines };
}

function usage(): string {
  const lines = ['usage: s2s bench <suite> [flags]   (s2s bench <suite> --help for its flags)', ''];
  for (const [name, s] of Object.entries(SUITES)) lines.push(`  ${name.padEnd(6)} ${s.summary}`);
  return lines.join('\n');
}

/** dist/src/cli/bench.js → dist/bench/NAME */
function suitePath(file: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', file);
}

export async function run(argv: string[]): Promise<number> {
  const [suite, ...rest] = argv;
  if (!suite || suite === '--help' || suite === '-h') {
    console.log(usage());
    return suite ? 0 : 2;
  }
  const spec = SUITES[suite];
  if (!spec) throw new UserError(`s2s bench: unknown suite '${suite}'; valid suites: ${Object.keys(SUITES).join(', ')}`);
  const path = suitePath(spec.file);
  if (!existsSync(path)) {
    throw new UserError(`s2s bench ${suite}: ${path} is missing; build it with npm run build (the ${suite} benchmark may not be written yet)`);
  }
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const fn = mod[spec.fn];
  if (typeof fn !== 'function') throw new UserError(`s2s bench ${suite}: ${path} does not export ${spec.fn}`);
  const input = spec.args ? spec.args(rest) : rest;
  const code = await (fn as (arg: unknown) => Promise<unknown>)(input);
  // runDataBench returns its JSON rather than printing it.
  if (suite === 'data' && (input as { json: boolean }).json) console.log(JSON.stringify(code));
  return typeof code === 'number' ? code : 0;
}
