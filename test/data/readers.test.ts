import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newReadStats, readJsonl, readPairs, readParallel, readTsv } from '../../src/data/index.js';
import { UserError } from '../../src/util/errors.js';
import { collect, tempDir } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);
const file = (name: string, text: string): string => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};

test('tsv: pairs with file and line; CRLF, BOM and blank lines handled', async () => {
  const p = file('a.tsv', '\ufeffHello\tHallo\r\n\r\nGood morning\tGuten Morgen\r\n');
  const pairs = await collect(readTsv(p));
  assert.deepEqual(pairs, [
    { src: 'Hello', tgt: 'Hallo', file: p, line: 1 },
    { src: 'Good morning', tgt: 'Guten Morgen', file: p, line: 3 },
  ]);
});

test('tsv: a line without exactly one tab is a UserError naming file:line', async () => {
  const p = file('bad.tsv', 'a\tb\nno tab here\nc\td\te\n');
  await assert.rejects(collect(readTsv(p)), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.message, `${p}:2: expected exactly one tab (source<TAB>target), found 0; fix or remove the line, or pass --skip-bad-lines`);
    return true;
  });
});

test('tsv: skipBadLines counts the bad lines and keeps the good ones', async () => {
  const p = file('bad2.tsv', 'a\tb\nno tab here\nc\td\te\nf\tg\n');
  const stats = newReadStats();
  const pairs = await collect(readTsv(p, { skipBadLines: true, stats }));
  assert.deepEqual(pairs.map((x) => [x.src, x.tgt, x.line]), [['a', 'b', 1], ['f', 'g', 4]]);
  assert.equal(stats.badLines, 2);
  assert.equal(stats.read, 2);
  assert.match(stats.badExamples[1]!, /bad2\.tsv:3: expected exactly one tab .* found 2/);
});

test('jsonl: reads src/tgt, ignores other keys, reports bad JSON and missing fields', async () => {
  const good = file('a.jsonl', '{"src":"one","tgt":"eins","id":7}\n\n{"tgt":"zwei","src":"two \\"2\\""}\n');
  assert.deepEqual(
    (await collect(readJsonl(good))).map((x) => [x.src, x.tgt, x.line]),
    [['one', 'eins', 1], ['two "2"', 'zwei', 3]],
  );
  const badJson = file('b.jsonl', '{"src":"one","tgt":"eins"}\n{"src": oops}\n');
  await assert.rejects(collect(readJsonl(badJson)), (e: unknown) => e instanceof UserError && e.message.startsWith(`${badJson}:2: not valid JSON (`));
  const missing = file('c.jsonl', '{"src":"one"}\n');
  await assert.rejects(collect(readJsonl(missing)), (e: unknown) => e instanceof UserError && e.message.startsWith(`${missing}:1: missing or non-string "tgt"`));
  const stats = newReadStats();
  const mixed = file('d.jsonl', '[1,2]\n{"src":"a","tgt":"b"}\n{"src":1,"tgt":2}\n');
  const pairs = await collect(readJsonl(mixed, { skipBadLines: true, stats }));
  assert.deepEqual(pairs.map((x) => x.src), ['a']);
  assert.equal(stats.badLines, 2);
});

test('parallel: line-aligned files, blank lines kept; a length mismatch is an error', async () => {
  const s = file('p.en', 'one\n\nthree\n');
  const t = file('p.de', 'eins\nzwei\ndrei\n');
  const pairs = await collect(readParallel(s, t));
  assert.deepEqual(pairs.map((x) => [x.src, x.tgt, x.line]), [['one', 'eins', 1], ['', 'zwei', 2], ['three', 'drei', 3]]);
  const longer = file('q.de', 'eins\nzwei\ndrei\nvier\nfünf\n');
  await assert.rejects(collect(readParallel(s, longer)), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.message, `${longer}:4: ${s} ends after 3 lines but ${longer} has 2 more; the two files must have the same number of lines`);
    return true;
  });
  const stats = newReadStats();
  const kept = await collect(readParallel(s, longer, { skipBadLines: true, stats }));
  assert.equal(kept.length, 3);
  assert.equal(stats.badLines, 2, 'both unmatched lines are counted');
});

test('readPairs dispatches on the spec; a missing file is a one-line UserError', async () => {
  const p = file('r.tsv', 'x\ty\n');
  assert.deepEqual((await collect(readPairs({ tsv: p }))).map((x) => x.tgt), ['y']);
  const j = file('r.jsonl', '{"src":"x","tgt":"z"}\n');
  assert.deepEqual((await collect(readPairs({ jsonl: j }))).map((x) => x.tgt), ['z']);
  const missing = join(tmp.dir, 'nope.tsv');
  await assert.rejects(collect(readPairs({ tsv: missing })), (e: unknown) => e instanceof UserError && e.message === `${missing}: no such file (TSV input); check the path`);
});
