// Reading and listing files in Node: the file access of the data readers (src/data/readers/files.ts)
// and the codecs file. Parsing stays in src/data; this only opens, reads and lists.
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileErrorReason, UserError } from '../util/errors.js';

export { writeFileAtomic, writeFileAtomicSync, AtomicLineWriter, ensureFolderSync } from './node-atomic.js';

/** Throws a UserError unless `file` is an existing regular file (streams report this too late). */
export async function assertReadableFile(file: string, what: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await stat(file)).isFile();
  } catch (err) {
    throw new UserError(`${file}: ${fileErrorReason(err)} (${what}); check the path`);
  }
  if (!isFile) throw new UserError(`${file}: is not a file (${what}); give a file path`);
}

/** A file's bytes as a stream of chunks, opened when iteration starts. */
export function fileChunks(file: string): AsyncIterable<Uint8Array> {
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

/** A whole file's bytes; a read error is thrown as the host reports it (the caller names the file). */
export async function readFileBytes(file: string): Promise<Uint8Array> {
  const b = await readFile(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A whole file as UTF-8 text. */
export function readTextFile(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

/** What is at `path`: a file, a folder, or nothing (missing or unreadable). */
export async function pathKind(path: string): Promise<'file' | 'folder' | 'other' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

/** The names in a folder (a listing error is a UserError naming the folder). */
export async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    throw new UserError(`${dir}: cannot list the folder (${fileErrorReason(err)}); check its permissions`);
  }
}

export function joinPath(...parts: string[]): string {
  return join(...parts);
}
