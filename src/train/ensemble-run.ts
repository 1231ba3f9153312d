import type { CodecPair } from '../data/codec.js';
import { EnsembleScorer } from '../decode/index.js';
import type { RunStore } from '../platform/run-store.js';
import { UserError } from '../util/errors.js';
import { loadRun, type LoadedRun, type LoadRunOptions } from './run.js';
import { Translator, type TranslateOptions, type Translation } from './translator.js';

export interface LoadedEnsemble {
  /** The member runs, in the order given. */
  runs: LoadedRun[];
  scorer: EnsembleScorer;
  /** The codecs of the first run (every member's are the same). */
  codecs: CodecPair;
  translator: Translator;
  translate(lines: readonly string[], opts?: TranslateOptions): Translation[];
}

/**
 * Loads several runs as one ensemble (see EnsembleScorer: the members' probabilities averaged
 * step by step). Any mix of model families works; the codecs must be the same on both sides —
 * the target side because the members' log-probabilities are averaged token by token, the source
 * side because every member reads the same source ids. A difference is a UserError naming both
 * runs. `opts` applies to every member (the backend is switched once, before the first is built).
 */
export async function loadEnsemble(runs: readonly (string | RunStore)[], opts: LoadRunOptions = {}): Promise<LoadedEnsemble> {
  if (runs.length === 0) throw new UserError('ensemble: give at least one run');
  const loaded: LoadedRun[] = [];
  for (const [i, r] of runs.entries()) loaded.push(await loadRun(r, i === 0 ? opts : { ...opts, backend: undefined, threads: undefined }));
  const first = loaded[0]!;
  for (const run of loaded.slice(1)) assertSameCodecs(first, run);
  const scorer = new EnsembleScorer(loaded.map((r) => r.model));
  const translator = new Translator(scorer, first.codecs);
  return { runs: loaded, scorer, codecs: first.codecs, translator, translate: (lines, o) => translator.translate(lines, o) };
}

function assertSameCodecs(a: LoadedRun, b: LoadedRun): void {
  const direction = (r: LoadedRun): string => (r.codecs.tgt.reverse ? 'right to left' : 'left to right');
  if (a.codecs.tgt.reverse !== b.codecs.tgt.reverse) {
    const [l2r, r2l] = a.codecs.tgt.reverse ? [b, a] : [a, b];
    throw new UserError(`${b.dir} writes ${direction(b)} and ${a.dir} ${direction(a)}; an ensemble's models must write in one direction (their probabilities are averaged token by token); let the right-to-left run re-rank instead: s2s translate --model ${l2r.dir} --rescore ${r2l.dir}`);
  }
  for (const side of ['tgt', 'src'] as const) {
    const ca = a.codecs[side];
    const cb = b.codecs[side];
    if (JSON.stringify(ca.toJSON()) === JSON.stringify(cb.toJSON())) continue;
    const what = side === 'tgt' ? 'target' : 'source';
    const why = side === 'tgt' ? 'their probabilities are averaged token by token' : 'they all read the same source ids';
    const sizes = ca.vocab.size === cb.vocab.size ? `both ${ca.vocab.size} tokens, spelled differently` : `${cb.vocab.size} tokens against ${ca.vocab.size}`;
    throw new UserError(`${b.dir}: its ${what} codec differs from ${a.dir}'s (${sizes}); an ensemble's models must share both codecs (${why}): train them with the same --data`);
  }
}
