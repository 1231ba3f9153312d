/**
 * Reference handling shared by every metric.
 *
 * Layout: `refs[i]` holds the references of `hyps[i]` (one or more strings per segment). This is
 * the transpose of sacreBLEU's "one stream per reference file"; `refsFromStreams` converts.
 */

/** The sacreBLEU release whose behaviour and signature strings these metrics reproduce. */
export const SACREBLEU_VERSION = '2.6.0';

/** Checks the hypotheses/references layout; throws naming the first mismatch. */
export function checkCorpus(hyps: readonly string[], refs: readonly (readonly string[])[]): void {
  if (hyps.length !== refs.length) {
    throw new Error(
      `metrics: ${hyps.length} hypotheses but ${refs.length} reference lists (refs[i] must hold the references of hyps[i])`,
    );
  }
  for (let i = 0; i < refs.length; i++) {
    if (!Array.isArray(refs[i]) || refs[i]!.length === 0) {
      throw new Error(`metrics: segment ${i} has no reference (refs[${i}] must be a non-empty array of strings)`);
    }
  }
}

/** Turns sacreBLEU-style streams (`streams[k][i]` = k-th reference of segment i) into `refs[i][k]`. */
export function refsFromStreams(streams: readonly (readonly string[])[]): string[][] {
  if (streams.length === 0) return [];
  const n = streams[0]!.length;
  for (const [k, s] of streams.entries()) {
    if (s.length !== n) throw new Error(`metrics: reference stream ${k} has ${s.length} lines, stream 0 has ${n}`);
  }
  const out: string[][] = [];
  for (let i = 0; i < n; i++) out.push(streams.map((s) => s[i]!));
  return out;
}

/**
 * The `nrefs:` value of a signature: the per-segment reference count, or `var` if it varies.
 * In sacreBLEU since the fix of its issue #161 (verified on 2.6.0) an empty string is a real
 * (empty) reference, only `None` means "no reference here"; our equivalent of `None` is a
 * shorter `refs[i]` array.
 */
export function nrefsLabel(refs: readonly (readonly string[])[]): string {
  const counts = new Set(refs.map((r) => r.length));
  if (counts.size === 0) return '0';
  return counts.size === 1 ? String([...counts][0]) : 'var';
}

/** Element-wise sum of per-segment statistics (sacreBLEU's `sum_of_lists`). */
export function sumStats(stats: readonly (readonly number[])[], width: number): number[] {
  const total = new Array<number>(width).fill(0);
  for (const s of stats) for (let k = 0; k < width; k++) total[k] += s[k];
  return total;
}
