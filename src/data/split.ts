import { UserError } from '../util/errors.js';

export type SplitName = 'train' | 'valid' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/** Fractions of the data for train, valid and test; they sum to 1. */
export interface SplitFractions {
  train: number;
  valid: number;
  test: number;
}

/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of `text` (offset basis 2166136261, prime 16777619, as
 * in the reference at isthe.com/chongo/tech/comp/fnv). A non-zero `seed` is hashed in first as
 * 4 bytes, giving an independent split; seed 0 is plain FNV-1a.
 */
export function fnv1a32(text: string, seed = 0): number {
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  };
  if (seed !== 0) for (let k = 0; k < 4; k++) byte((seed >>> (8 * k)) & 0xff);
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 63));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    }
  }
  return h >>> 0;
}

/** The bucket in [0, 1) that decides a source's split. */
export function splitBucket(src: string, seed = 0): number {
  return fnv1a32(src, seed) / 2 ** 32;
}

/**
 * Assigns a pair to a split by its (normalised) source alone: the same source always lands in the
 * same split whatever else is in the corpus, so adding data never moves a test sentence into
 * training, and repeated sources cannot leak across splits.
 */
export function assignSplit(src: string, fractions: SplitFractions, seed = 0): SplitName {
  const b = splitBucket(src, seed);
  if (b < fractions.train) return 'train';
  if (b < fractions.train + fractions.valid) return 'valid';
  return 'test';
}

/** Parses "0.9,0.05,0.05" (train,valid,test); throws UserError on anything else. */
export function parseSplit(text: string): SplitFractions {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  const bad = parts.length !== 3 || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n) || n < 0);
  const sum = nums.reduce((a, b) => a + b, 0);
  if (bad || Math.abs(sum - 1) > 1e-6) {
    throw new UserError(`--split '${text}': expected three non-negative fractions train,valid,test that sum to 1, e.g. 0.9,0.05,0.05`);
  }
  return { train: nums[0]!, valid: nums[1]!, test: nums[2]! };
}
