import type { RunStore } from '../platform/run-store.js';

/**
 * A RunStore in memory: a run trained in a browser page (or a test) keeps its files here, and
 * `files()` hands their bytes to whatever saves them (a download, IndexedDB, a Node folder).
 * Every write copies its input, so later changes to the caller's arrays never reach the store.
 */
export class MemoryRunStore implements RunStore {
  /** Each file as its chunks (appends add one; a read joins them once), so a long log costs no quadratic copying. */
  private readonly data = new Map<string, Uint8Array[]>();

  constructor(readonly location = 'memory:') {}

  pathOf(name: string): string {
    return `${this.location}${this.location.endsWith(':') || this.location.endsWith('/') ? '' : '/'}${name}`;
  }

  private joined(name: string): Uint8Array | null {
    const chunks = this.data.get(name);
    if (chunks === undefined) return null;
    if (chunks.length !== 1) this.data.set(name, [concat(chunks)]);
    return this.data.get(name)![0]!;
  }

  read(name: string): Uint8Array | null {
    return this.joined(name)?.slice() ?? null;
  }

  readText(name: string): string | null {
    const b = this.joined(name);
    return b === null ? null : new TextDecoder().decode(b);
  }

  writeAtomic(name: string, data: string | Uint8Array | readonly Uint8Array[]): void {
    this.data.set(name, [concat(data)]);
  }

  append(name: string, text: string): void {
    const bytes = new TextEncoder().encode(text);
    const chunks = this.data.get(name);
    if (chunks) chunks.push(bytes);
    else this.data.set(name, [bytes]);
  }

  exists(name: string): boolean {
    return this.data.has(name);
  }

  remove(name: string): void {
    this.data.delete(name);
  }

  rename(from: string, to: string): void {
    const b = this.data.get(from);
    if (b === undefined) throw new Error(`${this.pathOf(from)}: no such file to rename`);
    this.data.delete(from);
    this.data.set(to, b);
  }

  list(): string[] {
    return [...this.data.keys()].sort();
  }

  /** Memory writes are whole at once: there are never temporary files. */
  removeStaleTemps(): string[] {
    return [];
  }

  /** Every file's bytes (copies), by name. */
  files(): Map<string, Uint8Array> {
    return new Map(this.list().map((name) => [name, this.read(name)!]));
  }
}

function concat(data: string | Uint8Array | readonly Uint8Array[]): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data.slice();
  let n = 0;
  for (const c of data) n += c.byteLength;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of data) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
