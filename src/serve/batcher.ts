import type { TranslateOptions, Translation } from '../train/index.js';
import { HttpError } from './errors.js';
import type { BatchingOptions } from './limits.js';
import type { ServerMetrics } from './metrics.js';
import type { ServedModel } from './registry.js';
import { batchKey, type DecodeOptions } from './validate.js';

interface Job {
  key: string;
  model: ServedModel;
  texts: string[];
  options: DecodeOptions;
  resolve(t: Translation[]): void;
  reject(e: unknown): void;
}

/**
 * Decodes one group of lines: in this thread (Translator.translate, defaultDecode) or in a decode
 * worker (DecodeWorker.decode, a promise); a parameter so a test can watch the calls.
 */
export type DecodeFn = (model: ServedModel, lines: string[], opts: TranslateOptions & { attention?: boolean }) => Translation[] | Promise<Translation[]>;

export const defaultDecode: DecodeFn = (model, lines, opts) => {
  if (!model.translator) throw new Error(`model ${model.name} has no weights in this thread (ModelRegistry.open): give createApp a decode worker's decode`);
  return model.translator.translate(lines, opts);
};

/**
 * Dynamic batching. Requests wait in a bounded queue; a short window after the first one arrives
 * (or after the previous call ends, unless a full batch is waiting), the requests with the same
 * model and decoding options as the oldest one (up to maxBatch texts, never splitting a request)
 * are decoded in one call, the results go back to each request in its own order, and the next
 * group follows. A window ends early once as many texts are queued as the last call answered plus
 * those that waited through it: under steady load the answered clients come back within a
 * fraction of the window, and waiting out the rest would leave the decoder idle.
 *
 * Decoding in this thread blocks the event loop, so between two calls the batcher yields
 * (setImmediate): sockets are read, new requests join the queue, finished responses are flushed.
 * Decoding in a worker (`offThread`) leaves the event loop free: the requests that arrive during a
 * call are read and queued meanwhile, so the next call starts as soon as one ends, with no window
 * (the clients of two calls take turns, each call's answers sent while the other decodes).
 *
 * A sampled sentence draws from Rng(seed + its index in its own request) whichever requests it
 * shares a call with, so batching never changes a result.
 */
export class DynamicBatcher {
  private readonly queue: Job[] = [];
  private queuedTexts = 0;
  private scheduled = false;
  private running = false;
  /** The pending window's timer (null: none, or the run is already set for the next tick). */
  private timer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Texts worth waiting for: after a call, the clients just answered tend to come back, so the
   * window ends early once as many texts are queued as were in play (answered + waiting) then.
   * Infinity until the first call: the first window is never cut short.
   */
  private target = Infinity;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly opts: BatchingOptions,
    private readonly maxQueue: number,
    private readonly maxOutputTokens: number,
    private readonly metrics: ServerMetrics,
    private readonly decode: DecodeFn = defaultDecode,
    private readonly offThread = false,
  ) {}

  /** Texts waiting (not yet being decoded). */
  get depth(): number {
    return this.queuedTexts;
  }

  /** Queues a request; throws a 429 HttpError when its texts do not fit in the queue. */
  submit(model: ServedModel, texts: string[], options: DecodeOptions): Promise<Translation[]> {
    if (this.queuedTexts + texts.length > this.maxQueue) {
      throw new HttpError(429, 'overloaded', `the queue is full (${this.queuedTexts} of ${this.maxQueue} texts waiting, max-queue); retry shortly`, { 'Retry-After': '1' });
    }
    return new Promise<Translation[]>((resolve, reject) => {
      this.queue.push({ key: batchKey(model.name, options), model, texts, options, resolve, reject });
      this.queuedTexts += texts.length;
      this.metrics.queueDepth.set(this.queuedTexts);
      if (this.timer !== null && this.queuedTexts >= this.target) this.fireNow();
      else this.schedule(this.opts.enabled ? this.opts.windowMs : 0);
    });
  }

  /** Resolves once the queue is empty and no call is running (draining on SIGTERM). */
  idle(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(delayMs: number): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    if (delayMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.go();
      }, delayMs);
    } else {
      setImmediate(() => this.go());
    }
  }

  /** Ends a pending window now: the run starts on the next tick (after the sockets are read). */
  private fireNow(): void {
    clearTimeout(this.timer!);
    this.timer = null;
    setImmediate(() => this.go());
  }

  private go(): void {
    this.scheduled = false;
    this.runOnce();
  }

  /** The oldest job's group: the jobs with its key, in arrival order, up to maxBatch texts. */
  private takeGroup(): Job[] {
    const first = this.queue[0]!;
    const limit = this.opts.enabled ? this.opts.maxBatch : 1;
    const group: Job[] = [];
    let texts = 0;
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i]!;
      if (job.key === first.key && (group.length === 0 || texts + job.texts.length <= limit)) {
        group.push(job);
        texts += job.texts.length;
        this.queue.splice(i, 1);
        if (!this.opts.enabled || texts >= limit) break;
      } else {
        i++;
      }
    }
    this.queuedTexts -= texts;
    this.metrics.queueDepth.set(this.queuedTexts);
    return group;
  }

  private runOnce(): void {
    if (this.queue.length === 0) {
      this.notifyIdle();
      return;
    }
    this.running = true;
    const group = this.takeGroup();
    void this.decodeGroup(group).catch((e: unknown) => {
      for (const j of group) j.reject(e); // a job already resolved ignores this
    }).then(() => {
      this.running = false;
      // Yield to the event loop before the next group. Decoding in this thread, unless a full
      // batch is already waiting, give the clients just answered one window to send their next
      // requests: otherwise the requests that arrived during this call go alone and the rest form
      // the next call, and the batch size settles at half the clients.
      // The window ends early once the answered clients are back (see target).
      this.target = Math.min(this.opts.maxBatch, group.reduce((n, j) => n + j.texts.length, 0) + this.queuedTexts);
      const wait = this.opts.enabled && !this.offThread && this.queuedTexts < this.target;
      if (this.queue.length > 0) this.schedule(wait ? this.opts.windowMs : 0);
      else this.notifyIdle();
    });
  }

  /** Decodes a group and answers its jobs (each its own rows, or the call's error). */
  private async decodeGroup(group: Job[]): Promise<void> {
    const model = group[0]!.model;
    const o = group[0]!.options;
    const lines = group.flatMap((j) => j.texts);
    const sentenceSeeds = group.flatMap((j) => j.texts.map((_, i) => j.options.seed + i));
    const opts: TranslateOptions & { attention?: boolean } = {
      beam: o.sample ? 1 : o.beam, nBest: o.nBest, lengthPenalty: o.lengthPenalty, maxLenA: o.maxLenA, maxLenB: o.maxLenB,
      maxLen: this.maxOutputTokens + 1, // + 1: the cap counts EOS
      sample: o.sample, temperature: o.temperature, topK: o.topK, sentenceSeeds,
      attention: group.some((j) => j.options.attention),
      batchSize: lines.length,
    };
    const t0 = performance.now();
    let out: Translation[];
    try {
      out = await this.decode(model, lines, opts);
    } catch (e) {
      for (const j of group) j.reject(e);
      return;
    }
    const seconds = (performance.now() - t0) / 1000;
    const labels = { model: model.name };
    let outTokens = 0;
    let inTokens = 0;
    for (const t of out) {
      inTokens += t.sourceTokens.length;
      for (const h of t.hypotheses) outTokens += h.tokens.length;
    }
    this.metrics.batchSize.observe(lines.length, labels);
    this.metrics.sentences.inc(labels, lines.length);
    this.metrics.inputTokens.inc(labels, inTokens);
    this.metrics.outputTokens.inc(labels, outTokens);
    this.metrics.decodeSeconds.inc(labels, seconds);
    if (seconds > 0) this.metrics.tokensPerSecond.set(outTokens / seconds, labels);
    let at = 0;
    for (const j of group) {
      j.resolve(out.slice(at, at + j.texts.length));
      at += j.texts.length;
    }
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
