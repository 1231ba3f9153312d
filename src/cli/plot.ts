import { dirname } from 'node:path';
import { pathKind, writeFileAtomic } from '../platform/node-files.js';
import { UserError } from '../util/errors.js';

/**
 * s2s plot: SVG plots of a model and of training runs. `attention` draws the attention heatmap of
 * one translation; `curves` the training loss and a validation metric by step of one or more
 * runs. The plots themselves are built in src/plot (shared with the web page); this writes them.
 */
const PLOTS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  attention: { summary: 'attention heatmap of one translation: s2s plot attention --model RUN "input" [--out FILE.svg]', load: () => import('./plot-attention.js') },
  curves: { summary: 'loss and validation metric by step from log.jsonl: s2s plot curves RUN [RUN …] [--out FILE.svg]', load: () => import('./plot-curves.js') },
};

function usage(): string {
  return ['usage: s2s plot <plot> [flags]   (s2s plot <plot> --help for its flags)', '', ...Object.entries(PLOTS).map(([n, p]) => `  ${n.padEnd(10)} ${p.summary}`)].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const plot = PLOTS[name];
  if (!plot) throw new UserError(`s2s plot: unknown plot '${name}'; valid plots: ${Object.keys(PLOTS).join(', ')}`);
  return (await plot.load()).run(rest);
}

/** Writes an SVG file atomically (temp file, fsync, rename): a kill or a full disk never leaves half a plot. */
export async function writeSvg(command: string, out: string, svg: string): Promise<void> {
  if ((await pathKind(out)) === 'folder') throw new UserError(`s2s ${command}: --out ${out} is a folder; give a file name such as ${out.replace(/\/$/, '')}/plot.svg`);
  const parent = dirname(out);
  if ((await pathKind(parent)) !== 'folder') throw new UserError(`s2s ${command}: --out ${out}: the folder ${parent} does not exist; create it or choose another --out`);
  await writeFileAtomic(out, svg);
}
