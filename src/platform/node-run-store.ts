// A RunStore on a folder of the local disk: the run-folder I/O of the trainer, in Node.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appendTextSync, ensureFolderSync, isAtomicTempName, writeFailure, writeFileAtomicSync } from './node-atomic.js';
import { UserError, WRITE_ERROR_CODES } from '../util/errors.js';
import type { RunStore } from './run-store.js';

export interface RunFolderOptions {
  /** Create the folder when it is missing (default true); false makes a missing folder an empty store. */
  create?: boolean;
}

/** A run folder as a RunStore. `dir` is created when `create` (the default) and it is missing. */
export function openRunFolder(dir: string, opts: RunFolderOptions = {}): RunStore {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UserError(`${dir}: is a file, not a run folder`);
  if (opts.create !== false) {
    try {
      ensureFolderSync(dir);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code && code in WRITE_ERROR_CODES ? `${WRITE_ERROR_CODES[code]}, ${code}` : e instanceof Error ? e.message : String(e);
      throw new UserError(`${dir}: cannot create the run folder (${why}); choose another --out`);
    }
  }
  return new NodeRunStore(dir);
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

class NodeRunStore implements RunStore {
  constructor(readonly location: string) {}

  pathOf(name: string): string {
    return join(this.location, name);
  }

  read(name: string): Uint8Array | null {
    try {
      const b = readFileSync(this.pathOf(name));
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      if (isMissing(e)) return null;
      throw new UserError(`${this.pathOf(name)}: cannot read (${(e as { code?: string }).code ?? String(e)}); check the file's permissions`);
    }
  }

  readText(name: string): string | null {
    const b = this.read(name);
    return b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  writeAtomic(name: string, data: string | Uint8Array | readonly Uint8Array[]): void {
    writeFileAtomicSync(this.pathOf(name), data);
  }

  append(name: string, text: string): void {
    appendTextSync(this.pathOf(name), text);
  }

  exists(name: string): boolean {
    return existsSync(this.pathOf(name));
  }

  remove(name: string): void {
    try {
      rmSync(this.pathOf(name), { force: true });
    } catch (e) {
      throw writeFailure(this.pathOf(name), e);
    }
  }

  rename(from: string, to: string): void {
    try {
      renameSync(this.pathOf(from), this.pathOf(to));
    } catch (e) {
      throw writeFailure(this.pathOf(to), e);
    }
  }

  list(): string[] {
    try {
      return readdirSync(this.location).sort();
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
  }

  removeStaleTemps(): string[] {
    const stale = this.list().filter(isAtomicTempName);
    for (const name of stale) this.remove(name);
    return stale;
  }
}
