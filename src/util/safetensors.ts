import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { fileErrorReason, UserError } from './errors.js';
import { writeFileAtomicSync } from './atomic.js';
import { decodeSafetensors, type SafeDType, type SafetensorsFile } from './safetensors-decode.js';

// Decoding needs no host API and lives in its own module (the browser imports it directly).
export {
  decodeSafetensors, parseSafetensorsHeader, readSafeTensorData, MAX_HEADER_BYTES,
  type SafeDType, type SafeSourceDType, type SafeTensor, type SafetensorsFile, type SafeTensorEntry, type SafetensorsHeader,
} from './safetensors-decode.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors), written and read here so
 * that weights move to and from PyTorch / Hugging Face without a converter:
 *
 *   [8 bytes: header length N, unsigned little-endian]
 *   [N bytes: UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
 *             padded with spaces so the data starts on an 8-byte boundary]
 *   [data: each tensor's raw little-endian values, back to back, no holes; offsets relative to here]
 *
 * We write F32 and I32 and read F32, I32, F64, F16 and BF16 (the last three converted to float32).
 */

/** What a writer accepts: a name and any float32 or int32 array with its shape. */
export type SafeTensorInput = { shape: readonly number[]; data: Float32Array | Int32Array; dtype?: SafeDType };

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: big-endian hosts are not supported');
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`safetensors: bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/**
 * Serialises tensors (in the given order) to safetensors bytes, returned as chunks so large
 * weights are written without one more copy. The header is padded to a multiple of 8 bytes.
 */
export function encodeSafetensors(
  tensors: Iterable<[string, SafeTensorInput]>,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  assertLittleEndian();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors: metadata value of '${k}' must be a string`);
    }
    header['__metadata__'] = metadata;
  }
  const bodies: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error(`safetensors: '__metadata__' is not a tensor name`);
    if (name in header) throw new Error(`safetensors: duplicate tensor name '${name}'`);
    const n = sizeOf(t.shape);
    if (t.data.length < n) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}`);
    const dtype: SafeDType = t.dtype ?? (t.data instanceof Int32Array ? 'I32' : 'F32');
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, n * 4);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    bodies.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + raw) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.byteLength), 0);
  return [prefix, headerBytes, ...bodies];
}

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
