import type { Seq2SeqModel } from '../models/index.js';
import { asRunStore } from '../platform/run-folder.js';
import type { RunStore } from '../platform/run-store.js';
import { yieldToEventLoop } from '../platform/yield.js';
import { clipGradNorm, tidy, ReduceOnPlateau, type LrSchedule, type Optimizer, type Rng, type Tensor } from '../tensor/index.js';
import { ProgressBar } from '../util/progress.js';
import { makeBatch, planEpoch, type Example, type IdBatch } from './batching.js';
import { RUN_FILES, readTrainState, type TrainState } from './checkpoint.js';
import { Checkpointer } from './checkpointer.js';
import { createOptimizer, createSchedule, criterionHigherIsBetter, criterionOf } from './optimizers.js';
import { resolveTrainOptions, withBatchDefault, type TrainOptions } from './options.js';
import { restoreCheckpoint, truncateLog } from './resume.js';
import { freshTrainState } from './train-state.js';
import { Validator, type GreedyDecoder, type ValidResult } from './validator.js';

export type { GreedyDecoder, ValidResult } from './validator.js';

/** Why a run ended; exit codes follow the shell's conventions for signals. */
export type StopReason = 'max-steps' | 'max-epochs' | 'max-time' | 'early-stop' | 'SIGINT' | 'SIGTERM' | 'nan' | 'no-data';

export const EXIT_CODES: Record<StopReason, number> = {
  'max-steps': 0, 'max-epochs': 0, 'max-time': 0, 'early-stop': 0, 'no-data': 0, SIGINT: 130, SIGTERM: 143, nan: 1,
};

export interface StepInfo {
  step: number;
  epoch: number;
  loss: number;
  tokens: number;
  lr: number;
  gradNorm: number;
  skipped: boolean;
}

export interface TrainResult {
  reason: StopReason;
  exitCode: number;
  step: number;
  epoch: number;
  bestScore: number | null;
  bestStep: number;
  lastValid: ValidResult | null;
}

export interface TrainerInit {
  model: Seq2SeqModel;
  /** The Rng the model was built with (dropout draws from it; its state is checkpointed). */
  rng: Rng;
  /** Where the run's files go: a folder (opened when run() starts) or a RunStore (e.g. MemoryRunStore in a page). One is required. */
  runDir?: string;
  store?: RunStore;
  train: Example[];
  valid: Example[];
  /** Reference text of each valid example (for --metric); tgtDecode turns hypothesis ids into text. */
  validRefs?: string[];
  tgtDecode?: (ids: number[]) => string;
  greedy?: GreedyDecoder;
  options: Partial<TrainOptions>;
  /** Continue from RUN/train-state.* and model.safetensors. */
  resume?: boolean;
  /** Draw a progress bar (default: when stderr is a TTY). */
  progress?: boolean;
  /** Human-readable messages (validation summaries, warnings); default: to stderr via the bar. */
  say?: (message: string) => void;
  onStep?: (info: StepInfo) => void;
  onValid?: (v: ValidResult) => void;
}

/**
 * The training loop: token-budget batches in a seeded order, teacher forcing through model.loss,
 * each step in one tidy scope (forward, backward, clip, optimizer step), validation with early
 * stopping, progress, non-finite losses, a clean stop on SIGINT/SIGTERM (see requestStop). Its
 * parts live beside it: options.ts (defaults), optimizers.ts, validator.ts, checkpointer.ts
 * (what is saved when), resume.ts (restoring a run), train-state.ts (the state file).
 */
export class Trainer {
  readonly model: Seq2SeqModel;
  readonly options: TrainOptions;
  /** The run folder (or the store's location), for messages. */
  readonly runDir: string;
  private store: RunStore | null;
  private checkpoints: Checkpointer | null = null;
  private readonly rng: Rng;
  private readonly train: Example[];
  private readonly init: TrainerInit;
  private readonly params: [string, Tensor][];
  private readonly paramNames: string[];
  readonly optimizer: Optimizer;
  readonly schedule: LrSchedule;
  private readonly validator: Validator;
  private state: TrainState;
  private stopRequest: 'SIGINT' | 'SIGTERM' | null = null;
  private readonly criterion: string;
  private readonly higherIsBetter: boolean;
  private readonly bar: ProgressBar;
  private sessionStart = 0;
  private elapsedBase = 0;
  /** Steps since the last `train` log line (saved with the state); t0 and tokensForRate only time the tokens/s. */
  private window = { loss: 0, tokens: 0, steps: 0, t0: 0, tokensForRate: 0 };
  /** Target tokens per second since the last `train` log line (progress bar and log). */
  private rate = 0;

  constructor(init: TrainerInit) {
    this.init = init;
    this.model = init.model;
    this.rng = init.rng;
    if (!init.store && !init.runDir) throw new Error('Trainer: give runDir (a folder) or store (a RunStore)');
    this.store = init.store ?? null;
    this.runDir = init.store?.location ?? init.runDir!;
    this.train = init.train;
    this.options = withBatchDefault(resolveTrainOptions(init.options));
    const o = this.options;
    this.params = this.model.namedParameters();
    this.paramNames = this.params.map(([n]) => n);
    this.optimizer = createOptimizer(this.params.map(([, t]) => t), o);
    this.criterion = criterionOf(o);
    this.higherIsBetter = criterionHigherIsBetter(this.criterion);
    this.schedule = createSchedule(o, this.higherIsBetter);
    this.validator = new Validator({ model: this.model, valid: init.valid, validRefs: init.validRefs, tgtDecode: init.tgtDecode, greedy: init.greedy, options: o });
    this.state = freshTrainState(this.rng, o, this.schedule, this.criterion);
    this.bar = new ProgressBar({ label: 'train', enabled: init.progress });
  }

  /** Asks the loop to save and stop after the current step (the CLI's SIGINT/SIGTERM handlers call this). */
  requestStop(signal: 'SIGINT' | 'SIGTERM'): void {
    this.stopRequest = signal;
  }

  get step(): number {
    return this.state.step;
  }

  private say(message: string): void {
    if (this.init.say) this.init.say(message);
    else this.bar.log(message);
  }

  private get files(): Checkpointer {
    if (!this.checkpoints) throw new Error('Trainer: the run store is opened by run()');
    return this.checkpoints;
  }

  /** The fraction of the training budget spent (the largest over the limits that are set), for the budget schedules. */
  private budgetSpent(batchesPerEpoch: number): number {
    const o = this.options;
    const s = this.state;
    let spent = 0;
    if (o.maxSteps > 0) spent = Math.max(spent, s.step / o.maxSteps);
    if (o.maxTime > 0) spent = Math.max(spent, this.elapsed() / o.maxTime);
    if (o.maxEpochs > 0) spent = Math.max(spent, (s.epoch + s.batchInEpoch / Math.max(1, batchesPerEpoch)) / o.maxEpochs);
    return Math.min(1, spent);
  }

  private elapsed(): number {
    return this.elapsedBase + (performance.now() - this.sessionStart) / 1000;
  }

  /** Continues from the last complete checkpoint (see resume.ts); log lines past it are dropped. */
  private restore(): void {
    const store = this.files.store;
    const { state: s, manifest } = restoreCheckpoint(store, this.model, this.optimizer, this.paramNames, this.options.optim, (m) => this.say(m));
    this.files.manifest = manifest;
    this.schedule.loadState(s.schedule);
    this.rng.setState(s.rng);
    this.state = { ...s, stopped: null, best: { ...s.best, criterion: this.criterion }, lastValidStep: s.lastValidStep ?? -1 };
    const w = s.logWindow ?? { loss: 0, tokens: 0, steps: 0 };
    this.window = { loss: w.loss, tokens: w.tokens, steps: w.steps, t0: 0, tokensForRate: 0 };
    if (s.best.criterion !== this.criterion) {
      this.say(`note: early-stopping criterion changed from ${s.best.criterion} to ${this.criterion}; best score reset`);
      this.state.best = { score: null, step: 0, criterion: this.criterion };
      this.state.badValidations = 0;
    }
    truncateLog(store, s.step);
  }

  /**
   * Saves the latest weights and the resume point (and best weights chosen at this step) as one
   * checkpoint (see checkpointer.ts). A full disk keeps the previous checkpoint whole.
   */
  save(): void {
    this.state.rng = this.rng.getState();
    this.state.schedule = this.schedule.state();
    this.state.elapsed = this.elapsed();
    this.state.logWindow = { loss: this.window.loss, tokens: this.window.tokens, steps: this.window.steps };
    this.files.save(this.model, this.optimizer, this.paramNames, this.state);
  }

  private log(entry: Record<string, unknown>): void {
    this.files.log(entry);
  }

  /** The loss of one batch (a seam for tests that need a non-finite loss). */
  protected computeLoss(batch: IdBatch): { loss: Tensor; tokens: number } {
    return this.model.loss(batch, { smoothing: this.options.labelSmoothing });
  }

  /** One update in its own memory scope; a non-finite loss or gradient norm skips the update. */
  private trainStep(batch: IdBatch): { loss: number; tokens: number; gradNorm: number; skipped: boolean } {
    const tensors = this.optimizer.params;
    return tidy(() => {
      const { loss, tokens } = this.computeLoss(batch);
      const value = loss.item();
      if (!Number.isFinite(value)) return { loss: value, tokens, gradNorm: NaN, skipped: true };
      loss.backward();
      const gradNorm = clipGradNorm(tensors, this.options.clip > 0 ? this.options.clip : Infinity);
      if (!Number.isFinite(gradNorm)) {
        this.optimizer.zeroGrad();
        return { loss: value, tokens, gradNorm, skipped: true };
      }
      this.optimizer.step();
      this.optimizer.zeroGrad();
      return { loss: value, tokens, gradNorm, skipped: false };
    });
  }

  /** Validation loss/perplexity, exact match and --metric on greedy decodes (see validator.ts). */
  validate(): ValidResult {
    return this.validator.run(this.state.step);
  }

  /** Early stopping, the plateau schedule, the log line and the checkpoint after a validation; true: stop. */
  private afterValidation(v: ValidResult): boolean {
    const s = this.state;
    const better = s.best.score === null || (this.higherIsBetter ? v.score > s.best.score : v.score < s.best.score);
    if (better) {
      s.best = { score: v.score, step: s.step, criterion: this.criterion };
      s.badValidations = 0;
      v.best = true;
      this.files.markBest(this.model, { step: String(s.step), [this.criterion]: String(v.score) });
    } else {
      s.badValidations++;
    }
    if (this.schedule instanceof ReduceOnPlateau) this.optimizer.lr = this.schedule.observe(v.score);
    const entry: Record<string, unknown> = { type: 'valid', step: v.step, epoch: s.epoch, loss: round(v.loss), ppl: round(v.ppl) };
    if (v.exact !== undefined) entry['exact'] = round(v.exact);
    if (v.metric !== undefined && this.options.metric) entry[this.options.metric] = round(v.metric);
    entry['best'] = v.best;
    entry['elapsed'] = round(this.elapsed());
    // Logged before the checkpoint: a kill in between drops the line on resume (its step is past the checkpoint) and the validation runs again.
    this.log(entry);
    this.save();
    const parts = [`valid step ${v.step}: loss ${v.loss.toFixed(4)} ppl ${v.ppl.toFixed(2)}`];
    if (v.exact !== undefined) parts.push(`exact ${v.exact.toFixed(1)}%`);
    if (v.metric !== undefined && this.options.metric !== 'exact') parts.push(`${this.options.metric} ${v.metric.toFixed(2)}`);
    if (v.best) parts.push('(best)');
    else parts.push(`(no improvement ${s.badValidations}/${this.options.patience || '∞'})`);
    this.say(parts.join('  '));
    this.init.onValid?.(v);
    return this.options.patience > 0 && s.badValidations >= this.options.patience;
  }

  private fraction(planLength: number): number | null {
    const o = this.options;
    const s = this.state;
    const f: number[] = [];
    if (o.maxSteps > 0) f.push(s.step / o.maxSteps);
    if (o.maxTime > 0) f.push(this.elapsed() / o.maxTime);
    if (o.maxEpochs > 0) f.push((s.epoch + s.batchInEpoch / Math.max(1, planLength)) / o.maxEpochs);
    return f.length ? Math.max(...f) : null;
  }

  /** A step's bookkeeping: the NaN streak, the log window, the progress bar and the `train` log line. True: too many non-finite losses in a row. */
  private afterStep(r: { loss: number; tokens: number; gradNorm: number; skipped: boolean }, planLength: number): boolean {
    const o = this.options;
    const s = this.state;
    const window = this.window;
    this.init.onStep?.({ step: s.step, epoch: s.epoch, loss: r.loss, tokens: r.tokens, lr: this.optimizer.lr, gradNorm: r.gradNorm, skipped: r.skipped });
    if (r.skipped) {
      s.nanStreak++;
      this.log({ type: 'nan', step: s.step, epoch: s.epoch, loss: String(r.loss), grad_norm: String(r.gradNorm), streak: s.nanStreak });
      this.say(`step ${s.step}: non-finite ${Number.isFinite(r.loss) ? 'gradient norm' : 'loss'} (${Number.isFinite(r.loss) ? r.gradNorm : r.loss}); update skipped (${s.nanStreak}/${o.maxNan} in a row)`);
      if (s.nanStreak >= o.maxNan) return true;
    } else {
      s.nanStreak = 0;
      s.tokens += r.tokens;
      window.loss += r.loss * r.tokens;
      window.tokens += r.tokens;
      window.steps++;
    }
    window.tokensForRate += r.tokens;
    const now = performance.now();
    if (now - window.t0 > 0) this.rate = (window.tokensForRate * 1000) / (now - window.t0);
    const rate = this.rate;
    const avg = window.tokens > 0 ? window.loss / window.tokens : NaN;
    this.bar.update(this.fraction(planLength), {
      step: String(s.step), ep: String(s.epoch + 1), loss: avg, ppl: Math.exp(avg), 'tok/s': rate, lr: this.optimizer.lr,
    });
    if (o.logEvery > 0 && s.step % o.logEvery === 0 && window.steps > 0) {
      this.log({
        type: 'train', step: s.step, epoch: s.epoch, loss: round(avg), ppl: round(Math.exp(avg)), lr: this.optimizer.lr,
        grad_norm: round(r.gradNorm), tok_per_s: Math.round(rate), tokens: s.tokens, elapsed: round(this.elapsed()),
      });
      Object.assign(window, { loss: 0, tokens: 0, steps: 0, t0: performance.now(), tokensForRate: 0 });
    }
    return false;
  }

  /** Runs until a limit, early stopping, a signal or too many non-finite losses. */
  async run(): Promise<TrainResult> {
    const o = this.options;
    this.store ??= await asRunStore(this.init.runDir!);
    this.checkpoints = new Checkpointer(this.store, this.runDir, o.keepCheckpoints);
    this.store.removeStaleTemps();
    if (this.init.resume) this.restore();
    else this.store.writeAtomic(RUN_FILES.log, '');
    if (this.train.length === 0) return this.finish('no-data', null);
    this.sessionStart = performance.now();
    this.elapsedBase = this.state.elapsed;
    this.model.train();
    const batching = { batchTokens: o.batchTokens, batchSize: o.batchSize, shuffle: true };
    let plan = planEpoch(this.train, batching, o.seed, this.state.epoch);
    let lastValid: ValidResult | null = null;
    this.window.t0 = performance.now();
    this.window.tokensForRate = 0;
    this.rate = 0;
    const s = this.state;
    // Never validate a step twice (a resumed run that already validated its last step).
    const due = (): boolean => this.validator.size > 0 && s.lastValidStep !== s.step;
    let reason: StopReason | null = null;
    this.say(`training ${this.model.parameterCount().toLocaleString('en-US')} parameters on ${this.train.length} examples (${plan.length} batches/epoch); run folder ${this.runDir}`
      + (this.init.resume ? `; resumed at step ${s.step}, epoch ${s.epoch + 1}` : ''));
    for (;;) {
      if (o.maxSteps > 0 && s.step >= o.maxSteps) { reason = 'max-steps'; break; }
      if (o.maxTime > 0 && this.elapsed() >= o.maxTime) { reason = 'max-time'; break; }
      if (s.batchInEpoch >= plan.length) {
        s.epoch++;
        s.batchInEpoch = 0;
        if (o.validEvery === 0 && due()) {
          lastValid = this.validate();
          s.lastValidStep = s.step;
          if (this.afterValidation(lastValid)) { reason = 'early-stop'; break; }
        }
        if (o.maxEpochs > 0 && s.epoch >= o.maxEpochs) { reason = 'max-epochs'; break; }
        plan = planEpoch(this.train, batching, o.seed, s.epoch);
      }
      const batch = makeBatch(this.train, plan[s.batchInEpoch]!);
      s.batchInEpoch++;
      s.step++;
      if (!(this.schedule instanceof ReduceOnPlateau)) this.optimizer.lr = this.schedule.lrAt(s.step, this.budgetSpent(plan.length));
      const r = this.trainStep(batch);
      if (this.afterStep(r, plan.length)) { reason = 'nan'; break; }
      if (o.validEvery > 0 && s.step % o.validEvery === 0 && due()) {
        lastValid = this.validate();
        s.lastValidStep = s.step;
        if (this.afterValidation(lastValid)) { reason = 'early-stop'; break; }
      }
      // Let signal handlers run: the loop is synchronous between these points.
      await yieldToEventLoop();
      if (this.stopRequest) { reason = this.stopRequest; break; }
    }
    if (reason === 'SIGINT' || reason === 'SIGTERM') {
      this.save();
    } else if (reason !== 'nan') {
      if (due() && s.step > 0) {
        lastValid = this.validate();
        s.lastValidStep = s.step;
        this.afterValidation(lastValid);
      } else {
        this.save();
      }
    }
    return this.finish(reason, lastValid);
  }

  private finish(reason: StopReason, lastValid: ValidResult | null): TrainResult {
    this.bar.done();
    const s = this.state;
    s.stopped = reason;
    this.log({ type: 'end', step: s.step, epoch: s.epoch, reason, best_step: s.best.step, best: s.best.score, elapsed: round(this.elapsed()) });
    if (reason !== 'nan' && reason !== 'no-data') {
      // Rewrite only the JSON: the weights and slots written just before belong to this same step.
      this.files.saveStateJson(s.step, JSON.stringify({ ...readTrainState(this.files.store), stopped: reason }, null, 2) + '\n');
    }
    return { reason, exitCode: EXIT_CODES[reason], step: s.step, epoch: s.epoch, bestScore: s.best.score, bestStep: s.best.step, lastValid };
  }
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x;
}
