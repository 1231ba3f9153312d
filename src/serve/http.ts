import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, HttpError, type ApiErrorCode } from './errors.js';

/**
 * Headers on every response (contract8): the page is cross-origin isolated, so the engine can use
 * wasm threads (SharedArrayBuffer) in it.
 */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function send(res: ServerResponse, status: number, body: string | Buffer, contentType: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': contentType, 'Content-Length': String(bytes.length), ...headers });
  res.end(bytes);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
}

export function sendError(res: ServerResponse, status: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, errorBody(code, message), headers);
}

/**
 * The request body, at most `limit` bytes: a declared Content-Length over the limit is refused
 * before reading; a body that grows past it is refused as soon as it does (413 either way).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): HttpError => new HttpError(413, 'too_large', `the request body is over ${limit} bytes (max-body-bytes)`, { Connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard what the client sends, so it can read the answer
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
  });
}

/** Parses a JSON body; a syntax error is a 400 that says where. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'bad_request', 'the body is empty; send a JSON object like {"text": "…"}');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'bad_request', `malformed JSON in the body: ${(e as Error).message}`);
  }
}
