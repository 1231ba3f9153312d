// node scripts/g2p-exp/score.mjs HYP REF.tsv: WER/PER of the hypothesis lines against the references grouped by source (the recipe's scorer).
import { readFileSync } from 'node:fs';
import { g2pScore } from '../../dist/src/recipes/g2p-score.js';

const hyps = readFileSync(process.argv[2], 'utf8').split('\n');
const groups = new Map();
for (const line of readFileSync(process.argv[3], 'utf8').split('\n')) {
  if (!line) continue;
  const [src, tgt] = line.split('\t');
  if (!groups.has(src)) groups.set(src, []);
  groups.get(src).push(tgt);
}
const refs = [...groups.values()];
const s = g2pScore(refs.map((_, i) => hyps[i] ?? ''), refs);
console.log(JSON.stringify({ WER: +s.WER.toFixed(2), PER: +s.PER.toFixed(2) }));
