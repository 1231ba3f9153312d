import type { RunStore } from './run-store.js';

/**
 * A run folder on disk as a RunStore, for code that must also load in a browser (src/train): the
 * Node file code is imported only when a folder path is actually used, so a page that passes a
 * MemoryRunStore never loads node:fs.
 */
export async function runFolderStore(dir: string, opts: { create?: boolean } = {}): Promise<RunStore> {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (typeof p?.versions?.node !== 'string') {
    throw new Error(`s2s: run folder '${dir}' needs Node's file system; in a browser pass a RunStore (e.g. MemoryRunStore)`);
  }
  const m = await import('./node-run-store.js');
  return m.openRunFolder(dir, opts);
}

/** A folder path as a store; a store as itself. */
export async function asRunStore(run: string | RunStore, opts: { create?: boolean } = {}): Promise<RunStore> {
  return typeof run === 'string' ? runFolderStore(run, opts) : run;
}
