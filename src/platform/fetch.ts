// Bytes from a URL through the host's fetch (browsers, and Node ≥ 18, have the same global).
interface ResponseLike { ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }
type FetchFn = (url: string) => Promise<ResponseLike>;

/** The body of GET `url`; a failed request or a non-2xx status is an Error naming the URL. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const f = (globalThis as unknown as { fetch?: FetchFn }).fetch;
  if (typeof f !== 'function') throw new Error(`${url}: this host has no fetch()`);
  let r: ResponseLike;
  try {
    r = await f(url);
  } catch (e) {
    throw new Error(`${url}: request failed (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${r.statusText}`.trimEnd());
  return new Uint8Array(await r.arrayBuffer());
}
