/**
 * Text → lines, with no host API (the node readers feed it file bytes; a browser can feed it
 * fetched bytes). A line ends at "\n" or "\r\n" only: a lone "\r" is part of the line (Node's
 * readline would split there, misaligning line-paired files). A final line without a newline is
 * a line; an empty input has none; a byte-order mark at the very start is dropped.
 */
export class LineSplitter {
  private partial = '';
  private started = false;

  /** The lines completed by `chunk` (the text after its last "\n" waits for the next chunk). */
  push(chunk: string): string[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const out: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      let line = chunk.slice(start, nl);
      if (this.partial !== '') {
        line = this.partial + line;
        this.partial = '';
      }
      out.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < chunk.length) this.partial += chunk.slice(start);
    return out;
  }

  /** The last line, when the text did not end with a newline. */
  end(): string[] {
    const last = this.partial;
    this.partial = '';
    return last === '' ? [] : [last];
  }
}

/** All lines of a whole text (see LineSplitter). */
export function splitLines(text: string): string[] {
  const s = new LineSplitter();
  return [...s.push(text), ...s.end()];
}

/** Lines of a stream of text chunks. */
export async function* linesOfText(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  const s = new LineSplitter();
  for await (const chunk of chunks) yield* s.push(chunk);
  yield* s.end();
}

/**
 * UTF-8 bytes → text chunks; a character split across two byte chunks is decoded whole.
 * Invalid bytes become U+FFFD (as Node's 'utf8' streams do). String chunks pass through.
 */
export async function* utf8Chunks(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** Lines of a stream of UTF-8 byte chunks (a file, stdin, a fetch body). */
export function linesOfBytes(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<string> {
  return linesOfText(utf8Chunks(chunks));
}
