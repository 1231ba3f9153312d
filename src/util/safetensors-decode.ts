/**
 * Reading safetensors from bytes, with no file or host API (so the browser build and a server
 * that fetched the bytes use the same code). The layout (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: header length N, unsigned little-endian]
 *   [N bytes: UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}]
 *   [data: each tensor's raw little-endian values, back to back, no holes; offsets relative to here]
 *
 * The header is checked in full before any tensor data is touched: a crafted file (overlapping
 * ranges, a huge header, a shape that does not match its bytes) fails with one message and costs
 * no more memory than its header.
 */

/** What a decoded tensor holds: F32 (F64/F16/BF16 are converted to it) or I32. */
export type SafeDType = 'F32' | 'I32';

/** The dtypes we read, with their widths in bytes. */
const WIDTHS: Record<string, number> = { F32: 4, I32: 4, F64: 8, F16: 2, BF16: 2 };
export type SafeSourceDType = 'F32' | 'I32' | 'F64' | 'F16' | 'BF16';

/** The largest header we accept; the reference implementation uses the same limit. */
export const MAX_HEADER_BYTES = 100_000_000;

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

/** One tensor's header entry, checked: its bytes are `bytes[dataStart + begin, dataStart + end)`. */
export interface SafeTensorEntry {
  name: string;
  /** The dtype as stored. */
  sourceDType: SafeSourceDType;
  /** The dtype of the decoded array (F32 unless stored as I32). */
  dtype: SafeDType;
  shape: number[];
  /** Number of values (product of the shape). */
  size: number;
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Entries in the order of their data offsets (contiguous, covering the whole data section). */
  entries: SafeTensorEntry[];
  metadata: Record<string, string>;
  /** Where the data section starts in the bytes (8 + header length). */
  dataStart: number;
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: big-endian hosts are not supported');
}

/**
 * The keys of the top-level JSON object, in order, duplicates included (JSON.parse keeps only
 * the last of a repeated key, which would hide a second tensor of the same name). `text` must
 * already be valid JSON.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = text.indexOf('{') + 1;
  let depth = 0;
  let expectKey = true;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 0 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) expectKey = true;
    i++;
  }
  return keys;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Parses and checks the header: the length, the JSON, every entry's dtype/shape/offsets, names
 * unique, and data ranges in order without overlap or holes, ending at the end of the bytes.
 * Throws an Error describing the first problem found (callers add the file name).
 */
export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  assertLittleEndian();
  if (bytes.byteLength < 8) throw new Error('file is shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) throw new Error(`header length ${n64} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (n > bytes.byteLength - 8) throw new Error(`header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`);
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('header is not a JSON object');
  const record = header as Record<string, unknown>;
  const seen = new Set<string>();
  for (const k of topLevelKeys(text)) {
    if (seen.has(k)) throw new Error(`tensor name '${k}' appears twice in the header`);
    seen.add(k);
  }
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const meta = record['__metadata__'];
  if (meta !== undefined) {
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new Error('__metadata__ is not an object');
    for (const [k, v] of Object.entries(meta)) metadata[k] = String(v);
  }
  const entries: SafeTensorEntry[] = [];
  for (const [name, info] of Object.entries(record)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offs } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`tensor '${name}': bad shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o))) throw new Error(`tensor '${name}': bad data_offsets`);
    const [begin, end] = offs as [number, number];
    if (begin < 0 || end < begin || end > dataLen) throw new Error(`tensor '${name}': data_offsets [${begin}, ${end}] outside the ${dataLen}-byte data`);
    const width = typeof dtype === 'string' && Object.hasOwn(WIDTHS, dtype) ? WIDTHS[dtype]! : 0;
    if (width === 0) throw new Error(`tensor '${name}': dtype ${String(dtype)} is not supported (F32, I32, F64, F16, BF16)`);
    let size = 1;
    for (const d of shape as number[]) size *= d;
    if (end - begin !== size * width) throw new Error(`tensor '${name}': ${end - begin} bytes of data for shape ${shapeText(shape as number[])} of ${String(dtype)}`);
    const sourceDType = dtype as SafeSourceDType;
    entries.push({ name, sourceDType, dtype: sourceDType === 'I32' ? 'I32' : 'F32', shape: [...(shape as number[])], size, begin, end });
  }
  // Sort by offset; ties (empty tensors) keep the header's order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin < at) throw new Error(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor's data (which ends at ${at})`);
    if (e.begin > at) throw new Error(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] leave a hole after byte ${at} of the data`);
    at = e.end;
  }
  if (at !== dataLen) throw new Error(`the tensors cover ${at} of the ${dataLen} data bytes; the rest belongs to no tensor`);
  return { entries, metadata, dataStart };
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
 * Copies one checked entry's values out of `bytes` into `out` (a fresh array when not given):
 * F32/I32 as stored, F64/F16/BF16 converted to float32. `out` must hold `entry.size` values.
 */
export function readSafeTensorData(bytes: Uint8Array, header: SafetensorsHeader, entry: SafeTensorEntry, out?: Float32Array | Int32Array): Float32Array | Int32Array {
  const start = header.dataStart + entry.begin;
  const count = entry.size;
  const data = out ?? (entry.dtype === 'I32' ? new Int32Array(count) : new Float32Array(count));
  if (data.length < count) throw new Error(`tensor '${entry.name}': ${count} values do not fit in ${data.length}`);
  if (entry.sourceDType === 'F32' || entry.sourceDType === 'I32') {
    // A byte copy: aligned whatever the header length, and little-endian as stored.
    new Uint8Array(data.buffer, data.byteOffset, count * 4).set(bytes.subarray(start, start + count * 4));
    return data;
  }
  const src = new DataView(bytes.buffer, bytes.byteOffset + start, entry.end - entry.begin);
  if (entry.sourceDType === 'F64') for (let i = 0; i < count; i++) data[i] = src.getFloat64(i * 8, true);
  else if (entry.sourceDType === 'F16') for (let i = 0; i < count; i++) data[i] = f16ToF32(src.getUint16(i * 2, true));
  else {
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      tmp.setUint32(0, src.getUint16(i * 2, true) << 16, true);
      data[i] = tmp.getFloat32(0, true);
    }
  }
  return data;
}

/**
 * Parses safetensors bytes. The tensors' arrays are fresh copies (aligned, independent of `bytes`).
 * Throws an Error describing the first problem found (callers add the file name).
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const header = parseSafetensorsHeader(bytes);
  const tensors = new Map<string, SafeTensor>();
  for (const e of header.entries) tensors.set(e.name, { dtype: e.dtype, shape: [...e.shape], data: readSafeTensorData(bytes, header, e) });
  return { tensors, metadata: header.metadata };
}
