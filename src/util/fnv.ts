/**
 * FNV-1a, 32-bit, over bytes given as chunks: a cheap fingerprint that tells a checkpoint's files
 * from other versions of them (not a defence against anyone crafting a collision).
 */
export function fnv1a32(chunks: readonly Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) h = Math.imul(h ^ c[i]!, 0x01000193);
  }
  return h >>> 0;
}

/** fnv1a32 as 8 lowercase hex digits. */
export function fnv1a32Hex(chunks: readonly Uint8Array[]): string {
  return fnv1a32(chunks).toString(16).padStart(8, '0');
}
