// Writes the g2p-cmudict split (as the recipe builds it) to runs/exp/data for the equal-time experiments of docs/training.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dictionary } from 'cmu-pronouncing-dictionary';
import { g2pEntries, g2pSplits, G2P_SPLIT } from '../../dist/src/recipes/g2p-data.js';
import { buildCodecs, saveCodecs } from '../../dist/src/data/index.js';

const s = g2pSplits(g2pEntries(dictionary), G2P_SPLIT, 1);
mkdirSync('runs/exp/data', { recursive: true });
const tsv = (pairs) => pairs.map((x) => `${x.src}\t${x.tgt}\n`).join('');
writeFileSync('runs/exp/data/train.tsv', tsv(s.train));
writeFileSync('runs/exp/data/valid.tsv', tsv(s.valid));
writeFileSync('runs/exp/data/test.tsv', tsv(s.test.flatMap((t) => t.refs.map((r) => ({ src: t.src, tgt: r })))));
await saveCodecs('runs/exp/data/codecs.json', buildCodecs(s.train, { tokenizer: 'space' }));
console.log(JSON.stringify({ train: s.train.length, valid: s.valid.length, test: s.test.length }));
