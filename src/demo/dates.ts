import { mulberry32 } from '../util/mulberry32.js';

/**
 * The demo task: dates written the many ways people write them → ISO 8601 (YYYY-MM-DD).
 *
 * Conventions the model has to learn (as a person reading them would): numeric dates with '/' or
 * '.' are day first (European: 03/04/98 is 3 April 1998); a two-digit year YY means 19YY for
 * YY ≥ 50 and 20YY below; dates range over 1950–2049. Weekday names, when present, are correct.
 */

export interface DatePair {
  src: string;
  tgt: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function ordinal(d: number): string {
  const s = d % 100 >= 11 && d % 100 <= 13 ? 'th' : d % 10 === 1 ? 'st' : d % 10 === 2 ? 'nd' : d % 10 === 3 ? 'rd' : 'th';
  return `${d}${s}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const yy = (y: number): string => pad2(y % 100);

/** One way of writing a date (y, m 1–12, d, weekday 0–6 with 0 = Sunday). */
type Format = (y: number, m: number, d: number, wd: number) => string;

const MON = (m: number): string => MONTHS[m - 1]!.slice(0, 3);

/** The formats, each as people write it; add one here and the demo learns it. */
export const DATE_FORMATS: readonly Format[] = [
  (y, m, d) => `${ordinal(d)} of ${MONTHS[m - 1]} ${y}`, //           3rd of March 1998
  (y, m, d) => `${d} ${MONTHS[m - 1]} ${y}`, //                       3 March 1998
  (y, m, d) => `${MONTHS[m - 1]} ${d}, ${y}`, //                      March 3, 1998
  (y, m, d) => `${MONTHS[m - 1]} ${ordinal(d)}, ${y}`, //             March 3rd, 1998
  (y, m, d) => `${MON(m)} ${d} ${y}`, //                              Mar 3 1998
  (y, m, d) => `${d} ${MON(m)} ${yy(y)}`, //                          3 Mar 98
  (y, m, d, wd) => `${DAYS[wd]!.slice(0, 3)} ${d} ${MON(m)} ${yy(y)}`, // Tue 3 Mar 98
  (y, m, d, wd) => `${DAYS[wd]}, ${MONTHS[m - 1]} ${d}, ${y}`, //     Tuesday, March 3, 1998
  (y, m, d) => `${pad2(d)}/${pad2(m)}/${yy(y)}`, //                   03/03/98
  (y, m, d) => `${d}/${m}/${y}`, //                                   3/3/1998
  (y, m, d) => `${d}.${m}.${y}`, //                                   3.3.1998
  (y, m, d) => `${pad2(d)}.${pad2(m)}.${yy(y)}`, //                   03.03.98
  (y, m, d) => `${y}-${m}-${d}`, //                                   1998-3-3
  (y, m, d) => `${y}/${pad2(m)}/${pad2(d)}`, //                       1998/03/03
  (y, m, d) => `${MONTHS[m - 1]!.toLowerCase()} ${d} ${y}`, //        march 3 1998
  (y, m, d) => `${d}-${MON(m).toUpperCase()}-${y}`, //                3-MAR-1998
  (y, m, d) => `the ${ordinal(d)} of ${MONTHS[m - 1]}, ${y}`, //      the 3rd of March, 1998
];

/** ISO 8601 for a date. */
export function isoDate(y: number, m: number, d: number): string {
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Renders one date in format `f` (an index into DATE_FORMATS). */
export function formatDate(y: number, m: number, d: number, f: number): string {
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return DATE_FORMATS[f]!(y, m, d, wd);
}

/**
 * `n` distinct (source, ISO) pairs from a seeded generator. Each call with the same seed gives
 * the same pairs; `exclude` sources are never produced (to keep test inputs unseen).
 */
export function generateDatePairs(n: number, seed: number, exclude: ReadonlySet<string> = new Set()): DatePair[] {
  const rand = mulberry32(seed);
  const seen = new Set<string>();
  const out: DatePair[] = [];
  let tries = 0;
  while (out.length < n && tries++ < n * 100) {
    const y = 1950 + Math.floor(rand() * 100);
    const m = 1 + Math.floor(rand() * 12);
    const d = 1 + Math.floor(rand() * daysIn(y, m));
    const src = formatDate(y, m, d, Math.floor(rand() * DATE_FORMATS.length));
    if (seen.has(src) || exclude.has(src)) continue;
    seen.add(src);
    out.push({ src, tgt: isoDate(y, m, d) });
  }
  return out;
}

/** Train / valid / test splits with no source shared between them. */
export function dateSplits(sizes: { train: number; valid: number; test: number }, seed: number): { train: DatePair[]; valid: DatePair[]; test: DatePair[] } {
  const all = generateDatePairs(sizes.train + sizes.valid + sizes.test, seed);
  return {
    test: all.slice(0, sizes.test),
    valid: all.slice(sizes.test, sizes.test + sizes.valid),
    train: all.slice(sizes.test + sizes.valid),
  };
}
