#!/usr/bin/env node
import { UserError } from '../util/errors.js';

/**
 * The `s2s` executable. Each subcommand lives in its own module exporting
 * `run(argv: string[]): Promise<number>` (the exit code); modules load lazily so `s2s eval` does
 * not pay for the engine's start-up.
 */
const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  // one line per subcommand, e.g.
  // train: { summary: 'train an encoder-decoder model', load: () => import('./train.js') },
  prepare: { summary: 'clean, split and learn codecs for a parallel corpus', load: () => import('./prepare.js') },
  eval: { summary: 'score hypotheses against references (BLEU, chrF, TER, WER, CER, PER, exact, ROUGE)', load: () => import('./eval.js') },
  train: { summary: 'train an encoder-decoder model (checkpoints, resume, early stopping)', load: () => import('./train.js') },
  average: { summary: 'average the weights of the last checkpoints a run kept (--keep-checkpoints)', load: () => import('./average.js') },
  translate: { summary: 'translate lines with a trained model (greedy, beam search or sampling)', load: () => import('./translate.js') },
  serve: { summary: 'HTTP API (translate, models, health, metrics) with dynamic batching, and the web page', load: () => import('./serve.js') },
  demo: { summary: 'train a date-normalisation model in about a minute and show it working', load: () => import('./demo.js') },
  plot: { summary: 'SVG plots: attention heatmap of a translation, training curves of runs (log.jsonl)', load: () => import('./plot.js') },
  recipe: { summary: 'a real task end to end: data, training, test scores (g2p-cmudict, …; --quick for a short run)', load: () => import('./recipe.js') },
  bench: { summary: 'benchmarks printing JSON: train (vs PyTorch with --peer), gemm, data, serve', load: () => import('./bench.js') },
};

function usage(): string {
  const lines = ['usage: s2s <command> [flags]   (s2s <command> --help for its flags)', ''];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) throw new UserError(`s2s: unknown command '${name}'; valid commands: ${Object.keys(commands).join(', ')}`);
  const mod = await cmd.load();
  return mod.run(rest);
}

/**
 * A closed stdout (`s2s translate … | head -1`) ends the command quietly: nobody reads the rest.
 * Files are written atomically, so stopping mid-way leaves none broken. A closed stderr is
 * ignored (a long training run is not lost because its log reader went away).
 */
function onStreamError(stream: 'stdout' | 'stderr') {
  return (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      if (stream === 'stdout') process.exit(0);
      return;
    }
    if (stream === 'stdout') {
      process.stderr.write(`error: cannot write the output (${err.code ?? err.message})\n`);
      process.exit(2);
    }
  };
}
process.stdout.on('error', onStreamError('stdout'));
process.stderr.on('error', onStreamError('stderr'));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
