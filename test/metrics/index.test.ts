import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetric, corpusBleu, higherIsBetter, METRIC_NAMES, MetricAccumulator, refsFromStreams } from '../../src/metrics/index.js';

const HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const REFS = refsFromStreams([
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
]);

test('computeMetric scores every metric by name', () => {
  for (const name of METRIC_NAMES) {
    const r = computeMetric(name, HYPS, REFS);
    assert.ok(Number.isFinite(r.score), name);
    assert.equal(r.higherIsBetter, higherIsBetter(name));
    assert.ok(r.line.length > 0);
  }
  const b = computeMetric('bleu', HYPS, REFS);
  assert.equal(b.name, 'BLEU');
  assert.equal(b.score, corpusBleu(HYPS, REFS).score);
  assert.equal(b.signature, 'nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
  assert.deepEqual(b.details.counts, [14, 7, 5, 3]); // 82.4/50.0/45.5/37.5 of totals 17/14/11/8
  assert.equal(computeMetric('CHRF', HYPS, REFS).name, 'chrF2'); // names are case-insensitive
  assert.equal(computeMetric('bleu', HYPS, REFS, { tokenize: 'none', lowercase: true }).signature, 'nrefs:2|case:lc|eff:no|tok:none|smooth:exp|version:2.6.0');
});

test('higherIsBetter per metric', () => {
  for (const m of ['bleu', 'chrf', 'chrf++', 'exact', 'rouge', 'rouge1', 'rouge2', 'rougeL']) assert.equal(higherIsBetter(m), true, m);
  for (const m of ['ter', 'wer', 'cer', 'per']) assert.equal(higherIsBetter(m), false, m);
  assert.throws(() => higherIsBetter('meteor'), /unknown metric 'meteor'; valid metrics: bleu, chrf/);
});

test('the streaming accumulator equals the corpus computation', () => {
  for (const name of METRIC_NAMES) {
    const acc = new MetricAccumulator(name);
    HYPS.forEach((h, i) => acc.add(h, REFS[i]!));
    assert.deepEqual(acc.result(), computeMetric(name, HYPS, REFS), name);
  }
});

test('layout errors are reported', () => {
  assert.throws(() => computeMetric('bleu', ['a', 'b'], [['a']]), /2 hypotheses but 1 reference lists/);
  assert.throws(() => computeMetric('bleu', ['a'], [[]]), /segment 0 has no reference/);
  assert.throws(() => refsFromStreams([['a', 'b'], ['a']]), /stream 1 has 1 lines, stream 0 has 2/);
});
