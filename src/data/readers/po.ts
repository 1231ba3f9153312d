import type { ReadOptions, SourcedPair } from '../types.js';
import { badLine } from './lines.js';

/** One catalog entry as parsed from a .po file, before we decide whether it is a usable pair. */
interface PoEntry {
  line: number;
  fuzzy: boolean;
  ctxt?: string;
  id?: string;
  idPlural?: string;
  /** msgstr (index 0) or msgstr[n] */
  strs: string[];
  hasStr: boolean;
  /** the field that continuation lines ("...") append to */
  field?: { kind: 'ctxt' | 'id' | 'idPlural' | 'str'; index: number };
}

function freshEntry(): PoEntry {
  return { line: 0, fuzzy: false, strs: [], hasStr: false };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '"': '"', '\\': '\\', '?': '?', "'": "'" };

/** Decodes the body of a C string literal as gettext writes it; undefined if it is not one. */
export function unquotePo(literal: string): string | undefined {
  const s = literal.trim();
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return undefined;
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i]!;
    if (c === '"') return undefined; // an unescaped quote inside: two strings on one line
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined || i >= s.length - 1) return undefined;
    if (n in ESCAPES) out += ESCAPES[n];
    else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i, s.length - 1))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === 'x') {
      const m = /^[0-9a-fA-F]+/.exec(s.slice(i + 1, s.length - 1));
      if (!m) return undefined;
      out += String.fromCharCode(parseInt(m[0], 16));
      i += m[0].length;
    } else return undefined;
  }
  return out;
}

/** The pairs an entry contributes: none for the header, fuzzy or untranslated entries. */
function* entryPairs(e: PoEntry, file: string): Generator<SourcedPair> {
  if (e.id === undefined || e.id === '' || e.fuzzy) return;
  // msgctxt only disambiguates identical msgids for the program; the pair itself drops it.
  const s0 = e.strs[0];
  if (s0) yield { src: e.id, tgt: s0, file, line: e.line };
  const s1 = e.strs[1];
  if (e.idPlural !== undefined && e.idPlural !== '' && s1) yield { src: e.idPlural, tgt: s1, file, line: e.line };
}

// `s`: a raw CR inside the quoted string is content, not the end of the line.
const KEYWORD = /^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*)$/s;

/**
 * Parses a gettext .po catalog's lines (UTF-8; readPo in files.ts opens a file) as msgid → msgstr pairs. Obsolete (`#~`) entries are
 * ignored; `#, fuzzy` entries, untranslated entries and the header are skipped.
 */
export async function* parsePo(lines: AsyncIterable<string> | Iterable<string>, file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  let e = freshEntry();
  let lineNo = 0;
  const flush = function* (): Generator<SourcedPair> {
    for (const p of entryPairs(e, file)) {
      if (options.stats) options.stats.read++;
      yield p;
    }
    e = freshEntry();
  };
  for await (const raw of lines) {
    lineNo++;
    const text = raw.trim();
    if (text === '') {
      yield* flush();
      continue;
    }
    if (text.startsWith('#')) {
      if (text.startsWith('#~')) continue; // obsolete entry: kept by translators for reference only
      if (e.hasStr) yield* flush(); // a comment after msgstr starts the next entry
      if (text.startsWith('#,') && /\bfuzzy\b/.test(text)) e.fuzzy = true;
      continue;
    }
    if (text.startsWith('"')) {
      const value = unquotePo(text);
      if (value === undefined || !e.field) {
        badLine(`${file}:${lineNo}: ${value === undefined ? 'malformed string literal' : 'string continuation outside an entry'}; fix the catalog (msgfmt -c checks it)`, options);
        continue;
      }
      const f = e.field;
      if (f.kind === 'str') e.strs[f.index] = (e.strs[f.index] ?? '') + value;
      else e[f.kind] = (e[f.kind] ?? '') + value;
      continue;
    }
    const m = KEYWORD.exec(text);
    const value = m ? unquotePo(m[3]!) : undefined;
    if (!m || value === undefined) {
      badLine(`${file}:${lineNo}: not a .po keyword line (msgctxt/msgid/msgid_plural/msgstr "..."); fix the catalog (msgfmt -c checks it)`, options);
      continue;
    }
    const keyword = m[1]!;
    if ((keyword === 'msgctxt' || keyword === 'msgid') && e.hasStr) yield* flush();
    if (keyword === 'msgctxt') {
      e.ctxt = value;
      e.field = { kind: 'ctxt', index: 0 };
    } else if (keyword === 'msgid') {
      e.id = value;
      e.line = lineNo;
      e.field = { kind: 'id', index: 0 };
    } else if (keyword === 'msgid_plural') {
      e.idPlural = value;
      e.field = { kind: 'idPlural', index: 0 };
    } else {
      const index = m[2] === undefined ? 0 : Number(m[2]);
      e.strs[index] = value;
      e.hasStr = true;
      e.field = { kind: 'str', index };
    }
  }
  yield* flush();
}
