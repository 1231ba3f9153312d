import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCodecs } from '../../src/data/index.js';
import { tempDir } from './helpers.js';

const MAIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const tmp = tempDir('s2s-prepare-given-');
after(tmp.cleanup);

function s2s(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

/** Three parts in three formats: train TSV, valid JSONL, test as two line-aligned files. */
function writeParts(): { train: string; valid: string; testSrc: string; testTgt: string } {
  const train = join(tmp.dir, 'train.tsv');
  // line 3 repeats line 1 (a duplicate); line 4 is longer than --max-len 3
  writeFileSync(train, ['ab ba\tAB BA', 'ba  ab\tBA AB', 'ab ba\tAB BA', 'ab ab ab ab\tAB AB AB AB', 'ba\tBA'].join('\n') + '\n');
  const valid = join(tmp.dir, 'valid.jsonl');
  // letters the train part never has (x y z, X Y Z), a repeated pair and a long one: all kept, in this order
  const v = [['zz y', 'ZZ Y'], ['ab', 'AB'], ['x x x x x', 'X X X X X'], ['ab', 'AB'], ['yx', 'YX']];
  writeFileSync(valid, v.map(([src, tgt]) => JSON.stringify({ src, tgt })).join('\n') + '\n');
  const testSrc = join(tmp.dir, 'test.src');
  const testTgt = join(tmp.dir, 'test.tgt');
  // the blank second line is an empty pair: dropped (and counted), the others stay in order
  writeFileSync(testSrc, 'yy\n\nb a\n');
  writeFileSync(testTgt, 'YY\n\nB A\n');
  return { train, valid, testSrc, testTgt };
}

test('prepare --train/--valid/--test: each part kept as given and in order, codecs learned from train alone, filters on train only', async () => {
  const p = writeParts();
  const out = join(tmp.dir, 'data');
  const r = s2s('prepare', '--train', p.train, '--valid', p.valid, '--test-src', p.testSrc, '--test-tgt', p.testTgt,
    '--out', out, '--tokenizer', 'char', '--max-len', '3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report, JSON.parse(readFileSync(join(out, 'prepare.json'), 'utf8')));
  assert.deepEqual(readdirSync(out).sort(), ['codecs.json', 'prepare.json', 'test.tsv', 'train.tsv', 'valid.tsv']);

  assert.deepEqual(lines(join(out, 'train.tsv')), ['ab ba\tAB BA', 'ba ab\tBA AB', 'ba\tBA']);
  assert.deepEqual(lines(join(out, 'valid.tsv')), ['zz y\tZZ Y', 'ab\tAB', 'x x x x x\tX X X X X', 'ab\tAB', 'yx\tYX']);
  assert.deepEqual(lines(join(out, 'test.tsv')), ['yy\tYY', 'b a\tB A']);

  assert.equal(report.options.split, 'given');
  assert.equal(report.options.seed, null);
  assert.deepEqual(report.input, { train: { tsv: p.train }, valid: { jsonl: p.valid }, test: { src: p.testSrc, tgt: p.testTgt } });
  assert.deepEqual(report.counts.written, { train: 3, valid: 5, test: 2 });
  assert.equal(report.counts.read, 13);
  assert.deepEqual(report.counts.dropped, { empty: 1, tooShort: 0, tooLong: 1, ratio: 0, duplicate: 1 });
  assert.equal(report.counts.kept, 10);
  assert.deepEqual(report.counts.parts.train, { read: 5, badLines: 0, dropped: { empty: 0, tooShort: 0, tooLong: 1, ratio: 0, duplicate: 1 }, kept: 3 });
  assert.deepEqual(report.counts.parts.valid, { read: 5, badLines: 0, dropped: { empty: 0, tooShort: 0, tooLong: 0, ratio: 0, duplicate: 0 }, kept: 5 });
  assert.deepEqual(report.counts.parts.test, { read: 3, badLines: 0, dropped: { empty: 1, tooShort: 0, tooLong: 0, ratio: 0, duplicate: 0 }, kept: 2 });

  // The codecs saw the train part only: its characters a, b and the space (4 specials first).
  const codecs = await loadCodecs(join(out, 'codecs.json'));
  assert.deepEqual(codecs.src.vocab.toJSON().tokens.slice(4).sort(), [' ', 'a', 'b']);
  assert.deepEqual(codecs.tgt.vocab.toJSON().tokens.slice(4).sort(), [' ', 'A', 'B']);
  assert.equal(report.codecs.srcVocab, 7);
  assert.deepEqual(codecs.src.encode('xa'), [1, codecs.src.vocab.id('a')], 'x, never seen in train, is <unk>');

  // BPE too: no merge, no subword from the valid/test parts' text.
  const bpeOut = join(tmp.dir, 'data-bpe');
  const b = s2s('prepare', '--train', p.train, '--valid', p.valid, '--test-src', p.testSrc, '--test-tgt', p.testTgt, '--out', bpeOut, '--merges', '50', '--json');
  assert.equal(b.code, 0, b.stderr);
  const bpe = await loadCodecs(join(bpeOut, 'codecs.json'));
  for (const t of bpe.src.vocab.toJSON().tokens.slice(4)) assert.match(t, /^[▁ab]+$/, `src token ${t} comes from the train part`);
  for (const t of bpe.tgt.vocab.toJSON().tokens.slice(4)) assert.match(t, /^[▁AB]+$/, `tgt token ${t} comes from the train part`);
  // ab ba ×2 (duplicate dropped → once), ba ab, ab ab ab ab, ba: without --max-len the long line is kept
  assert.deepEqual(JSON.parse(b.stdout).counts.written, { train: 4, valid: 5, test: 2 });
});

test('prepare --train/--valid: a folder train reads unchanged; without --test, test.tsv is empty', () => {
  const p = writeParts();
  const out = join(tmp.dir, 'data-nt');
  const r = s2s('prepare', '--train', p.train, '--valid', p.valid, '--out', out, '--tokenizer', 'char');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[2], 'written  train 4, valid 5, test 0');
  assert.equal(readFileSync(join(out, 'test.tsv'), 'utf8'), '');
  assert.equal(JSON.parse(readFileSync(join(out, 'prepare.json'), 'utf8')).input.test, null);
  const run = join(tmp.dir, 'run');
  const t = s2s('train', '--data', out, '--out', run, '--emb', '8', '--hidden', '8', '--max-steps', '2', '--valid-every', '2', '--backend', 'js');
  assert.equal(t.code, 0, t.stderr);
  assert.ok(existsSync(join(run, 'model.safetensors')));
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal(config.model.srcVocab, 7, 'the run uses the DATA folder codecs (4 specials + a, b, space)');
});

test('prepare --train/--valid/--test: mistakes are one line and exit code 2', () => {
  const p = writeParts();
  const txt = join(tmp.dir, 'train.txt');
  writeFileSync(txt, 'a\tb\n');
  const out = join(tmp.dir, 'err');
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const cases: [string[], RegExp][] = [
    [['--train', p.train, '--out', out], /^error: s2s prepare: the valid part is missing; a corpus that comes split needs --train and --valid/],
    [['--valid', p.valid, '--out', out], /^error: s2s prepare: the train part is missing/],
    [['--train', p.train, '--valid', p.valid, '--split', '0.8,0.1,0.1', '--out', out], /^error: s2s prepare: --split sets how one corpus is split, but --train\/--valid\/--test give the split; drop --split\n$/],
    [['--train', p.train, '--valid', p.valid, '--seed', '3', '--out', out], /^error: s2s prepare: --seed sets how one corpus is split/],
    [['--tsv', p.train, '--valid', p.valid, '--out', out], /^error: s2s prepare: --tsv \(one corpus to split\) and --valid \(a corpus already split\) do not go together/],
    [['--train', txt, '--valid', p.valid, '--out', out], new RegExp(`^error: s2s prepare: cannot tell the format of --train ${esc(txt)} from its name .*add --format tsv\\|jsonl\\|gettext`)],
    [['--train', p.train, '--valid', p.valid, '--format', 'csv', '--out', out], /^error: s2s prepare: --format must be one of tsv\|jsonl\|gettext, got 'csv'/],
    [['--train', p.train, '--train-src', p.testSrc, '--valid', p.valid, '--out', out], /^error: s2s prepare: the train part is given twice \(--train and --train-src\)/],
    [['--train', p.train, '--valid-src', p.testSrc, '--out', out], /^error: s2s prepare: --valid-src and --valid-tgt go together; give both files\n$/],
    [['--train', p.train, '--valid', join(tmp.dir, 'nope.tsv'), '--out', out], /^error: .*nope\.tsv: no such file \(TSV input\); check the path\n$/],
    [['--tsv', p.train, '--format', 'tsv', '--out', out], /^error: s2s prepare: --format names the format of --train\/--valid\/--test files/],
  ];
  for (const [args, pattern] of cases) {
    const r = s2s('prepare', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
  }
  assert.ok(!existsSync(join(out, 'train.tsv')), 'nothing written');
  // --format tells the format of a file whose name does not; a name that tells (valid.jsonl) still decides
  const ok = s2s('prepare', '--train', txt, '--valid', p.valid, '--format', 'tsv', '--out', join(tmp.dir, 'fmt'), '--tokenizer', 'char', '--json');
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).counts.written, { train: 1, valid: 5, test: 0 });
});
