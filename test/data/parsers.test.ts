import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTsv, newReadStats, parseJsonl, parseParallel, parsePo, parseTsv, splitLines } from '../../src/data/index.js';

async function all<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

async function* gen(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

test('the parsers read text from any source: a string, no file', async () => {
  const tsv = await all(parseTsv(splitLines('a b\tx y\r\n\nc\td\n'), 'pasted.tsv'));
  assert.deepEqual(tsv, [{ src: 'a b', tgt: 'x y', file: 'pasted.tsv', line: 1 }, { src: 'c', tgt: 'd', file: 'pasted.tsv', line: 3 }]);
  await assert.rejects(all(parseTsv(['ok\tfine', 'no tab'], 'pasted.tsv')), /^UserError: pasted\.tsv:2: expected exactly one tab/);
  const stats = newReadStats();
  const jsonl = await all(parseJsonl(['{"src":"s","tgt":"t"}', '{bad'], 'drop.jsonl', { skipBadLines: true, stats }));
  assert.deepEqual(jsonl.map((p) => [p.src, p.tgt]), [['s', 't']]);
  assert.equal(stats.badLines, 1);
  assert.match(stats.badExamples[0]!, /^drop\.jsonl:2: not valid JSON/);
  const par = await all(parseParallel(gen(['a', 'b']), gen(['x', 'y']), 'src.txt', 'tgt.txt'));
  assert.deepEqual(par.map((p) => [p.src, p.tgt, p.line]), [['a', 'x', 1], ['b', 'y', 2]]);
  const po = await all(parsePo(splitLines('msgid ""\nmsgstr "Content-Type: text/plain\\n"\n\nmsgid "Open"\nmsgstr "Öffnen"\n'), 'de.po'));
  assert.deepEqual(po.map((p) => [p.src, p.tgt, p.line]), [['Open', 'Öffnen', 4]]);
});

test('formatTsv writes what parseTsv reads back, one line a pair', async () => {
  const pairs = [{ src: 'Open the file', tgt: 'Datei öffnen' }, { src: 'a b', tgt: 'c' }];
  const text = formatTsv(pairs);
  assert.equal(text, 'Open the file\tDatei öffnen\na b\tc\n');
  const back = [];
  for await (const p of parseTsv(splitLines(text), 'x.tsv')) back.push({ src: p.src, tgt: p.tgt });
  assert.deepEqual(back, pairs);
  assert.equal(formatTsv([]), '');
});
