import type { Backend } from '../../src/kernels/backend.js';
import { JsBackend } from '../../src/kernels/js/index.js';

export interface BackendCase {
  name: string;
  make(): Promise<Backend>;
}

/**
 * The backends the shared op suite runs on: js always; wasm with 1 and 2 threads when
 * src/kernels/index.ts exports createBackend and it loads (it may not exist yet while the wasm
 * backend is being written — then only js runs, and `skipped` says why).
 */
export async function testBackends(): Promise<BackendCase[]> {
  const cases: BackendCase[] = [{ name: 'js', make: async () => new JsBackend() }];
  const modPath = '../../src/kernels/index.js';
  try {
    const mod = (await import(modPath)) as { createBackend?: (o: { backend: string; threads: number }) => Backend | Promise<Backend> };
    const create = mod.createBackend;
    if (typeof create !== 'function') {
      skipped.push('wasm: src/kernels/index.ts does not export createBackend');
      return cases;
    }
    const probe = await create({ backend: 'wasm', threads: 1 });
    if (probe.name !== 'wasm') {
      skipped.push(`wasm: createBackend({ backend: 'wasm' }) returned a '${probe.name}' backend`);
      return cases;
    }
    cases.push({ name: 'wasm threads=1', make: async () => probe });
    cases.push({ name: 'wasm threads=2', make: async () => create({ backend: 'wasm', threads: 2 }) });
  } catch (e) {
    skipped.push(`wasm: could not load (${(e as Error).message.split('\n')[0]})`);
  }
  return cases;
}

/** Reasons a backend was left out of the suite (reported by the tests as a skip). */
export const skipped: string[] = [];
