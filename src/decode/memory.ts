import { Tensor, tidy } from '../tensor/index.js';
import type { Scorer } from './scorer.js';

/** The tensors at the top level of a state object (directly or in arrays). */
export function stateTensors(state: object | null): Tensor[] {
  const out: Tensor[] = [];
  if (state === null) return out;
  for (const v of Object.values(state)) {
    if (v instanceof Tensor) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (x instanceof Tensor) out.push(x);
  }
  return out;
}

/** Frees the tensors of `old` that `next` does not hold (never persistent ones such as parameters). */
export function releaseState(old: object, next: object | null): void {
  const keep = new Set(stateTensors(next));
  for (const t of stateTensors(old)) if (!keep.has(t) && !t.persistent && !t.disposed) t.dispose();
}

/**
 * Runs fn in its own memory scope and keeps only the state it returns; the state passed in is
 * freed where the new one does not reuse it. So a search holds one state at a time and its memory
 * stays flat however long it runs.
 */
export function advance<S extends object>(old: S | null, fn: () => S): S {
  const next = tidy(fn);
  if (old !== null) releaseState(old, next);
  return next;
}

/** One step of a scorer, with log-probabilities copied out of the scope. */
export function scoreStep<S extends object>(scorer: Scorer<S>, state: S, prev: Int32Array): { logProbs: Float32Array; V: number; attention: Float32Array | null; state: S } {
  let logProbs: Float32Array = new Float32Array(0);
  let V = 0;
  let attention: Float32Array | null = null;
  const next = advance(state, () => {
    const r = scorer.step(state, prev);
    V = r.logProbs.shape[r.logProbs.shape.length - 1]!;
    logProbs = (r.logProbs.data as Float32Array).slice(0, r.logProbs.size);
    attention = r.attention;
    return r.state;
  });
  return { logProbs, V, attention, state: next };
}
