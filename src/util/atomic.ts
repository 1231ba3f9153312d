import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';

/**
 * Atomic file writes: the bytes go to a temporary file in the same folder (same filesystem, so the
 * rename is atomic), are flushed to disk with fsync, and then replace `path` in one rename. A crash
 * or Ctrl-C at any moment leaves either the old file or the new one, never a torn one.
 */

let counter = 0;

function tempPathFor(path: string): string {
  counter = (counter + 1) % 1e9;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/** Fsyncs the folder so the rename itself survives a power cut (best effort: not every OS allows it). */
function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` (a string is written as UTF-8, several chunks are written in order) to `path`
 * atomically. Synchronous on purpose: the SIGINT handler uses it to save before exiting.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const tmp = tempPathFor(path);
  const chunks: readonly Uint8Array[] =
    typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    for (const chunk of chunks) {
      let off = 0;
      while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(dirname(path));
}

/** The asynchronous twin of writeFileAtomicSync. */
export async function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const tmp = tempPathFor(path);
  const chunks: readonly Uint8Array[] =
    typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const fh = await open(tmp, 'w', 0o644);
  try {
    for (const chunk of chunks) await fh.write(chunk);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(dirname(path));
}

/**
 * A line-by-line writer to a temp file that becomes `path` only on `commit()`; `abort()` removes
 * it. Waits for the stream to drain, so memory stays bounded however much is written.
 */
export class AtomicLineWriter {
  private readonly tmp: string;
  private readonly stream: WriteStream;
  lines = 0;
  private error: Error | undefined;

  constructor(readonly path: string) {
    this.tmp = tempPathFor(path);
    this.stream = createWriteStream(this.tmp, { encoding: 'utf8' });
    // kept and rethrown from write/commit, so a failed open is an error there, not a crash
    this.stream.on('error', (err) => (this.error = err));
  }

  async write(line: string): Promise<void> {
    if (this.error) throw this.error;
    this.lines++;
    if (!this.stream.write(line + '\n')) await once(this.stream, 'drain');
  }

  async commit(): Promise<void> {
    if (this.error) throw this.error;
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await rename(this.tmp, this.path);
    fsyncDirSync(dirname(this.path));
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tmp, { force: true });
  }
}
