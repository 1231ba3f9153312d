import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helpText, parseFlags, type FlagSpec } from '../src/cli/args.js';
import { buildCodecs } from '../src/data/build.js';
import { dateSplits } from '../src/demo/dates.js';
import { createBackend } from '../src/kernels/index.js';
import { setBackend } from '../src/tensor/index.js';
import { trainRun } from '../src/train/api.js';
import { CONSTANT_LR_NO_SMOOTHING } from '../src/train/options.js';
import { UserError } from '../src/util/errors.js';
import { chromiumMissing, launchChromium } from './chromium.js';
import { startServe } from './serve-process.js';

/**
 * `s2s bench browser`: the engine in headless chromium (a Web Worker of the page s2s serve serves,
 * cross-origin isolated) against the same engine in Node (a worker_thread), running the same
 * routine on the same run files: beam-search decoding speed and training steps/s on the page's
 * dates task. The bars (issue 8): browser ≥ 0.7 × Node for both.
 */
const SPECS: Record<string, FlagSpec> = {
  threads: { type: 'int', min: 1, max: 256, default: 1, help: 'wasm threads of the engine, the same on both sides' },
  sentences: { type: 'int', min: 1, default: 32, help: 'sentences per decoding call' },
  reps: { type: 'int', min: 1, default: 5, help: 'timed decoding calls' },
  beam: { type: 'int', min: 1, max: 1000, default: 5, help: 'beam size' },
  'train-seconds': { type: 'number', above: 0, default: 10, help: 'seconds of training on each side' },
  rounds: { type: 'int', min: 1, default: 2, help: 'rounds, Node and browser taking turns (the best of each side counts)' },
  json: { type: 'bool', help: 'print one JSON object' },
  help: { type: 'bool', help: 'show this help' },
};

export interface RoutineArgs {
  moduleUrl: string;
  runUrl: string;
  threads: number;
  texts: string[];
  beam: number;
  reps: number;
  trainSeconds: number;
}

export interface RoutineResult {
  threads: number;
  crossOriginIsolated: boolean;
  decodeSeconds: number;
  sentencesPerSecond: number;
  trainSteps: number;
  stepsPerSecond: number;
  firstOutput: string;
}

/**
 * Runs in Node and, serialised by playwright, in the page: nothing from outside but its argument.
 * Steps/s comes from the progress events between the first and the last training step (data
 * preparation and the final validation are not training steps).
 */
export async function routine(a: RoutineArgs): Promise<RoutineResult> {
  const mod = (await import(a.moduleUrl)) as typeof import('../src/browser/index.js');
  const engine = await mod.BrowserEngine.start({ backend: 'wasm', threads: a.threads });
  try {
    await engine.loadFromUrl('bench', a.runUrl);
    const settings = { beam: a.beam, nBest: 1 };
    const warm = await engine.translate('bench', a.texts, settings);
    const t0 = performance.now();
    for (let r = 0; r < a.reps; r++) await engine.translate('bench', a.texts, settings);
    const decodeSeconds = (performance.now() - t0) / 1000;
    const steps: { step: number; elapsed: number }[] = [];
    const summary = await engine.train({ name: 'bench-train', task: { kind: 'dates' }, seconds: a.trainSeconds, options: { validEvery: 0 } }, (p) => {
      if (!p.valid) steps.push({ step: p.step, elapsed: p.elapsed });
    });
    const first = steps[0], last = steps[steps.length - 1];
    const stepsPerSecond = first && last && last.elapsed > first.elapsed ? (last.step - first.step) / (last.elapsed - first.elapsed) : summary.stepsPerSecond;
    return {
      threads: engine.info.threads, crossOriginIsolated: engine.info.crossOriginIsolated, decodeSeconds,
      sentencesPerSecond: (a.reps * a.texts.length) / decodeSeconds, trainSteps: summary.steps, stepsPerSecond,
      firstOutput: warm[0]?.hypotheses[0]?.text ?? '',
    };
  } finally {
    await engine.terminate();
  }
}

export async function runBrowserBench(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags('bench browser', argv, SPECS);
  if (flags['help']) {
    console.log(helpText('bench browser', 'in-browser (headless chromium) vs Node: decoding and training speed of the same engine', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s bench browser: unexpected argument '${rest[0]}'`);
  const missing = chromiumMissing();
  if (missing) throw new UserError(`s2s bench browser: ${missing}`);
  const threads = flags['threads'] as number;
  const dir = mkdtempSync(join(tmpdir(), 's2s-bench-browser-'));
  const log = (m: string): void => void process.stderr.write(m + '\n');
  try {
    // The run both sides decode with: the page's dates model, trained briefly.
    log('bench browser: training the benchmark run (dates, 200 steps)');
    setBackend(await createBackend({ backend: 'wasm', threads: 1 }));
    const { train, valid, test } = dateSplits({ train: 6000, valid: 100, test: flags['sentences'] as number }, 1);
    await trainRun({
      out: dir, codecs: buildCodecs(train, { tokenizer: 'char' }), train, valid,
      model: { arch: 'lstm', attention: 'general', bidirectional: true, emb: 32, hidden: 64, dropout: 0.1 },
      options: { ...CONSTANT_LR_NO_SMOOTHING, batchSize: 64, lr: 0.01, maxSteps: 200, validEvery: 100, validDecode: 50 }, say: () => {},
    });
    const served = await startServe(['--model', `bench=${dir}`, '--threads', '1']);
    try {
      const base: Omit<RoutineArgs, 'moduleUrl'> = {
        runUrl: `${served.url}/v1/models/bench/`, threads, texts: test.map((p) => p.src), beam: flags['beam'] as number,
        reps: flags['reps'] as number, trainSeconds: flags['train-seconds'] as number,
      };
      const rounds = Math.max(1, flags['rounds'] as number);
      const nodeRuns: RoutineResult[] = [];
      const browserRuns: RoutineResult[] = [];
      const chromium = await launchChromium();
      try {
        const page = await chromium.context.newPage();
        await page.goto(`${served.url}/`);
        // Taking turns, so a change in the machine's load (it may be shared) hits both sides alike.
        for (let r = 0; r < rounds; r++) {
          log(`bench browser: round ${r + 1}/${rounds}: Node (worker_threads)`);
          nodeRuns.push(await routine({ ...base, moduleUrl: new URL('../src/browser/index.js', import.meta.url).href }));
          log(`bench browser: round ${r + 1}/${rounds}: chromium (Web Worker)`);
          browserRuns.push(await page.evaluate(routine, { ...base, moduleUrl: `${served.url}/dist/src/browser/index.js` }));
        }
      } finally {
        await chromium.close();
      }
      const best = (runs: RoutineResult[]): RoutineResult => ({
        ...runs[0]!,
        sentencesPerSecond: Math.max(...runs.map((x) => x.sentencesPerSecond)),
        stepsPerSecond: Math.max(...runs.map((x) => x.stepsPerSecond)),
      });
      const node = best(nodeRuns);
      const browser = best(browserRuns);
      const out = {
        suite: 'browser', model: 'dates demo model (char, bi-LSTM 32/64, general attention)', threads,
        decode: { sentences: base.texts.length, reps: base.reps, beam: base.beam, nodeSentencesPerSecond: round(node.sentencesPerSecond), browserSentencesPerSecond: round(browser.sentencesPerSecond), ratio: round(browser.sentencesPerSecond / node.sentencesPerSecond) },
        train: { seconds: base.trainSeconds, nodeStepsPerSecond: round(node.stepsPerSecond), browserStepsPerSecond: round(browser.stepsPerSecond), ratio: round(browser.stepsPerSecond / node.stepsPerSecond) },
        browserCrossOriginIsolated: browser.crossOriginIsolated,
        sameOutput: node.firstOutput === browser.firstOutput,
        rounds: { node: nodeRuns.map((x) => ({ sentencesPerSecond: round(x.sentencesPerSecond), stepsPerSecond: round(x.stepsPerSecond) })), browser: browserRuns.map((x) => ({ sentencesPerSecond: round(x.sentencesPerSecond), stepsPerSecond: round(x.stepsPerSecond) })) },
        nodeVersion: process.version, chromium: chromium.version,
        bars: { decodeRatioAtLeast: 0.7, trainRatioAtLeast: 0.7 },
      };
      const pass = out.decode.ratio >= 0.7 && out.train.ratio >= 0.7;
      if (flags['json']) console.log(JSON.stringify({ ...out, pass }));
      else {
        console.log(`decoding (beam ${base.beam}, ${base.texts.length} sentences × ${base.reps}): Node ${out.decode.nodeSentencesPerSecond} sent/s, browser ${out.decode.browserSentencesPerSecond} sent/s, ratio ${out.decode.ratio}`);
        console.log(`training (${base.trainSeconds} s): Node ${out.train.nodeStepsPerSecond} steps/s, browser ${out.train.browserStepsPerSecond} steps/s, ratio ${out.train.ratio}`);
        console.log(`bars (≥ 0.7 each): ${pass ? 'met' : 'NOT met'}`);
      }
      return 0;
    } finally {
      await served.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
