import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WRITE_ERROR_CODES, WriteError } from '../util/errors.js';
import { atomicTempName } from '../util/temp-name.js';

export { isAtomicTempName } from '../util/temp-name.js';

/**
 * Atomic file writes: the bytes go to a temporary file in the same folder (same filesystem, so the
 * rename is atomic), every byte is checked written, the file is flushed to disk with fsync, and it
 * replaces `path` in one rename. A crash, a kill or a full disk at any moment leaves either the old
 * file or the new one, never a torn one; on a failure the temporary file is removed.
 */

let counter = 0;

function tempPathFor(path: string): string {
  counter = (counter + 1) % 1e9;
  return join(dirname(path), atomicTempName(basename(path), process.pid, counter));
}

/** Turns a write's system error into a WriteError when the user can fix it; other errors pass through. */
export function writeFailure(path: string, err: unknown, kept?: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof WriteError) return err;
  return typeof code === 'string' && code in WRITE_ERROR_CODES ? new WriteError(path, code, kept) : err;
}

/** A write that returns 0 bytes makes no progress: report it as the disk being full rather than loop. */
function noProgress(): Error {
  return Object.assign(new Error('write made no progress'), { code: 'ENOSPC' });
}

function toChunks(data: string | Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  return typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
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

/** Writes all of `chunk` at the file's position, looping over short writes. */
function writeAllSync(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.byteLength) {
    const n = writeSync(fd, chunk, off, chunk.byteLength - off);
    if (n <= 0) throw noProgress();
    off += n;
  }
}

async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  let off = 0;
  while (off < chunk.byteLength) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
    if (bytesWritten <= 0) throw noProgress();
    off += bytesWritten;
  }
}

/**
 * Writes `data` (a string is written as UTF-8, several chunks are written in order) to `path`
 * atomically. Synchronous on purpose: the SIGINT handler uses it to save before exiting.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    for (const chunk of toChunks(data)) writeAllSync(fd, chunk);
    fsyncSync(fd);
    const f = fd;
    fd = undefined;
    closeSync(f);
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    rmSync(tmp, { force: true });
    throw writeFailure(path, e);
  }
  fsyncDirSync(dirname(path));
}

/** The asynchronous twin of writeFileAtomicSync. */
export async function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const tmp = tempPathFor(path);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'w', 0o644);
    for (const chunk of toChunks(data)) await writeAll(fh, chunk);
    await fh.sync();
    const f = fh;
    fh = undefined;
    await f.close();
    await rename(tmp, path);
  } catch (e) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw writeFailure(path, e);
  }
  fsyncDirSync(dirname(path));
}

/**
 * Creates `dir` (and missing parents) if it is missing. Where the parent exists the folder is made
 * on its own, so a failure carries its real code (a recursive mkdir reports EROFS as ENOENT).
 */
export function ensureFolderSync(dir: string): void {
  if (existsSync(dir)) return;
  if (existsSync(dirname(dir))) mkdirSync(dir);
  else mkdirSync(dir, { recursive: true });
}

/** Appends UTF-8 text to `path` (not atomic: for logs, whose readers drop a cut-short last line). */
export function appendTextSync(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (e) {
    throw writeFailure(path, e, 'its last line may be cut short');
  }
}

/**
 * A line-by-line writer to a temp file that becomes `path` only on `commit()` (every byte checked
 * written, fsync, rename); `abort()` removes it. Lines are buffered up to 64 KiB between writes,
 * so memory stays bounded however much is written.
 */
export class AtomicLineWriter {
  private readonly tmp: string;
  private fh: Promise<FileHandle> | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  lines = 0;

  constructor(readonly path: string) {
    this.tmp = tempPathFor(path);
  }

  private handle(): Promise<FileHandle> {
    this.fh ??= open(this.tmp, 'w', 0o644);
    return this.fh;
  }

  private async flush(): Promise<void> {
    const fh = await this.handle();
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    await writeAll(fh, bytes);
  }

  async write(line: string): Promise<void> {
    this.lines++;
    this.pending.push(line + '\n');
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= 1 << 16) {
      try {
        await this.flush();
      } catch (e) {
        throw writeFailure(this.path, e);
      }
    }
  }

  async commit(): Promise<void> {
    try {
      await this.flush();
      const fh = await this.handle();
      await fh.sync();
      this.fh = null;
      await fh.close();
      await rename(this.tmp, this.path);
    } catch (e) {
      await this.abort();
      throw writeFailure(this.path, e);
    }
    fsyncDirSync(dirname(this.path));
  }

  async abort(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.pending = [];
    if (fh) await fh.then((h) => h.close()).catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}
