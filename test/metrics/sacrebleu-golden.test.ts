import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusBleu, corpusChrf, corpusTer, formatBleu, refsFromStreams, sentenceBleu } from '../../src/metrics/index.js';

/**
 * 63 random corpora (Unicode, punctuation, HTML entities, empty lines, 1–3 references, 200-word
 * segments) scored by sacreBLEU 2.6.0 itself — see scripts/sacrebleu-golden/ for how the fixture was
 * made. Every score must agree to 1e-9 and BLEU's verbose line character for character.
 */
interface GoldenCase {
  hyps: string[];
  streams: string[][];
  expected: Record<string, number | string | number[]>;
}
const fixture = JSON.parse(readFileSync('test/metrics/fixtures/sacrebleu-2.6.0.json', 'utf8')) as { cases: GoldenCase[] };

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ sacreBLEU's ${expected}`);
}

test('BLEU (13a, none, intl, char; lowercase; sentence-level) equals sacreBLEU 2.6.0 on 63 random corpora', () => {
  let checks = 0;
  fixture.cases.forEach((c, k) => {
    const refs = refsFromStreams(c.streams);
    for (const tok of ['13a', 'none', 'intl', 'char'] as const) {
      const b = corpusBleu(c.hyps, refs, { tokenize: tok });
      close(b.score, c.expected['bleu_' + tok] as number, `case ${k} bleu tok:${tok}`);
      assert.equal(formatBleu(b, false), c.expected['bleuv_' + tok], `case ${k} verbose line tok:${tok}`);
      checks += 2;
    }
    close(corpusBleu(c.hyps, refs, { lowercase: true }).score, c.expected['bleu_lc'] as number, `case ${k} bleu lowercase`);
    const sentence = c.expected['sbleu'] as number[];
    c.hyps.forEach((h, i) => close(sentenceBleu(h, refs[i]!).score, sentence[i]!, `case ${k} sentence ${i}`));
    checks += 1 + c.hyps.length;
  });
  assert.ok(checks > 700, `ran ${checks} checks`);
});

test('chrF, chrF++ and TER (default and case-sensitive) equal sacreBLEU 2.6.0 on 63 random corpora', () => {
  fixture.cases.forEach((c, k) => {
    const refs = refsFromStreams(c.streams);
    close(corpusChrf(c.hyps, refs).score, c.expected['chrf'] as number, `case ${k} chrF2`);
    close(corpusChrf(c.hyps, refs, { wordOrder: 2 }).score, c.expected['chrfpp'] as number, `case ${k} chrF++`);
    close(corpusTer(c.hyps, refs).score, c.expected['ter'] as number, `case ${k} TER`);
    close(corpusTer(c.hyps, refs, { caseSensitive: true }).score, c.expected['tercs'] as number, `case ${k} TER case-sensitive`);
  });
});
