import type { Seq2Seq } from '../models/index.js';
import { asRunStore } from '../platform/run-folder.js';
import type { RunStore } from '../platform/run-store.js';
import { yieldToEventLoop } from '../platform/yield.js';
import {
  Adam, AdamW, SGD, ConstantLr, StepDecay, WarmupInverseSqrt, ReduceOnPlateau, clipGradNorm, noGrad, tidy,
  type LrSchedule, type Optimizer, type Rng, type Tensor,
} from '../tensor/index.js';
import { computeMetric, higherIsBetter } from '../metrics/index.js';
import { ProgressBar } from '../util/progress.js';
import { makeBatch, planEpoch, type Example, type IdBatch } from './batching.js';
import {
  RUN_FILES, encodeOptimizerState, encodeTrainState, encodeWeights, hasTrainState, loadOptimizerState, loadWeights, readTrainState,
  type TrainState,
} from './checkpoint.js';
import { commitCheckpoint, manifestEntry, recoverCheckpoint, type CheckpointManifest } from './checkpoint-manifest.js';
import { TRAIN_DEFAULTS, type TrainOptions } from './options.js';
import { UserError, WRITE_ERROR_CODES, WriteError } from '../util/errors.js';

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

export interface ValidResult {
  step: number;
  loss: number;
  ppl: number;
  /** Exact match (0–100) of greedy decodes against the references, when decoding ran. */
  exact?: number;
  /** The --metric score, when set. */
  metric?: number;
  /** The early-stopping criterion's value and whether it was the best so far. */
  score: number;
  best: boolean;
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

/** Greedy decoding of source id sequences → target id sequences (provided by the caller, see translator.ts). */
export type GreedyDecoder = (model: Seq2Seq, sources: number[][], maxLen: number) => number[][];

export interface TrainerInit {
  model: Seq2Seq;
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

const LN2 = Math.log(2);
void LN2;

/**
 * The training loop: token-budget batches in a seeded order, teacher forcing through model.loss,
 * each step in one tidy scope (forward, backward, clip, optimizer step), validation with early
 * stopping, atomic checkpoints, exact resume, clean stop on SIGINT/SIGTERM (see requestStop).
 */
export class Trainer {
  readonly model: Seq2Seq;
  readonly options: TrainOptions;
  /** The run folder (or the store's location), for messages. */
  readonly runDir: string;
  private store: RunStore | null;
  /** The last committed checkpoint's manifest (null before the first, or for a resumed run written before manifests). */
  private manifest: CheckpointManifest | null = null;
  /** Best weights encoded at a validation, committed with the checkpoint of the same step. */
  private pendingBest: Uint8Array[] | null = null;
  private readonly rng: Rng;
  private readonly train: Example[];
  private readonly valid: Example[];
  private readonly init: TrainerInit;
  private readonly params: [string, Tensor][];
  readonly optimizer: Optimizer;
  readonly schedule: LrSchedule;
  private state: TrainState;
  private stopRequest: 'SIGINT' | 'SIGTERM' | null = null;
  private readonly criterion: string;
  private readonly bar: ProgressBar;
  private sessionStart = 0;
  private elapsedBase = 0;
  /** Steps since the last `train` log line (saved with the state); t0 and tokensForRate only time the tokens/s. */
  private window = { loss: 0, tokens: 0, steps: 0, t0: 0, tokensForRate: 0 };

  constructor(init: TrainerInit) {
    this.init = init;
    this.model = init.model;
    this.rng = init.rng;
    if (!init.store && !init.runDir) throw new Error('Trainer: give runDir (a folder) or store (a RunStore)');
    this.store = init.store ?? null;
    this.runDir = init.store?.location ?? init.runDir!;
    this.train = init.train;
    this.valid = init.valid;
    this.options = { ...TRAIN_DEFAULTS, ...stripUndefined(init.options) };
    const o = this.options;
    if (!o.batchTokens && !o.batchSize) o.batchTokens = 2000;
    this.params = this.model.namedParameters();
    const tensors = this.params.map(([, t]) => t);
    switch (o.optim) {
      case 'adam': this.optimizer = new Adam(tensors, { lr: o.lr, weightDecay: o.weightDecay }); break;
      case 'adamw': this.optimizer = new AdamW(tensors, { lr: o.lr, weightDecay: o.weightDecay || 0.01 }); break;
      case 'sgd': this.optimizer = new SGD(tensors, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay }); break;
      default: throw new UserError(`train: optim must be one of adam|adamw|sgd, got '${String(o.optim)}'`);
    }
    this.criterion = o.metric ? o.metric : 'loss';
    switch (o.schedule) {
      case 'constant': this.schedule = new ConstantLr(o.lr); break;
      case 'step': this.schedule = new StepDecay({ lr: o.lr, stepSize: o.decaySteps, gamma: o.decay }); break;
      case 'noam': this.schedule = new WarmupInverseSqrt({ lr: o.lr, warmup: o.warmup }); break;
      case 'plateau': this.schedule = new ReduceOnPlateau({ lr: o.lr, factor: o.decay, patience: o.schedulePatience, mode: this.higherIsBetter() ? 'max' : 'min' }); break;
      default: throw new UserError(`train: schedule must be one of constant|step|noam|plateau, got '${String(o.schedule)}'`);
    }
    this.state = this.freshState();
    this.bar = new ProgressBar({ label: 'train', enabled: init.progress });
  }

  private higherIsBetter(): boolean {
    return this.criterion === 'loss' ? false : higherIsBetter(this.criterion);
  }

  private freshState(): TrainState {
    return {
      format: 's2s-train-state', version: 1, step: 0, epoch: 0, batchInEpoch: 0, rng: this.rng.getState(),
      optimizer: { kind: this.options.optim, step: 0, lr: this.options.lr }, schedule: this.schedule.state(),
      best: { score: null, step: 0, criterion: this.criterion }, badValidations: 0, nanStreak: 0, tokens: 0, elapsed: 0, lastValidStep: -1, logWindow: { loss: 0, tokens: 0, steps: 0 }, stopped: null,
    };
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

  private get files(): RunStore {
    if (!this.store) throw new Error('Trainer: the run store is opened by run()');
    return this.store;
  }

  private log(entry: Record<string, unknown>): void {
    try {
      this.files.append(RUN_FILES.log, JSON.stringify(entry) + '\n');
    } catch (e) {
      throw this.writeFailed(e, `appending to ${RUN_FILES.log}`);
    }
  }

  /** A failed write (full disk, …) as one line that says what is kept and how to go on. */
  private writeFailed(e: unknown, what: string): unknown {
    if (!(e instanceof WriteError)) return e;
    const reason = WRITE_ERROR_CODES[e.code] ?? e.code;
    const fix = e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'EFBIG' ? 'free space' : "fix the folder's permissions";
    const how = this.manifest
      ? `the last complete checkpoint (step ${this.manifest.step}) is kept; ${fix} and continue with: s2s train --out ${this.runDir} --resume`
      : `no checkpoint was saved yet; ${fix} and start again with --overwrite`;
    return new UserError(`${this.runDir}: ${reason} (${e.code}) while ${what}; ${how}`);
  }

  private elapsed(): number {
    return this.elapsedBase + (performance.now() - this.sessionStart) / 1000;
  }

  /**
   * Restores the last complete checkpoint (finishing or dropping a save a kill interrupted, see
   * checkpoint-manifest.ts); log lines past it are dropped.
   */
  private restore(): void {
    const store = this.files;
    const dir = this.runDir;
    const finished: string[] = [];
    const dropped: string[] = [];
    this.manifest = recoverCheckpoint(store, (action, name) => (action === 'finished-rename' ? finished : dropped).push(name));
    if (finished.length > 0) this.say(`note: finished the interrupted save of the step ${this.manifest!.step} checkpoint (${finished.join(', ')})`);
    if (dropped.length > 0) this.say(`note: dropped an unfinished checkpoint save (${dropped.join(', ')}); resuming from the last complete one`);
    if (!hasTrainState(store)) throw new UserError(`${dir}: nothing to resume (no ${RUN_FILES.state} + ${RUN_FILES.stateTensors} + ${RUN_FILES.model}); drop --resume to start a new run`);
    const s = readTrainState(store);
    if (this.manifest && this.manifest.step !== s.step) {
      throw new UserError(`${store.pathOf(RUN_FILES.state)}: step ${s.step}, but ${RUN_FILES.manifest} names step ${this.manifest.step}; the checkpoint's files do not belong together`);
    }
    if (s.optimizer.kind !== this.options.optim) {
      throw new UserError(`${dir}: the run was trained with --optim ${s.optimizer.kind}; resume with the same optimizer`);
    }
    const weightsMeta = loadWeights(store, RUN_FILES.model, this.model);
    const slotsMeta = loadOptimizerState(store, s, this.optimizer, this.params.map(([n]) => n));
    if (!this.manifest) {
      // A run written before checkpoint.json: the step in each safetensors file's metadata must match the state's.
      for (const [name, meta] of [[RUN_FILES.model, weightsMeta], [RUN_FILES.stateTensors, slotsMeta]] as const) {
        if (meta['step'] !== undefined && meta['step'] !== String(s.step)) {
          throw new UserError(`${store.pathOf(name)}: saved at step ${meta['step']}, but ${RUN_FILES.state} is at step ${s.step} (a save was interrupted); the run cannot resume exactly`);
        }
      }
      // Carry the legacy files into the first manifest this session writes.
      const files: CheckpointManifest['files'] = {};
      for (const name of [RUN_FILES.model, RUN_FILES.state, RUN_FILES.stateTensors, RUN_FILES.best]) {
        const b = store.read(name);
        if (b) files[name] = manifestEntry([b]);
      }
      this.manifest = { format: 's2s-checkpoint', version: 1, step: s.step, files };
    }
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
    const log = store.readText(RUN_FILES.log);
    if (log !== null) {
      const kept = log.split('\n').filter((line) => {
        if (line.trim() === '') return false;
        try {
          const e = JSON.parse(line) as { step?: number };
          return typeof e.step !== 'number' || e.step <= s.step;
        } catch {
          return false; // a line a kill cut short
        }
      });
      store.writeAtomic(RUN_FILES.log, kept.map((l) => l + '\n').join(''));
    }
  }

  /**
   * Saves the latest weights and the resume point (and best weights chosen at this step) as one
   * checkpoint (see checkpoint-manifest.ts). A full disk keeps the previous checkpoint whole.
   */
  save(): void {
    this.state.rng = this.rng.getState();
    this.state.schedule = this.schedule.state();
    this.state.elapsed = this.elapsed();
    this.state.logWindow = { loss: this.window.loss, tokens: this.window.tokens, steps: this.window.steps };
    const step = this.state.step;
    const files: [string, Uint8Array[]][] = [
      [RUN_FILES.model, encodeWeights(this.model, { step: String(step) })],
      [RUN_FILES.stateTensors, encodeOptimizerState(step, this.optimizer, this.params.map(([n]) => n))],
      [RUN_FILES.state, [new TextEncoder().encode(encodeTrainState(this.state, this.optimizer))]],
    ];
    if (this.pendingBest) files.push([RUN_FILES.best, this.pendingBest]);
    this.pendingBest = null;
    this.commit(step, files);
  }

  private commit(step: number, files: [string, Uint8Array[]][]): void {
    try {
      this.manifest = commitCheckpoint(this.files, step, files, this.manifest);
    } catch (e) {
      throw this.writeFailed(e, `saving the checkpoint of step ${step}`);
    }
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

  /** Validation loss/perplexity, exact match and --metric on greedy decodes. */
  validate(): ValidResult {
    const o = this.options;
    this.model.eval();
    try {
      let lossSum = 0;
      let tokSum = 0;
      const plan = planEpoch(this.valid, { batchTokens: o.batchTokens, batchSize: o.batchSize, shuffle: false }, 0, 0);
      noGrad(() => {
        for (const idx of plan) {
          tidy(() => {
            const { loss, tokens } = this.model.loss(makeBatch(this.valid, idx), { smoothing: 0 });
            lossSum += loss.item() * tokens;
            tokSum += tokens;
          });
        }
      });
      const loss = tokSum > 0 ? lossSum / tokSum : NaN;
      const result: ValidResult = { step: this.state.step, loss, ppl: Math.exp(loss), score: loss, best: false };
      const n = Math.min(o.validDecode, this.valid.length);
      if (n > 0 && this.init.greedy) {
        const sample = this.valid.slice(0, n);
        const maxLen = Math.max(...sample.map((e) => e.tgt.length)) * 2 + 10;
        const hyps = this.init.greedy(this.model, sample.map((e) => e.src), maxLen);
        let same = 0;
        hyps.forEach((h, i) => {
          const ref = sample[i]!.tgt;
          if (h.length === ref.length && h.every((x, k) => x === ref[k])) same++;
        });
        result.exact = (100 * same) / n;
        if (o.metric && this.init.tgtDecode) {
          const refs = this.init.validRefs ? this.init.validRefs.slice(0, n) : sample.map((e) => this.init.tgtDecode!(e.tgt));
          result.metric = computeMetric(o.metric, hyps.map((h) => this.init.tgtDecode!(h)), refs.map((r) => [r])).score;
        }
      }
      if (o.metric) {
        if (result.metric === undefined) throw new Error('train: --metric needs greedy decoding and a target codec');
        result.score = result.metric;
      }
      return result;
    } finally {
      this.model.train();
    }
  }

  private afterValidation(v: ValidResult): boolean {
    const s = this.state;
    const better = s.best.score === null || (this.higherIsBetter() ? v.score > s.best.score : v.score < s.best.score);
    if (better) {
      s.best = { score: v.score, step: s.step, criterion: this.criterion };
      s.badValidations = 0;
      v.best = true;
      this.pendingBest = encodeWeights(this.model, { step: String(s.step), [this.criterion]: String(v.score) });
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

  /** Runs until a limit, early stopping, a signal or too many non-finite losses. */
  async run(): Promise<TrainResult> {
    const o = this.options;
    this.store ??= await asRunStore(this.init.runDir!);
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
    const window = this.window;
    window.t0 = performance.now();
    window.tokensForRate = 0;
    let rate = 0;
    const s = this.state;
    // Never validate a step twice (a resumed run that already validated its last step).
    const due = (): boolean => this.valid.length > 0 && s.lastValidStep !== s.step;
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
      if (!(this.schedule instanceof ReduceOnPlateau)) this.optimizer.lr = this.schedule.lrAt(s.step);
      const r = this.trainStep(batch);
      this.init.onStep?.({ step: s.step, epoch: s.epoch, loss: r.loss, tokens: r.tokens, lr: this.optimizer.lr, gradNorm: r.gradNorm, skipped: r.skipped });
      if (r.skipped) {
        s.nanStreak++;
        this.log({ type: 'nan', step: s.step, epoch: s.epoch, loss: String(r.loss), grad_norm: String(r.gradNorm), streak: s.nanStreak });
        this.say(`step ${s.step}: non-finite ${Number.isFinite(r.loss) ? 'gradient norm' : 'loss'} (${Number.isFinite(r.loss) ? r.gradNorm : r.loss}); update skipped (${s.nanStreak}/${o.maxNan} in a row)`);
        if (s.nanStreak >= o.maxNan) { reason = 'nan'; break; }
      } else {
        s.nanStreak = 0;
        s.tokens += r.tokens;
        window.loss += r.loss * r.tokens;
        window.tokens += r.tokens;
        window.steps++;
      }
      window.tokensForRate += r.tokens;
      const now = performance.now();
      if (now - window.t0 > 0) rate = (window.tokensForRate * 1000) / (now - window.t0);
      const avg = window.tokens > 0 ? window.loss / window.tokens : NaN;
      this.bar.update(this.fraction(plan.length), {
        step: String(s.step), ep: String(s.epoch + 1), loss: avg, ppl: Math.exp(avg), 'tok/s': rate, lr: this.optimizer.lr,
      });
      if (o.logEvery > 0 && s.step % o.logEvery === 0 && window.steps > 0) {
        this.log({
          type: 'train', step: s.step, epoch: s.epoch, loss: round(avg), ppl: round(Math.exp(avg)), lr: this.optimizer.lr,
          grad_norm: round(r.gradNorm), tok_per_s: Math.round(rate), tokens: s.tokens, elapsed: round(this.elapsed()),
        });
        Object.assign(window, { loss: 0, tokens: 0, steps: 0, t0: performance.now(), tokensForRate: 0 });
      }
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
      const json = JSON.stringify({ ...readTrainState(this.files), stopped: reason }, null, 2) + '\n';
      this.commit(s.step, [[RUN_FILES.state, [new TextEncoder().encode(json)]]]);
    }
    return { reason, exitCode: EXIT_CODES[reason], step: s.step, epoch: s.epoch, bestScore: s.best.score, bestStep: s.best.step, lastValid };
  }
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
