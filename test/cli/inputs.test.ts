/**
 * Plausible user mistakes and odd inputs end with one line and exit 2 (never a stack trace), and
 * values that would be accepted but wrong are refused: flag ranges, a flag given twice, a length
 * limit that drops every pair, unreadable files, codecs that do not fit the model, crafted weights,
 * a stray CR in the input, a closed stdout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPairs, tempDir, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input: input ?? '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts exit 2 with exactly one stderr line matching `re`. */
function refused(args: string[], re: RegExp, input?: string): void {
  const r = s2s(args, input);
  const what = args.join(' ');
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${what}: ${r.stderr}`);
  assert.match(r.stderr, /^error: /, what);
  assert.match(r.stderr, re, what);
}

const d = tempDir('s2s-cli-inputs-');
const tsv = join(d.dir, 't.tsv');
const run = join(d.dir, 'run');
before(() => {
  writeTsv(tsv, copyPairs(60, 5));
  const t = s2s(['train', '--train', tsv, '--valid', tsv, '--out', run, '--emb', '8', '--hidden', '16', '--backend', 'js', '--max-steps', '2', '--valid-every', '2', '--valid-decode', '2']);
  assert.equal(t.code, 0, t.stderr);
});
after(d.cleanup);

test('flags: every numeric flag has a range; out-of-range values exit 2 naming it', () => {
  const cases: [string[], RegExp][] = [
    [['translate', '--model', run, '--threads', '0'], /--threads must be between 1 and 256, got 0/],
    [['translate', '--model', run, '--threads', '-2'], /--threads must be between 1 and 256, got -2/],
    [['translate', '--model', run, '--max-len-a', '-1'], /--max-len-a must be ≥ 0, got -1/],
    [['translate', '--model', run, '--max-len-b', '-0.5'], /--max-len-b must be ≥ 0/],
    [['translate', '--model', run, '--length-penalty', '-1'], /--length-penalty must be ≥ 0/],
    [['translate', '--model', run, '--beam', '0'], /--beam must be between 1 and 1000, got 0/],
    [['translate', '--model', run, '--batch-size', '0'], /--batch-size must be ≥ 1/],
    [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'x'), '--decay', '-0.5'], /--decay must be in \(0, 1\], got -0\.5/],
    [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'x'), '--threads', '0'], /--threads must be between 1 and 256/],
    [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'x'), '--dropout', '1'], /--dropout must be in \[0, 1\), got 1/],
    [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'x'), '--lr', '0'], /--lr must be > 0/],
    [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'x'), '--max-len', '-1'], /--max-len must be ≥ 0/],
    [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'x'), '--seed', '-1'], /--seed must be between 0 and 4294967295/],
    [['prepare', '--tsv', tsv, '--out', join(d.dir, 'x'), '--merges', '-1'], /--merges must be ≥ 0/],
    [['prepare', '--tsv', tsv, '--out', join(d.dir, 'x'), '--max-ratio', '0.5'], /--max-ratio must be ≥ 1/],
    [['demo', '--seconds', '0'], /--seconds must be > 0/],
    [['demo', '--threads', '0'], /--threads must be between 1 and 256/],
    [['bench', 'data', '--lines', '0'], /--lines must be ≥ 1/],
    [['bench', 'train', '--beam', '0'], /--beam must be between 1 and 1000/],
    [['bench', 'gemm', '--reps', '0'], /--reps must be ≥ 1/],
  ];
  for (const [args, re] of cases) refused(args, re);
  assert.ok(!existsSync(join(d.dir, 'x')), 'nothing was written');
  // The ranges are in the help text.
  assert.match(s2s(['translate', '--help']).stdout, /--max-len-a NUMBER .*\(≥ 0, default 2\)/);
});

test('flags: a flag given twice is an error unless it is repeatable', () => {
  refused(['translate', '--model', run, '--beam', '2', '--beam', '3'], /--beam given twice; give it once/);
  refused(['train', '--train', tsv, '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'y')], /--train given twice/);
  refused(['prepare', '--tsv', tsv, '--out', join(d.dir, 'y'), '--shared-vocab', '--shared-vocab'], /--shared-vocab given twice/);
  const ok = s2s(['eval', '--hyp', tsv, '--ref', tsv, '--ref', tsv, '--metric', 'exact', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).refs, [tsv, tsv]);
});

test('train: a --max-len that drops every pair exits 2 before training, writing nothing', () => {
  const out = join(d.dir, 'dropped');
  refused(['train', '--train', tsv, '--valid', tsv, '--out', out, '--max-len', '1', '--backend', 'js'], /--max-len 1 drops all 60 training pairs .*raise --max-len, or give --max-len 0/);
  assert.ok(!existsSync(out), 'no run folder');
});

test('unreadable inputs: a folder given as a file, an I/O error, a DATA folder that is a file', () => {
  const folder = join(d.dir, 'folder');
  mkdirSync(folder, { recursive: true });
  refused(['train', '--train', folder, '--valid', tsv, '--out', join(d.dir, 'z')], /folder: is not a file/);
  refused(['translate', '--model', run, '--input', folder], /folder: is not a file \(translate --input\)/);
  refused(['eval', '--hyp', folder, '--ref', tsv], /folder: is a folder, not a file \(the hypothesis file of s2s eval\)/);
  refused(['prepare', '--tsv', tsv, '--out', tsv], /--out .*t\.tsv is a file: cannot create the DATA folder .*t\.tsv \(a file of that name exists\); choose another --out/);
  if (process.platform === 'linux') {
    // /proc/self/mem is a regular file whose first read fails (EIO): a read error after open, as EACCES would be.
    refused(['translate', '--model', run, '--input', '/proc/self/mem'], /\/proc\/self\/mem: cannot read \(input\/output error\)/);
    refused(['prepare', '--src', '/proc/self/mem', '--tgt', tsv, '--out', join(d.dir, 'p')], /cannot read \(input\/output error\)/);
  }
});

test('run folders: codecs larger than the model and crafted weights are one line, before any decoding', () => {
  const bigger = join(d.dir, 'bigger');
  cpSync(run, bigger, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(bigger, 'config.json'), 'utf8'));
  cfg.codecs.src.vocab.tokens.push('extra1', 'extra2');
  writeFileSync(join(bigger, 'config.json'), JSON.stringify(cfg));
  refused(['translate', '--model', bigger, '--backend', 'js'], /the source vocabulary has \d+ tokens but the model was built for \d+/, 'a b extra1\n');

  const crafted = join(d.dir, 'crafted');
  cpSync(run, crafted, { recursive: true });
  // 3,000 tensors on the same 1 MB range
  const header: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) header[`t${i}`] = { dtype: 'F32', shape: [262144], data_offsets: [0, 1 << 20] };
  const hb = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hb.length));
  for (const f of ['model.safetensors', 'model.best.safetensors']) writeFileSync(join(crafted, f), Buffer.concat([len, hb, Buffer.alloc(1 << 20)]));
  const t0 = Date.now();
  refused(['translate', '--model', crafted, '--backend', 'js'], /model\.best\.safetensors: not a valid safetensors file \(tensor 't1': .*overlap/, 'a b\n');
  assert.ok(Date.now() - t0 < 10_000);
});

test('translate: a lone CR is content (one output line per input line); CRLF input works', () => {
  const r = s2s(['translate', '--model', run, '--backend', 'js', '--beam', '1'], 'a b\rc d\r\ne f\ng\r\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length, 4, JSON.stringify(r.stdout)); // 3 outputs + trailing newline
  const js = s2s(['translate', '--model', run, '--backend', 'js', '--beam', '1', '--json'], 'a b\rc d\n');
  assert.equal(JSON.parse(js.stdout.trim()).source, 'a b\rc d');
});

test('prepare: paired --src/--tgt files with a stray CR stay aligned (5 lines, 5 pairs)', () => {
  const src = join(d.dir, 'cr.src');
  const tgt = join(d.dir, 'cr.tgt');
  writeFileSync(src, 'one\ntwo has\ra CR\nthree\nfour\nfive\n');
  writeFileSync(tgt, 'eins\nzwei\ndrei\nvier\nfünf\n');
  const out = join(d.dir, 'cr-data');
  const r = s2s(['prepare', '--src', src, '--tgt', tgt, '--out', out, '--tokenizer', 'space', '--split', '1,0,0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).counts.read, 5);
  const rows = readFileSync(join(out, 'train.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.deepEqual(rows.map(([s2, t2]) => [s2!.split(/\s/)[0], t2]).sort(), [['five', 'fünf'], ['four', 'vier'], ['one', 'eins'], ['three', 'drei'], ['two', 'zwei']]);
});

/** Runs `s2s ARGS` with stdin `input`, closes its stdout after the first chunk; resolves with exit code and stderr. */
function closedStdout(args: string[], input: string): Promise<{ code: number | null; stderr: string; got: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let got = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', (c: Buffer) => {
      got = c.toString();
      child.stdout.destroy();
    });
    child.stdin.on('error', () => {}); // the child may exit before reading all of its input
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code, stderr, got }));
  });
}

test('a closed stdout (s2s … | head -1) ends quietly with exit 0: translate, eval, prepare', async () => {
  const many = Array.from({ length: 3000 }, (_, i) => 'abcdefgh'[i % 8] + ' b c').join('\n') + '\n';
  for (const json of [false, true]) {
    const r = await closedStdout(['translate', '--model', run, '--backend', 'js', '--beam', '1', '--batch-size', '8', ...(json ? ['--json'] : [])], many);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(r.got.length > 0);
  }
  const e = await closedStdout(['eval', '--hyp', tsv, '--ref', tsv, '--metric', 'bleu,chrf,ter,exact'], '');
  assert.equal(e.code, 0, e.stderr);
  assert.equal(e.stderr, '');
  const p = await closedStdout(['prepare', '--tsv', tsv, '--out', join(d.dir, 'prep'), '--tokenizer', 'space'], '');
  assert.equal(p.code, 0, p.stderr);
  assert.ok(existsSync(join(d.dir, 'prep', 'codecs.json')), 'the files were written before the messages');
});
