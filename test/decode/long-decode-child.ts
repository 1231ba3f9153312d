/**
 * Run by beam-memory.test.ts as `node --expose-gc` (so heap sizes are measured after a full GC):
 * decodes one 3,000-token source with a scorer that never emits EOS, until the length limit of
 * ~6,000 steps, and prints the heap growth as JSON. Arguments: greedy|beam|reference (the old beam
 * search, to measure what it cost), attention on|off, and optionally the source length (3000).
 */
import { fromArray, type Tensor } from '../../src/tensor/index.js';
import { beamSearch, greedy, type Scorer } from '../../src/decode/index.js';
import { referenceBeamSearch } from './beam-reference.js';

type State = { step: number };
const V = 8;
const EOS = 3;

/** Deterministic, varied log-probabilities over V tokens with EOS impossible; attention rows like a model's. */
class NeverEndingScorer implements Scorer<State, number> {
  peak = 0;
  constructor(private readonly S: number, private readonly gc: () => void) {}
  encode(): number {
    return 0;
  }
  startState(): State {
    return { step: 0 };
  }
  step(state: State, prev: Int32Array): { logProbs: Tensor; attention: Float32Array; state: State } {
    const rows = prev.length;
    const lp = new Float32Array(rows * V);
    for (let i = 0; i < rows; i++) {
      for (let v = 0; v < V; v++) {
        const h = Math.imul((state.step + 1) * 7919 + prev[i]! * 131 + v * 31 + i, 2654435761) >>> 0;
        lp[i * V + v] = v === EOS ? -1e9 : -1 - (h % 1000) / 250;
      }
    }
    if (state.step % 500 === 0) {
      this.gc();
      this.peak = Math.max(this.peak, used());
    }
    return { logProbs: fromArray(lp, [rows, V]), attention: new Float32Array(rows * this.S).fill(1 / this.S), state: { step: state.step + 1 } };
  }
  selectState(state: State): State {
    return { step: state.step };
  }
}

/** JS heap plus typed-array buffers (attention rows are kept as Float32Arrays). */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const [mode, att, srcLen] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const S = Number(srcLen ?? 3000);
const batch = { B: 1, S, src: new Int32Array(S).fill(5), srcLen: [S] };
const scorer = new NeverEndingScorer(S, gc);
const opts = { maxLenA: 2, maxLenB: 0, attention: att === 'on' };
gc();
const base = used();
const t0 = performance.now();
const search = mode === 'greedy' ? () => greedy(scorer, batch, opts)[0]! : mode === 'reference' ? () => referenceBeamSearch(scorer, batch, { ...opts, beam: 5 })[0]![0]! : () => beamSearch(scorer, batch, { ...opts, beam: 5 })[0]![0]!;
const tokens = search().tokens.length;
const ms = performance.now() - t0;
gc();
console.log(JSON.stringify({ mode, attention: att, tokens, ms: Math.round(ms), base, peakGrowth: scorer.peak - base, afterGrowth: used() - base }));
