import type { RecipeReport, Scores } from './types.js';

function fmtScores(s: Scores | undefined): string {
  if (!s) return '—';
  return Object.entries(s).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' / ');
}

/** The beam-5 cell: plain, then (when decoded) re-ranked and with the length penalty picked on valid. */
function fmtBeam(scores: Record<string, Scores> | undefined): string {
  if (!scores) return '—';
  return fmtScores(scores['beam5'])
    + (scores['beam5-rescored'] ? `; re-ranked: ${fmtScores(scores['beam5-rescored'])}` : '')
    + (scores['beam5-lp'] ? `; length penalty picked on valid: ${fmtScores(scores['beam5-lp'])}` : '');
}

function fmtTrain(t: RecipeReport['train']): string {
  return `${(t.seconds / 60).toFixed(1)} min, ${t.steps} steps, ${t.epochs} ep, ${t.tokPerS.toLocaleString('en-US')} tok/s`;
}

export const MARKDOWN_HEADER = [
  '| recipe | data (train / valid / test) | model | threads | training | greedy | beam 5 | peer training | peer greedy | peer beam 5 | published (their splits) | command |',
  '| --- | --- | --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- |',
].join('\n');

/** The report as one row of the README's results table (MARKDOWN_HEADER's columns). */
export function markdownRow(r: RecipeReport): string {
  const cells = [
    r.recipe + (r.quick ? ' (quick)' : ''),
    `${r.data.train.toLocaleString('en-US')} / ${r.data.valid.toLocaleString('en-US')} / ${r.data.test.toLocaleString('en-US')}${r.data.note ? ` ${r.data.note}` : ''}`,
    r.model,
    String(r.threads),
    fmtTrain(r.train),
    fmtScores(r.scores['greedy']),
    fmtBeam(r.scores),
    r.peer ? fmtTrain(r.peer.train) : '—',
    fmtScores(r.peer?.scores['greedy']),
    fmtBeam(r.peer?.scores),
    r.anchors.join('; '),
    '`' + r.command + '`',
  ];
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}
