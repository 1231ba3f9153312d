import type { ReadOptions, SourcedPair } from '../types.js';
import { badLine, SKIP_HINT } from './lines.js';

/** Parses one `{"src": "...", "tgt": "..."}` object a line; other keys are ignored. Blank lines are skipped. `file` names the source in messages. */
export async function* parseJsonl(lines: AsyncIterable<string> | Iterable<string>, file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      badLine(`${file}:${lineNo}: not valid JSON (${why}); ${SKIP_HINT}`, options);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      badLine(`${file}:${lineNo}: expected a JSON object {"src": ..., "tgt": ...}; ${SKIP_HINT}`, options);
      continue;
    }
    const { src, tgt } = value as Record<string, unknown>;
    if (typeof src !== 'string' || typeof tgt !== 'string') {
      const missing = [typeof src !== 'string' ? '"src"' : '', typeof tgt !== 'string' ? '"tgt"' : ''].filter(Boolean).join(' and ');
      badLine(`${file}:${lineNo}: missing or non-string ${missing}; ${SKIP_HINT}`, options);
      continue;
    }
    if (options.stats) options.stats.read++;
    yield { src, tgt, file, line: lineNo };
  }
}
