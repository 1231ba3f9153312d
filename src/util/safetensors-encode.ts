import type { SafeDType, SafeTensorInput } from './safetensors.js';

/**
 * The write side of safetensors (format notes in ./safetensors.ts): pure bytes, no host API, so a
 * page trains and saves with the same code as Node (a RunStore writes the bytes).
 */

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function elementCount(name: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`safetensors: bad dimension ${d} in shape [${shape.join(', ')}] of '${name}'`);
    n *= d;
  }
  return n;
}

/**
 * Serialises tensors (in the given order) to safetensors bytes, returned as chunks so large
 * weights are written without one more copy (the tensor chunks are views of the tensors' own
 * arrays: write them before changing those). The header is padded to a multiple of 8 bytes.
 */
export function encodeSafetensors(
  tensors: Iterable<[string, SafeTensorInput]>,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  if (!isLittleEndianHost()) throw new Error('safetensors: big-endian hosts are not supported');
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
    const n = elementCount(name, t.shape);
    if (t.data.length < n) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}`);
    const dtype: SafeDType = t.dtype ?? (t.data instanceof Int32Array ? 'I32' : 'F32');
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, n * 4);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    bodies.push(bytes);
    offset += bytes.byteLength;
  }
  const utf8 = new TextEncoder();
  let json = JSON.stringify(header);
  const raw = utf8.encode(json).byteLength;
  json += ' '.repeat((8 - ((8 + raw) % 8)) % 8);
  const headerBytes = utf8.encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  return [prefix, headerBytes, ...bodies];
}
