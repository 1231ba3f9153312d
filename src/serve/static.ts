import { realpathSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web page's files (contract8): `/` is dist/web/index.html; `/dist/<path>` serves files under
 * dist/web/, dist/src/ and dist/wasm/ only. Anything else — other folders, `..`, encoded
 * traversal, a symlink that leads out of those folders, a folder — is "not found".
 */
export const STATIC_PREFIXES = ['web', 'src', 'wasm'] as const;

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** dist/ of this package: this file is dist/src/serve/static.js. */
export function defaultDistDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * The file for a URL path (without query), or null for "not found". `distDir` is the dist/
 * folder (a test may point it elsewhere).
 */
export function resolveStatic(urlPath: string, distDir: string): StaticFile | null {
  let rel: string;
  if (urlPath === '/' || urlPath === '/index.html') rel = 'web/index.html';
  else if (urlPath.startsWith('/dist/')) rel = urlPath.slice('/dist/'.length);
  else return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null; // malformed %-escape
  }
  const parts = decoded.split('/');
  // Checked after decoding, so %2e%2e and %2f cannot smuggle a step out; backslashes and NULs are never part of our file names.
  if (parts.some((p) => p === '' || p === '.' || p === '..') || /[\\\0]/.test(decoded)) return null;
  const prefix = parts[0]!;
  if (!(STATIC_PREFIXES as readonly string[]).includes(prefix) || parts.length < 2) return null;
  const type = CONTENT_TYPES[extname(decoded).toLowerCase()];
  if (!type) return null;
  try {
    const root = realpathSync(join(distDir, prefix));
    const real = realpathSync(join(distDir, ...parts));
    if (!real.startsWith(root + sep)) return null; // a symlink out of the allowed folder
    if (!statSync(real).isFile()) return null;
    return { body: readFileSync(real), contentType: type };
  } catch {
    return null;
  }
}
