/** Backend selection: `wasm` where it loads, `js` everywhere else. */
import type { Backend } from './backend.js';
import type { Platform } from '../platform/index.js';
import { JsBackend } from './js/index.js';
import { UserError } from '../util/errors.js';

export type { Backend, F32, I32 } from './backend.js';
export { UnaryOp, BinaryOp } from './backend.js';
export { JsBackend } from './js/index.js';

export interface CreateBackendOptions {
  /** 'wasm' (default where it loads) or 'js'. Asking for 'wasm' explicitly makes a load failure an error. */
  backend?: 'js' | 'wasm';
  /** Threads for the wasm backend's heavy kernels (default: all CPUs; 1 = no worker threads). */
  threads?: number;
  /**
   * The host services the wasm backend loads and starts its workers with (default: the host's own,
   * from getPlatform()). Lets an embedder supply the module bytes its own way, and tests make the
   * load fail to exercise the js fallback.
   */
  platform?: Platform;
  /** The wasm kernel build: relaxed (FMA), plain (SIMD only) or auto (default; see kernels/wasm/variant.ts). */
  simd?: 'auto' | 'relaxed' | 'plain';
}

export async function createBackend(opts: CreateBackendOptions = {}): Promise<Backend> {
  if (opts.backend === 'js') return new JsBackend();
  try {
    const { WasmBackend } = await import('./wasm/index.js');
    return await WasmBackend.create({ threads: opts.threads, simd: opts.simd }, opts.platform);
  } catch (e) {
    // a bad S2S_WASM_SIMD (or simd option) is the user's to fix, not a reason to run slower
    if (opts.backend === 'wasm' || e instanceof UserError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    // console.warn: stderr in Node, the console in browsers (this file stays host-neutral)
    console.warn(`s2s: wasm backend unavailable (${msg.split('\n')[0]}); using the js backend`);
    return new JsBackend();
  }
}

/** Stops a backend's worker threads, if it has any (a no-op for js). */
export async function disposeBackend(b: Backend): Promise<void> {
  const d = (b as { dispose?: () => Promise<void> }).dispose;
  if (typeof d === 'function') await d.call(b);
}
