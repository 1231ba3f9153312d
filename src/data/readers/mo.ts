import type { ReadOptions, SourcedPair } from '../types.js';
import { badLine } from './lines.js';

const MO_MAGIC = 0x950412de;

/** The strings of a compiled catalog, in file order; `context` is split off the msgid. */
export interface MoEntry {
  index: number;
  context?: string;
  /** msgid; for plural entries [singular, plural] */
  ids: string[];
  /** msgstr; for plural entries one per plural form */
  strs: string[];
}

/** Picks a decoder for the catalog's declared charset (UTF-8 when it names none we know). */
function decoderFor(header: string): InstanceType<typeof TextDecoder> {
  const m = /charset=([^\s;]+)/i.exec(header);
  try {
    if (m) return new TextDecoder(m[1]!);
  } catch {
    // "CHARSET" placeholder or an unknown label: UTF-8 is what nearly every catalog uses
  }
  return new TextDecoder('utf-8');
}

/**
 * Parses a GNU .mo file (either byte order). Layout, from the gettext manual ("The Format of
 * GNU MO Files"): magic, revision, N, offset of the msgid table, offset of the msgstr table;
 * each table holds N (length, offset) pairs of NUL-terminated strings.
 * Throws Error with a reason when the file is not a well-formed .mo.
 */
export function parseMo(bytes: Uint8Array): MoEntry[] {
  if (bytes.length < 28) throw new Error('too short for a .mo header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little: boolean;
  if (view.getUint32(0, true) === MO_MAGIC) little = true;
  else if (view.getUint32(0, false) === MO_MAGIC) little = false;
  else throw new Error(`bad magic 0x${view.getUint32(0, true).toString(16)} (expected 0x950412de)`);
  const u32 = (at: number): number => view.getUint32(at, little);
  const major = u32(4) >>> 16;
  if (major > 1) throw new Error(`unsupported .mo revision ${major}`);
  const n = u32(8);
  const idTable = u32(12);
  const strTable = u32(16);
  if (idTable + 8 * n > bytes.length || strTable + 8 * n > bytes.length) throw new Error('string tables run past the end of the file');
  const slice = (table: number, i: number): Uint8Array => {
    const length = u32(table + 8 * i);
    const offset = u32(table + 8 * i + 4);
    if (offset + length > bytes.length) throw new Error(`string ${i + 1} runs past the end of the file`);
    return bytes.subarray(offset, offset + length);
  };
  // The header (translation of msgid "") names the charset of every other string.
  let decoder = new TextDecoder('utf-8');
  for (let i = 0; i < n; i++) {
    if (slice(idTable, i).length === 0) decoder = decoderFor(new TextDecoder('utf-8').decode(slice(strTable, i)));
  }
  const ids: Uint8Array[] = [];
  const strs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(slice(idTable, i));
    strs.push(slice(strTable, i));
  }
  const minor = u32(4) & 0xffff; // minor revision 1 added system-dependent strings
  if (minor >= 1 && bytes.length >= 48) readSysdepStrings(bytes, u32, ids, strs);
  const entries: MoEntry[] = [];
  for (let i = 0; i < ids.length; i++) {
    let id = decoder.decode(ids[i]!);
    let context: string | undefined;
    const eot = id.indexOf('\x04');
    if (eot >= 0) {
      context = id.slice(0, eot);
      id = id.slice(eot + 1);
    }
    entries.push({ index: i, context, ids: id.split('\0'), strs: decoder.decode(strs[i]!).split('\0') });
  }
  return entries;
}

/**
 * Revision-1 catalogs also hold "system-dependent" strings (msgids with <inttypes.h> macros, as
 * "%<PRIdMAX> bytes"), stored as static pieces with named segments between them. We spell each
 * segment as <NAME>, the form msgunfmt prints and the .po source had.
 */
function readSysdepStrings(bytes: Uint8Array, u32: (at: number) => number, ids: Uint8Array[], strs: Uint8Array[]): void {
  const nSegments = u32(28);
  const segmentTable = u32(32);
  const nStrings = u32(36);
  const idTable = u32(40);
  const strTable = u32(44);
  if (nStrings === 0) return;
  if (segmentTable + 8 * nSegments > bytes.length || idTable + 4 * nStrings > bytes.length || strTable + 4 * nStrings > bytes.length) {
    throw new Error('system-dependent string tables run past the end of the file');
  }
  const segments: Uint8Array[] = [];
  for (let i = 0; i < nSegments; i++) {
    const length = u32(segmentTable + 8 * i);
    const offset = u32(segmentTable + 8 * i + 4);
    if (offset + length > bytes.length) throw new Error('system-dependent segment runs past the end of the file');
    let name = bytes.subarray(offset, offset + length);
    if (name[name.length - 1] === 0) name = name.subarray(0, name.length - 1);
    segments.push(Uint8Array.from([0x3c, ...name, 0x3e])); // <NAME>
  }
  const assemble = (at: number): Uint8Array => {
    let piece = u32(at);
    const parts: Uint8Array[] = [];
    for (let k = at + 4; k + 8 <= bytes.length; k += 8) {
      const size = u32(k);
      const ref = u32(k + 4);
      if (piece + size > bytes.length) throw new Error('system-dependent string runs past the end of the file');
      parts.push(bytes.subarray(piece, piece + size));
      piece += size;
      if (ref === 0xffffffff) {
        const out = Buffer.concat(parts);
        // the static pieces keep their NUL terminator: drop it as the plain tables' lengths do
        return out[out.length - 1] === 0 ? out.subarray(0, out.length - 1) : out;
      }
      const seg = segments[ref];
      if (!seg) throw new Error(`system-dependent segment ${ref} does not exist`);
      parts.push(seg);
    }
    throw new Error('unterminated system-dependent string');
  };
  for (let i = 0; i < nStrings; i++) {
    ids.push(assemble(u32(idTable + 4 * i)));
    strs.push(assemble(u32(strTable + 4 * i)));
  }
}

/**
 * A .mo catalog's bytes as msgid → msgstr pairs (and msgid_plural → msgstr[1]); skips the header
 * and untranslated strings. `file` names it (readMo in files.ts reads a file).
 */
export function* moPairs(bytes: Uint8Array, file: string, options: ReadOptions = {}): Generator<SourcedPair> {
  let entries: MoEntry[];
  try {
    entries = parseMo(bytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    badLine(`${file}: not a valid .mo catalog (${why}); recompile it with msgfmt or leave it out`, options);
    return;
  }
  for (const e of entries) {
    const [singular, plural] = e.ids;
    if (!singular) continue; // header entry (msgid "")
    const line = e.index + 1;
    const pairs: [string | undefined, string | undefined][] = [[singular, e.strs[0]]];
    if (plural !== undefined) pairs.push([plural, e.strs[1]]);
    for (const [src, tgt] of pairs) {
      if (!src || !tgt) continue;
      if (options.stats) options.stats.read++;
      yield { src, tgt, file, line };
    }
  }
}
