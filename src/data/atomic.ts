import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';

let counter = 0;
/** A temp name beside `path` (same folder, so rename stays on one filesystem and is atomic). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/** Writes `data` to a temp file and renames it over `path`. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
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
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tmp, { force: true });
  }
}
