// Joins gen.py's cases.json and ref.py's ref.json into the test fixture.
import { readFileSync, writeFileSync } from 'node:fs';
const cases = JSON.parse(readFileSync('cases.json', 'utf8'));
const ref = JSON.parse(readFileSync('ref.json', 'utf8'));
const out = {
  about: 'Random corpora (scripts/sacrebleu-golden/gen.py, seed 7) scored by sacreBLEU (scripts/sacrebleu-golden/ref.py). Regenerate where sacrebleu is installed: python3 gen.py && python3 ref.py && node merge.mjs',
  sacrebleu: process.env.SACREBLEU_VERSION ?? '2.6.0',
  cases: cases.map((c, i) => ({ hyps: c.hyps, streams: c.streams, expected: ref[i] })),
};
writeFileSync(new URL('../../test/metrics/fixtures/sacrebleu-2.6.0.json', import.meta.url), JSON.stringify(out));
