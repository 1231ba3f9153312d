/**
 * Tercom's translation edit rate for one hypothesis/reference pair: the fewest insertions,
 * deletions, substitutions and block shifts (a shift of any contiguous block counts as one edit)
 * that turn the hypothesis into the reference. Finding the true minimum is NP-hard; Tercom
 * greedily applies the shift that lowers the Levenshtein distance most until none does. This
 * follows sacreBLEU 2.6's `lib_ter.py` step for step (same candidate order, same tie-breaking,
 * same limits) so that scores agree with it and with Tercom on sane input.
 */

const COST_INS = 1;
const COST_DEL = 1;
const COST_SUB = 1;

// Tercom's limits: blocks of at most 10 words, moved at most 50 positions; the edit distance
// looks only at a band of ±25 cells around the (length-ratio-scaled) diagonal.
const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;
// sacreBLEU's own cap on evaluated shift candidates per segment; bounds the run time.
const MAX_SHIFT_CANDIDATES = 1000;
const INFINITY = 1e16;

// Edit operations, written as rewriting the hypothesis into the reference.
const OP_INS = 'i';
const OP_DEL = 'd';
const OP_NOP = ' ';
const OP_SUB = 's';

export interface TerPairStats {
  edits: number;
  refLen: number;
}

/** Number of TER edits (shifts + Levenshtein edits after shifting) and the reference length. */
export function translationEditRate(hyp: readonly string[], ref: readonly string[]): TerPairStats {
  if (ref.length === 0) return { edits: hyp.length, refLen: 0 };
  const ed = new BeamEditDistance(ref);
  let shifts = 0;
  let input = hyp;
  let checked = 0;
  for (;;) {
    const step = bestShift(input, ref, ed, checked);
    checked = step.checked;
    // As in sacreBLEU, hitting the candidate cap discards the shift found in that round.
    if (checked >= MAX_SHIFT_CANDIDATES) break;
    if (step.gain <= 0) break;
    shifts++;
    input = step.words;
  }
  return { edits: shifts + ed.distance(input).cost, refLen: ref.length };
}

interface ShiftStep {
  gain: number;
  words: readonly string[];
  checked: number;
}

function bestShift(h: readonly string[], r: readonly string[], ed: BeamEditDistance, checkedIn: number): ShiftStep {
  let checked = checkedIn;
  const { cost: preScore, trace: invTrace } = ed.distance(h);
  // The alignment is read off the reference→hypothesis trace, i.e. the flipped one.
  const { align, refErr, hypErr } = traceToAlignment(flipTrace(invTrace));

  // Candidate ranking as in Tercom: largest gain, then longest block, then earliest block start,
  // then earliest target position. Stored as [gain, length, -start, -target].
  let best: { key: [number, number, number, number]; words: readonly string[] } | undefined;

  for (const [startH, startR, length] of shiftedPairs(h, r)) {
    // Only move blocks that are wrong where they are and match where they would go.
    if (sumRange(hypErr, startH, startH + length) === 0) continue;
    if (sumRange(refErr, startR, startR + length) === 0) continue;
    const alignedStart = align.get(startR)!;
    if (startH <= alignedStart && alignedStart < startH + length) continue; // shift within itself

    let prevIdx = -1;
    for (let offset = -1; offset < length; offset++) {
      let idx: number;
      if (startR + offset === -1) idx = 0;
      else if (align.has(startR + offset)) idx = align.get(startR + offset)! + 1; // insert before
      else break; // past the end of the reference
      if (idx === prevIdx) continue;
      prevIdx = idx;

      const shifted = performShift(h, startH, length, idx);
      const key: [number, number, number, number] = [preScore - ed.distance(shifted).cost, length, -startH, -idx];
      checked++;
      if (!best || tupleGreater(key, best.key)) best = { key, words: shifted };
    }
    if (checked >= MAX_SHIFT_CANDIDATES) break;
  }
  return best ? { gain: best.key[0], words: best.words, checked } : { gain: 0, words: h, checked };
}

function tupleGreater(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! > b[k]!;
  return false;
}

function sumRange(xs: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let k = from; k < Math.min(to, xs.length); k++) s += xs[k]!;
  return s;
}

/** Moves `words[start, start + length)` so that it starts before position `target`. */
export function performShift(words: readonly string[], start: number, length: number, target: number): string[] {
  const block = words.slice(start, start + length);
  if (target < start) {
    return [...words.slice(0, target), ...block, ...words.slice(target, start), ...words.slice(start + length)];
  }
  if (target > start + length) {
    return [...words.slice(0, start), ...words.slice(start + length, target), ...block, ...words.slice(target)];
  }
  return [...words.slice(0, start), ...words.slice(start + length, length + target), ...block, ...words.slice(length + target)];
}

/** All (hypStart, refStart, length) with equal word blocks, length ≤ 10, starts ≤ 50 apart. */
function* shiftedPairs(h: readonly string[], r: readonly string[]): Generator<[number, number, number]> {
  for (let startH = 0; startH < h.length; startH++) {
    for (let startR = 0; startR < r.length; startR++) {
      if (Math.abs(startR - startH) > MAX_SHIFT_DIST) continue;
      let length = 0;
      while (h[startH + length] === r[startR + length] && length < MAX_SHIFT_SIZE) {
        length++;
        yield [startH, startR, length];
        if (h.length === startH + length || r.length === startR + length) break;
      }
    }
  }
}

function flipTrace(trace: string): string {
  let out = '';
  for (const op of trace) out += op === OP_INS ? OP_DEL : op === OP_DEL ? OP_INS : op;
  return out;
}

/** Alignment ref position → hyp position, and which positions on each side are errors. */
function traceToAlignment(trace: string): { align: Map<number, number>; refErr: number[]; hypErr: number[] } {
  let posHyp = -1;
  let posRef = -1;
  const align = new Map<number, number>();
  const refErr: number[] = [];
  const hypErr: number[] = [];
  for (const op of trace) {
    if (op === OP_NOP || op === OP_SUB) {
      posHyp++;
      posRef++;
      align.set(posRef, posHyp);
      const err = op === OP_SUB ? 1 : 0;
      hypErr.push(err);
      refErr.push(err);
    } else if (op === OP_INS) {
      posHyp++;
      hypErr.push(1);
    } else if (op === OP_DEL) {
      posRef++;
      align.set(posRef, posHyp);
      refErr.push(1);
    } else {
      throw new Error(`TER: unknown edit operation '${op}'`);
    }
  }
  return { align, refErr, hypErr };
}

/**
 * Levenshtein distance to a fixed reference, restricted to a band around the diagonal, with the
 * operation trace. Ties prefer match/substitution, then deletion, then insertion (Tercom's
 * preference, mirrored because the trace is flipped afterwards). sacreBLEU also caches rows by
 * hypothesis prefix; the rows do not depend on the cache, so we recompute them.
 */
class BeamEditDistance {
  constructor(private readonly ref: readonly string[]) {}

  distance(h: readonly string[]): { cost: number; trace: string } {
    const nRef = this.ref.length;
    const nHyp = h.length;
    const width = nRef + 1;
    const cost = new Float64Array((nHyp + 1) * width).fill(INFINITY);
    const ops = new Array<string>((nHyp + 1) * width).fill('x');
    for (let j = 0; j <= nRef; j++) {
      cost[j] = j * COST_INS;
      ops[j] = OP_INS;
    }
    const lengthRatio = nHyp > 0 ? nRef / nHyp : 1;
    // Very different lengths could leave consecutive bands disjoint; widen the band then.
    const beam = BEAM_WIDTH < lengthRatio / 2 ? Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;

    for (let i = 1; i <= nHyp; i++) {
      const diag = Math.floor(i * lengthRatio);
      const minJ = Math.max(0, diag - beam);
      const maxJ = i === nHyp ? nRef + 1 : Math.min(nRef + 1, diag + beam);
      const row = i * width;
      const up = (i - 1) * width;
      for (let j = minJ; j < maxJ; j++) {
        if (j === 0) {
          cost[row] = cost[up]! + COST_DEL;
          ops[row] = OP_DEL;
          continue;
        }
        const same = h[i - 1] === this.ref[j - 1];
        // Strict `<` in this order keeps the first of equal-cost operations.
        let best = cost[row + j]!;
        let bestOp = ops[row + j]!;
        const viaSub = cost[up + j - 1]! + (same ? 0 : COST_SUB);
        if (best > viaSub) {
          best = viaSub;
          bestOp = same ? OP_NOP : OP_SUB;
        }
        const viaDel = cost[up + j]! + COST_DEL;
        if (best > viaDel) {
          best = viaDel;
          bestOp = OP_DEL;
        }
        const viaIns = cost[row + j - 1]! + COST_INS;
        if (best > viaIns) {
          best = viaIns;
          bestOp = OP_INS;
        }
        cost[row + j] = best;
        ops[row + j] = bestOp;
      }
    }

    let trace = '';
    let i = nHyp;
    let j = nRef;
    while (i > 0 || j > 0) {
      const op = ops[i * width + j]!;
      trace = op + trace;
      if (op === OP_SUB || op === OP_NOP) {
        i--;
        j--;
      } else if (op === OP_INS) {
        j--;
      } else if (op === OP_DEL) {
        i--;
      } else {
        throw new Error(`TER: edit-distance trace left the beam at (${i}, ${j})`);
      }
    }
    return { cost: cost[nHyp * width + nRef]!, trace };
  }
}
