import type { RecipeReport, Scores } from './types.js';

function fmtScores(s: Scores | undefined): string {
  if (!s) return '—';
  return Object.entries(s).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' / ');
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
    // a plan that re-ranks its beam (g2p-cmudict --ensemble) shows both
    fmtScores(r.scores['beam5']) + (r.scores['beam5-rescored'] ? `; re-ranked: ${fmtScores(r.scores['beam5-rescored'])}` : ''),
    r.peer ? fmtTrain(r.peer.train) : '—',
    fmtScores(r.peer?.scores['greedy']),
    fmtScores(r.peer?.scores['beam5']),
    r.anchors.join('; '),
    '`' + r.command + '`',
  ];
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}
