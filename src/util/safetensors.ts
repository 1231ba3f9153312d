import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { UserError } from './errors.js';
import { writeFileAtomicSync } from './atomic.js';
import { encodeSafetensors } from './safetensors-encode.js';

export { encodeSafetensors } from './safetensors-encode.js';

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

export type SafeDType = 'F32' | 'I32';

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  /** Tensors in the order of their data offsets. */
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

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

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Parses safetensors bytes. The tensors' arrays are fresh copies (aligned, independent of `bytes`).
 * Throws an Error describing the first problem found (callers add the file name).
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  assertLittleEndian();
  if (bytes.byteLength < 8) throw new Error('file is shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.byteLength - 8) throw new Error(`header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const meta = header['__metadata__'];
  if (meta !== undefined) {
    if (typeof meta !== 'object' || meta === null) throw new Error('__metadata__ is not an object');
    for (const [k, v] of Object.entries(meta)) metadata[k] = String(v);
  }
  const entries: [string, SafeTensor, number][] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offs } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`tensor '${name}': bad shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o))) throw new Error(`tensor '${name}': bad data_offsets`);
    const [begin, end] = offs as [number, number];
    if (begin < 0 || end < begin || end > dataLen) throw new Error(`tensor '${name}': data_offsets [${begin}, ${end}] outside the ${dataLen}-byte data`);
    const count = sizeOf(shape as number[]);
    const width = dtype === 'F64' ? 8 : dtype === 'F16' || dtype === 'BF16' ? 2 : dtype === 'F32' || dtype === 'I32' ? 4 : 0;
    if (width === 0) throw new Error(`tensor '${name}': dtype ${String(dtype)} is not supported (F32, I32, F64, F16, BF16)`);
    if (end - begin !== count * width) throw new Error(`tensor '${name}': ${end - begin} bytes of data for shape [${(shape as number[]).join(', ')}] of ${String(dtype)}`);
    const src = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    let data: Float32Array | Int32Array;
    let outType: SafeDType = 'F32';
    if (dtype === 'I32' || dtype === 'F32') {
      // A byte copy into a fresh buffer: aligned whatever the header length, and little-endian as stored.
      const copy = new Uint8Array(count * 4);
      copy.set(bytes.subarray(dataStart + begin, dataStart + end));
      outType = dtype;
      data = dtype === 'I32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    } else {
      const f = new Float32Array(count);
      if (dtype === 'F64') for (let i = 0; i < count; i++) f[i] = src.getFloat64(i * 8, true);
      else if (dtype === 'F16') for (let i = 0; i < count; i++) f[i] = f16ToF32(src.getUint16(i * 2, true));
      else {
        const tmp = new DataView(new ArrayBuffer(4));
        for (let i = 0; i < count; i++) {
          tmp.setUint32(0, src.getUint16(i * 2, true) << 16, true);
          f[i] = tmp.getFloat32(0, true);
        }
      }
      data = f;
    }
    entries.push([name, { dtype: outType, shape: [...(shape as number[])], data }, begin]);
  }
  entries.sort((a, b) => a[2] - b[2]);
  return { tensors: new Map(entries.map(([name, t]) => [name, t])), metadata };
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
  } catch {
    throw new UserError(`${path}: cannot read the weights file; check the path`);
  }
  try {
    return decodeSafetensors(bytes);
  } catch (e) {
    throw new UserError(`${path}: not a valid safetensors file (${e instanceof Error ? e.message : String(e)})`);
  }
}
