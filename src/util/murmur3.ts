/**
 * MurmurHash3 x86_32 (seed 0) over bytes given as chunks — the same value however the bytes are
 * split into chunks. A cheap fingerprint that tells a checkpoint's files from other versions of
 * them (not a defence against anyone crafting a collision). Reads 4-byte words straight from the
 * arrays where they are aligned, so hashing runs near memory speed.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function murmur3(chunks: readonly Uint8Array[]): number {
  let h = 0;
  let length = 0;
  let carry = 0; // up to 3 bytes waiting for the rest of their word, little-endian
  let carried = 0;
  for (const c of chunks) {
    length += c.length;
    let i = 0;
    while (carried > 0 && i < c.length) {
      carry |= c[i++]! << (8 * carried);
      if (++carried === 4) {
        h = mixWord(h, carry);
        carry = 0;
        carried = 0;
      }
    }
    const words = (c.length - i) >>> 2;
    if (words > 0) {
      if ((c.byteOffset + i) % 4 === 0) {
        const w = new Uint32Array(c.buffer, c.byteOffset + i, words);
        for (let j = 0; j < words; j++) h = mixWord(h, w[j]!);
      } else {
        const v = new DataView(c.buffer, c.byteOffset + i, words * 4);
        for (let j = 0; j < words; j++) h = mixWord(h, v.getUint32(j * 4, true));
      }
      i += words * 4;
    }
    for (; i < c.length; i++) carry |= c[i]! << (8 * carried++);
  }
  if (carried > 0) {
    let k = Math.imul(carry, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3 as 8 lowercase hex digits. */
export function murmur3Hex(chunks: readonly Uint8Array[]): string {
  return murmur3(chunks).toString(16).padStart(8, '0');
}
