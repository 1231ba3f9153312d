import { buildCodecs } from '../data/build.js';
import { splitLines } from '../data/readers/split-lines.js';
import { parseTsv } from '../data/readers/tsv.js';
import { assignSplit } from '../data/split.js';
import type { TextPair } from '../data/types.js';
import { dateSplits } from '../demo/dates.js';
import { trainRun } from '../train/api.js';
import { CONSTANT_LR_NO_SMOOTHING } from '../train/options.js';
import { RUN_FILES } from '../train/checkpoint.js';
import { MemoryRunStore } from '../train/memory-run-store.js';
import { loadRunFromBytes } from '../train/run-bytes.js';
import type { Trainer } from '../train/trainer.js';
import type { TrainOptions } from '../train/options.js';
import type { Seq2SeqConfig } from '../models/config.js';
import { UserError } from '../util/errors.js';
import type { HeldModel } from './models.js';
import type { TrainProgress, TrainRequest, TrainSummary, TrainTask } from './protocol.js';

/** The page's default model: the demo's (s2s demo), small enough to learn dates in seconds. */
export const PAGE_MODEL: Partial<Seq2SeqConfig> = { arch: 'lstm', attention: 'general', bidirectional: true, emb: 32, hidden: 64, dropout: 0.1 };
export const PAGE_TRAINING: Partial<TrainOptions> & { metric: string } = {
  ...CONSTANT_LR_NO_SMOOTHING,
  batchSize: 64, lr: 0.01, validEvery: 100, validDecode: 200, patience: 0, seed: 1, clip: 5, logEvery: 10, metric: 'exact',
};
/** Progress events at most this often (ms), besides one per validation. */
const PROGRESS_MS = 100;
const MAX_VALID = 500;

async function taskPairs(task: TrainTask): Promise<{ train: TextPair[]; valid: TextPair[] }> {
  if (task.kind === 'dates') {
    const s = dateSplits({ train: task.trainSize ?? 6000, valid: task.validSize ?? 200, test: 0 }, task.seed ?? 1);
    return { train: s.train, valid: s.valid };
  }
  const label = task.label ?? 'dropped TSV';
  // The CLI's TSV rules and line endings (LF or CRLF end a line; a lone CR is content).
  const pairs: TextPair[] = [];
  for await (const p of parseTsv(splitLines(task.text), label)) pairs.push({ src: p.src, tgt: p.tgt });
  if (pairs.length === 0) throw new UserError(`${label}: no source<TAB>target lines to train on`);
  const vf = task.validFraction ?? 0.05;
  if (!(vf >= 0 && vf < 1)) throw new UserError(`${label}: validFraction must be in [0, 1), got ${vf}`);
  const train: TextPair[] = [];
  const valid: TextPair[] = [];
  // The CLI's hash split (s2s prepare): a source always lands on the same side.
  for (const p of pairs) (assignSplit(p.src, { train: 1 - vf, valid: vf, test: 0 }) === 'valid' && valid.length < MAX_VALID ? valid : train).push(p);
  if (train.length === 0) throw new UserError(`${label}: every pair went to validation; give more lines or a smaller validFraction`);
  return { train, valid };
}

/** One training run inside the engine worker, into memory; `stop()` ends it after the current step. */
export class TrainingSession {
  private trainer: Trainer | null = null;
  private stopAsked = false;

  constructor(private readonly req: TrainRequest, private readonly progress: (p: TrainProgress) => void) {}

  stop(): void {
    this.stopAsked = true;
    this.trainer?.requestStop('SIGINT');
  }

  async run(): Promise<{ model: HeldModel; summary: Omit<TrainSummary, 'model'> }> {
    const { train, valid } = await taskPairs(this.req.task);
    const codecs = buildCodecs(train, { tokenizer: this.req.tokenizer ?? 'char' });
    const seconds = this.req.seconds ?? 20;
    if (!(seconds > 0)) throw new UserError(`train: seconds must be > 0, got ${seconds}`);
    const store = new MemoryRunStore(`memory:${this.req.name}`);
    const t0 = performance.now();
    let lastPost = t0;
    let win = { loss: 0, tokens: 0, steps: 0, t: t0 };
    let lastLoss = NaN;
    let lastRate = { tokens: 0, steps: 0 };
    let at = { step: 0, epoch: 0 };
    const snapshot = (now: number): TrainProgress => {
      const dt = Math.max(1e-9, (now - win.t) / 1000);
      if (win.tokens > 0) lastLoss = win.loss / win.tokens;
      // a validation right after a progress event has no steps of its own: it repeats the last rates
      if (win.steps > 0) lastRate = { tokens: win.tokens / dt, steps: win.steps / dt };
      const elapsed = (now - t0) / 1000;
      const p: TrainProgress = {
        step: at.step, epoch: at.epoch, elapsed, fraction: Math.min(1, elapsed / seconds), loss: lastLoss,
        tokensPerSecond: lastRate.tokens, stepsPerSecond: lastRate.steps,
      };
      win = { loss: 0, tokens: 0, steps: 0, t: now };
      return p;
    };
    const result = await trainRun({
      out: store, codecs, train, valid,
      model: { ...PAGE_MODEL, ...(this.req.model as Partial<Seq2SeqConfig>) },
      options: { ...PAGE_TRAINING, ...(this.req.options as Partial<TrainOptions>), maxTime: seconds },
      progress: false,
      say: () => { /* the page shows progress events instead */ },
      onTrainer: (t) => {
        this.trainer = t;
        if (this.stopAsked) t.requestStop('SIGINT');
      },
      onStep: (s) => {
        at = { step: s.step, epoch: s.epoch };
        if (!s.skipped) {
          win.loss += s.loss * s.tokens;
          win.tokens += s.tokens;
        }
        win.steps++;
        const now = performance.now();
        if (now - lastPost >= PROGRESS_MS) {
          lastPost = now;
          this.progress(snapshot(now));
        }
      },
      onValid: (v) => {
        const p = snapshot(performance.now());
        p.valid = { loss: v.loss, ppl: v.ppl, exact: v.exact, best: v.best };
        this.progress(p);
      },
    });
    const seconds_ = (performance.now() - t0) / 1000;
    // What s2s translate --model loads: the best weights when validation ran, else the last.
    const weightsName = store.exists(RUN_FILES.best) ? RUN_FILES.best : RUN_FILES.model;
    const configText = store.readText(RUN_FILES.config);
    const weights = store.read(weightsName);
    if (configText === null || weights === null) throw new Error(`train: the run in ${store.location} has no ${configText === null ? RUN_FILES.config : weightsName}`);
    const run = loadRunFromBytes(configText, weights, { config: store.pathOf(RUN_FILES.config), weights: store.pathOf(weightsName) });
    const summary = {
      reason: result.reason, steps: result.step, epochs: result.epoch, seconds: seconds_,
      stepsPerSecond: result.step / seconds_, bestScore: result.bestScore, bestStep: result.bestStep,
      trainPairs: train.length, validPairs: valid.length,
    };
    const trainingFacts = { steps: result.step, stopped: result.reason, best: { score: result.bestScore, step: result.bestStep, criterion: PAGE_TRAINING.metric }, lastValidation: result.lastValid };
    return { model: { run, configText, weights, trainingFacts }, summary };
  }
}
