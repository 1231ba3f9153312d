import type { Module } from '../nn/index.js';
import { UserError } from '../util/errors.js';
import { parseSafetensorsHeader, readSafeTensorData } from '../util/safetensors-decode.js';

/**
 * Loads safetensors bytes into a module's parameters, by name, with no file access (the CLI reads
 * the file; the browser fetches it). `label` names the source in errors (a path or a URL).
 *
 * Everything is checked before a single value is copied — the header in full, then every name,
 * shape and dtype against the model — so a file that does not belong to the model leaves the
 * model untouched and costs no memory beyond the bytes themselves. Values go straight from the
 * bytes into the parameters' storage. Returns the file's metadata.
 */
export function loadWeightsFromBytes(bytes: Uint8Array, model: Module, label: string): Record<string, string> {
  let header;
  try {
    header = parseSafetensorsHeader(bytes);
  } catch (e) {
    throw new UserError(`${label}: not a valid safetensors file (${e instanceof Error ? e.message : String(e)})`);
  }
  const byName = new Map(header.entries.map((e) => [e.name, e]));
  const mine = model.namedParameters();
  const known = new Set(mine.map(([n]) => n));
  for (const e of header.entries) {
    if (!known.has(e.name)) throw new UserError(`${label}: tensor '${e.name}' is not a weight of this model; the file does not belong to this model config`);
  }
  for (const [name, t] of mine) {
    const theirs = byName.get(name);
    if (!theirs) throw new UserError(`${label}: weight '${name}' is missing; the file does not belong to this model config`);
    if (theirs.dtype !== 'F32') throw new UserError(`${label}: tensor '${name}' is ${theirs.sourceDType}, expected float weights (F32, F64, F16 or BF16)`);
    if (theirs.shape.join(',') !== t.shape.join(',')) {
      throw new UserError(`${label}: weight '${name}' has shape [${theirs.shape.join(', ')}], the model expects [${t.shape.join(', ')}]`);
    }
  }
  for (const [name, t] of mine) readSafeTensorData(bytes, header, byName.get(name)!, t.f32);
  return header.metadata;
}

/**
 * A run's codecs must spell exactly the model's vocabularies: a codec with more tokens than the
 * model's embedding would feed it ids it has no row for (and one with fewer could not spell what
 * the model writes). A config.json edited or assembled by hand is caught here, at load; `label`
 * names the config in the error.
 */
export function assertCodecsFitModel(
  label: string, model: { srcVocab: number; tgtVocab: number }, codecs: { src: { vocab: { size: number } }; tgt: { vocab: { size: number } } },
): void {
  const sides = [['source', codecs.src.vocab.size, model.srcVocab], ['target', codecs.tgt.vocab.size, model.tgtVocab]] as const;
  for (const [side, have, built] of sides) {
    if (have !== built) {
      throw new UserError(`${label}: the ${side} vocabulary has ${have} tokens but the model was built for ${built}; the codecs and the model do not belong together (use the config.json written by s2s train)`);
    }
  }
}
