import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { loadCodecs } from '../../src/data/index.js';
import { tempDir } from './helpers.js';

const MAIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const tmp = tempDir('s2s-prepare-');
after(tmp.cleanup);

function s2s(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** n distinct pairs (with a double space that cleaning folds). */
function corpus(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `item ${i} is  ready\tEintrag ${i} ist bereit`);
}

test('prepare: writes the DATA folder, counts drops, learns codecs from train only', async () => {
  const input = join(tmp.dir, 'in.tsv');
  // lines 401–403: a duplicate (after folding), an empty source, a malformed line
  writeFileSync(input, [...corpus(400), 'item 0 is ready\tEintrag 0 ist bereit', ' \tleer', 'no tab'].join('\n') + '\n');
  const out = join(tmp.dir, 'data');
  const bad = s2s('prepare', '--tsv', input, '--out', out);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `error: ${input}:403: expected exactly one tab (source<TAB>target), found 0; fix or remove the line, or pass --skip-bad-lines\n`);
  assert.ok(!existsSync(join(out, 'train.tsv')) && readdirSync(out).length === 0, 'no partial output');

  const r = s2s('prepare', '--tsv', input, '--out', out, '--skip-bad-lines', '--tokenizer', 'bpe', '--merges', '30', '--split', '0.8,0.1,0.1', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.counts.dropped, { empty: 1, tooShort: 0, tooLong: 0, ratio: 0, duplicate: 1 });
  assert.equal(report.counts.read, 402);
  assert.equal(report.counts.badLines, 1);
  assert.equal(r.stderr, `warning: skipped 1 malformed line (first: ${input}:403: expected exactly one tab (source<TAB>target), found 0)\n`);
  assert.equal(report.counts.kept, 400);
  const w = report.counts.written;
  assert.equal(w.train + w.valid + w.test, 400);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'prepare.json'), 'utf8')), report);
  assert.deepEqual(readdirSync(out).sort(), ['codecs.json', 'prepare.json', 'test.tsv', 'train.tsv', 'valid.tsv']);
  const train = readFileSync(join(out, 'train.tsv'), 'utf8').trimEnd().split('\n');
  assert.equal(train.length, w.train);
  assert.match(train[0]!, /^item \d+ is ready\tEintrag \d+ ist bereit$/, 'whitespace folded');
  const codecs = await loadCodecs(join(out, 'codecs.json'));
  assert.equal(report.codecs.srcMerges, 30);
  assert.equal(codecs.src.decode(codecs.src.encode('item 7 is ready')), 'item 7 is ready');

  // Adding data never moves an existing pair to another split.
  const more = join(tmp.dir, 'more.tsv');
  writeFileSync(more, corpus(1200).reverse().join('\n') + '\n');
  const out2 = join(tmp.dir, 'data2');
  const r2 = s2s('prepare', '--tsv', more, '--out', out2, '--tokenizer', 'word', '--split', '0.8,0.1,0.1');
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /^read {5}1200 pairs\ndropped  empty 0, too-short 0, too-long 0, ratio 0, duplicate 0\nwritten  train \d+, valid \d+, test \d+\ncodecs   word, vocab src \d+, tgt \d+\n/);
  const test2 = new Set(readFileSync(join(out2, 'test.tsv'), 'utf8').split('\n'));
  for (const line of readFileSync(join(out, 'test.tsv'), 'utf8').trimEnd().split('\n')) assert.ok(test2.has(line), line);
});

test('prepare: parallel files and gettext .po inputs', () => {
  const en = join(tmp.dir, 'p.en');
  const de = join(tmp.dir, 'p.de');
  writeFileSync(en, 'one\ntwo\n');
  writeFileSync(de, 'eins\nzwei\n');
  const r = s2s('prepare', '--src', en, '--tgt', de, '--out', join(tmp.dir, 'par'), '--tokenizer', 'char', '--split', '1,0,0', '--shared-vocab', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).counts.written, { train: 2, valid: 0, test: 0 });
  assert.equal(readFileSync(join(tmp.dir, 'par', 'valid.tsv'), 'utf8'), '');
  const po = join(tmp.dir, 'de.po');
  writeFileSync(po, 'msgid "Open file"\nmsgstr "Datei öffnen"\n\n#, fuzzy\nmsgid "Close"\nmsgstr "Schließen"\n');
  const g = s2s('prepare', '--gettext', po, '--out', join(tmp.dir, 'po'), '--split', '1,0,0', '--json');
  assert.equal(g.code, 0, g.stderr);
  assert.equal(readFileSync(join(tmp.dir, 'po', 'train.tsv'), 'utf8'), 'Open file\tDatei öffnen\n');
});

test('prepare: user errors are one line on stderr and exit code 2', () => {
  const input = join(tmp.dir, 'ok.tsv');
  writeFileSync(input, 'a\tb\n');
  const cases: [string[], RegExp][] = [
    [['--tsv', input, '--out', tmp.dir, '--bogus'], /^error: s2s prepare: unknown flag --bogus; valid flags: --tsv /],
    [['--tsv', input, '--out', tmp.dir, '--split', '0.9,0.2'], /^error: --split '0\.9,0\.2': expected three non-negative fractions/],
    [['--tsv', join(tmp.dir, 'missing.tsv'), '--out', join(tmp.dir, 'x')], /^error: .*missing\.tsv: no such file \(TSV input\); check the path\n$/],
    [['--tsv', input, '--out', tmp.dir, '--tokenizer', 'sentencepiece'], /^error: s2s prepare: --tokenizer must be one of space\|char\|word\|bpe, got 'sentencepiece'\n$/],
    [['--out', tmp.dir], /^error: s2s prepare: give exactly one input: /],
    [['--tsv', input], /^error: s2s prepare: --out DATA is required/],
  ];
  for (const [args, pattern] of cases) {
    const r = s2s('prepare', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
  }
  const help = s2s('prepare', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--skip-bad-lines/);
});

test('prepare: --skip-bad-lines warns once on stderr with the count and the first bad line', () => {
  const input = join(tmp.dir, 'bad.jsonl');
  writeFileSync(input, ['{"src": "a b", "tgt": "c d"}', '{oops', '{"src": "e f", "tgt": "g h"}', '{"src": 1}', '[]'].join('\n') + '\n');
  const r = s2s('prepare', '--jsonl', input, '--out', join(tmp.dir, 'badj'), '--skip-bad-lines', '--tokenizer', 'space', '--split', '1,0,0');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^read {5}2 pairs, skipped 3 bad lines\n/);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, new RegExp(`^warning: skipped 3 malformed lines \\(first: ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON [^;]*\\)$`));
});

/** A corpus of distinct pairs over a small vocabulary, so the codecs' own memory stays small. */
async function writeBigCorpus(path: string, lines: number): Promise<void> {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon'];
  let state = 1;
  const pick = (): string => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return words[Math.floor((state / 2 ** 32) * words.length)]!;
  };
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const src = Array.from({ length: 12 }, pick).join(' ');
    const tgt = Array.from({ length: 12 }, pick).join(' ').toUpperCase();
    if (!out.write(`${src}\t${tgt}\n`)) await once(out, 'drain');
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

test('prepare: memory does not grow with the corpus (200k lines, 25 MB, in a 32 MB heap)', async () => {
  // Holding the train split (as prepare once did) needs a heap of about 100–128 MB on this
  // corpus and dies at 96 MB; streaming it back to learn the codecs runs in 8 MB.
  const input = join(tmp.dir, 'big.tsv');
  await writeBigCorpus(input, 200_000);
  const out = join(tmp.dir, 'big');
  const r = spawnSync(process.execPath, ['--max-old-space-size=32', MAIN, 'prepare', '--tsv', input, '--out', out, '--merges', '50', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const report = JSON.parse(r.stdout);
  assert.equal(report.counts.read, 200_000);
  const w = report.counts.written;
  assert.equal(w.train + w.valid + w.test + report.counts.dropped.duplicate, 200_000);
  assert.ok(w.train > 170_000);
  assert.equal(report.codecs.srcMerges, 50);
});
