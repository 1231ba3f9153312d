// safetensors files on disk (the format itself is pure: src/util/safetensors-*.ts).
import { readFileSync } from 'node:fs';
import { fileErrorReason, UserError } from '../util/errors.js';
import { decodeSafetensors, type SafetensorsFile } from '../util/safetensors-decode.js';
import { encodeSafetensors } from '../util/safetensors-encode.js';
import type { SafeTensorInput } from '../util/safetensors.js';
import { writeFileAtomicSync } from './node-atomic.js';

/** Writes a safetensors file atomically (temp file + fsync + rename). */
export function writeSafetensors(path: string, tensors: Iterable<[string, SafeTensorInput]>, metadata: Record<string, string> = {}): void {
  writeFileAtomicSync(path, encodeSafetensors(tensors, metadata));
}

/** Reads a safetensors file; a missing or malformed file is a UserError naming it. */
export function readSafetensors(path: string): SafetensorsFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read the weights file (${fileErrorReason(e)}); check the path and its permissions`);
  }
  try {
    return decodeSafetensors(bytes);
  } catch (e) {
    throw new UserError(`${path}: not a valid safetensors file (${e instanceof Error ? e.message : String(e)})`);
  }
}
