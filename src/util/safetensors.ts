import type { SafeDType } from './safetensors-decode.js';

export { encodeSafetensors } from './safetensors-encode.js';

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

// Reading and writing files of this format: src/platform/node-safetensors.ts.
