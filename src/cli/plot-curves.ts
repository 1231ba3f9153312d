import { join } from 'node:path';
import { pathKind, readTextFile } from '../platform/node-files.js';
import { lineChart, svgDocument, type ChartSeries } from '../plot/index.js';
import { parseRunLog, validMetrics, type RunLog } from '../train/index.js';
import { fileErrorReason, UserError } from '../util/errors.js';
import { helpText, parseFlags, type FlagSpec } from './args.js';
import { writeSvg } from './plot.js';

const CMD = 'plot curves';

const SPECS: Record<string, FlagSpec> = {
  out: { type: 'string', default: 'curves.svg', help: 'SVG file to write' },
  metric: { type: 'string', help: "validation number to draw beside the training loss: loss, ppl, exact, or the run's --metric (default: the first run's --metric, else loss)" },
  width: { type: 'int', min: 300, max: 10000, default: 860, help: 'width of the chart (px)' },
  title: { type: 'string', help: 'a title over the chart' },
  help: { type: 'bool', help: 'show this help' },
};

/** Distinct colours for up to ten runs (then they repeat). */
const PALETTE = ['#2f5bd3', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5c940d', '#495057', '#1864ab'];

interface LoadedLog {
  dir: string;
  log: RunLog;
  /** The --metric the run was trained with, if any (config.json). */
  metric?: string;
}

async function readRun(dir: string): Promise<LoadedLog> {
  const kind = await pathKind(dir);
  if (kind === 'missing') throw new UserError(`s2s ${CMD}: ${dir}: no such run folder; give the --out folder of s2s train`);
  if (kind !== 'folder') throw new UserError(`s2s ${CMD}: ${dir} is not a folder; give the --out folder of s2s train`);
  const file = join(dir, 'log.jsonl');
  if ((await pathKind(file)) !== 'file') {
    throw new UserError(`s2s ${CMD}: ${dir} has no log.jsonl; give a run folder of s2s train (it writes log.jsonl from its first logged step; train with --log-every N > 0)`);
  }
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (err) {
    throw new UserError(`s2s ${CMD}: ${file}: cannot read (${fileErrorReason(err)}); check the file and its permissions`);
  }
  const log = parseRunLog(text, file);
  let metric: string | undefined;
  try {
    const config = JSON.parse(await readTextFile(join(dir, 'config.json'))) as { training?: { metric?: unknown } };
    if (typeof config.training?.metric === 'string') metric = config.training.metric;
  } catch {
    // no config.json (or not readable): the log alone is enough to plot
  }
  return { dir, log, metric };
}

/** Short names for runs: the fewest trailing path parts that tell them apart (runs/a, runs/b → a, b). */
export function runLabels(dirs: readonly string[]): string[] {
  const parts = dirs.map((d) => d.split(/[\\/]+/).filter((p) => p !== '' && p !== '.'));
  const most = Math.max(1, ...parts.map((p) => p.length));
  for (let k = 1; k <= most; k++) {
    const labels = parts.map((p, i) => (p.length === 0 ? dirs[i]! : p.slice(-k).join('/')));
    if (new Set(labels).size === labels.length) return labels;
  }
  return dirs.slice();
}

/** s2s plot curves RUN [RUN …]: training loss and a validation metric by step, several runs on one chart. */
export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'write the training loss and a validation metric by step of one or more runs (their log.jsonl) as one SVG chart', SPECS));
    return 0;
  }
  if (rest.length === 0) throw new UserError(`s2s ${CMD}: give one or more run folders: s2s ${CMD} RUN [RUN …] [--out curves.svg]`);
  const runs = [];
  for (const dir of rest) runs.push(await readRun(dir));
  const metric = typeof flags['metric'] === 'string' ? flags['metric'] : runs[0]!.metric ?? 'loss';
  for (const r of runs) {
    if (r.log.train.length === 0 && r.log.valid.length === 0) {
      throw new UserError(`s2s ${CMD}: ${r.dir}/log.jsonl has no train or valid lines yet; plot it once training has logged a step`);
    }
    const names = validMetrics(r.log);
    if (r.log.valid.length > 0 && !names.includes(metric)) {
      throw new UserError(`s2s ${CMD}: ${r.dir}/log.jsonl has no '${metric}' in its validation lines; choose --metric ${names.join('|')}`);
    }
  }
  const labels = runLabels(rest);
  const onLeft = metric === 'loss';
  const single = runs.length === 1;
  const series: ChartSeries[] = [];
  runs.forEach((r, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const prefix = single ? '' : `${labels[i]}: `;
    series.push({ label: `${prefix}training loss`, points: r.log.train.map((p) => ({ step: p.step, value: p.loss })), color: colour, className: 'train', dots: false });
    if (r.log.valid.length > 0) {
      series.push({
        label: `${prefix}validation ${metric}${onLeft ? '' : ' (right axis)'}`,
        points: r.log.valid.map((v) => ({ step: v.step, value: v.values[metric]! })),
        // one run: its two lines in two colours; several: a colour per run, validation dashed
        color: single ? PALETTE[1]! : colour, dash: '5 3', axis: onLeft ? 'left' : 'right', className: 'valid',
      });
    }
  });
  const chart = lineChart(series, {
    width: flags['width'] as number, background: '#ffffff', xLabel: 'step', leftLabel: 'loss', rightLabel: onLeft ? undefined : `validation ${metric}`,
    title: typeof flags['title'] === 'string' ? flags['title'] : `training loss and validation ${metric}${single ? ` — ${labels[0]}` : ''}`,
  });
  const out = flags['out'] as string;
  await writeSvg(CMD, out, svgDocument(chart));
  const counts = runs.map((r, i) => `${labels[i]} ${r.log.train.length} train + ${r.log.valid.length} valid points`).join(', ');
  console.error(`wrote ${out}: ${counts}`);
  return 0;
}
