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

type Chunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * The lines of a stream of UTF-8 byte (or text) chunks: a file, stdin, a fetch body. A character
 * split across two byte chunks is decoded whole; invalid bytes become U+FFFD (as Node's 'utf8'
 * streams do). `source` may be a function opening the stream, called on the first next(), so a
 * generator never started holds nothing open. An error of the stream goes through `onReadError`
 * (which returns the error to throw). The stream is closed when the lines end or the caller stops
 * early. One generator, one async step per line: this is the hot loop of every reader.
 */
export async function* linesOfBytes(source: Chunks | (() => Chunks), onReadError: (err: unknown) => unknown = (e) => e): AsyncGenerator<string> {
  const stream = typeof source === 'function' ? source() : source;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // the BOM is the splitter's to drop
  const splitter = new LineSplitter();
  const chunks: AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string> =
    Symbol.asyncIterator in stream ? stream[Symbol.asyncIterator]() : stream[Symbol.iterator]();
  try {
    for (;;) {
      let r: IteratorResult<Uint8Array | string>;
      try {
        r = await chunks.next();
      } catch (err) {
        throw onReadError(err);
      }
      if (r.done) break;
      const text = typeof r.value === 'string' ? r.value : decoder.decode(r.value, { stream: true });
      for (const line of splitter.push(text)) yield line;
    }
    for (const line of splitter.push(decoder.decode())) yield line;
    for (const line of splitter.end()) yield line;
  } finally {
    await chunks.return?.();
  }
}
