import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../src/platform/node-safetensors.js';
import { copyPairs, tempDir, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const TINY = ['--emb', '16', '--hidden', '32', '--dropout', '0', '--backend', 'js', '--batch-tokens', '150', '--lr', '0.01'];

/**
 * Starts `s2s ARGS` in a child process, waits until the run's log.jsonl has more than `lines`
 * lines, sends SIGINT and resolves with the exit code and stderr.
 */
async function trainThenInterrupt(args: string[], logPath: string, lines: number, pollMs: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, pollMs));
    if (existsSync(logPath) && readFileSync(logPath, 'utf8').split('\n').length > lines) break;
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stderr };
}

function s2s(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input: input ?? '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: user mistakes print one line and exit 2', () => {
  const d = tempDir('s2s-cli-err-');
  try {
    const tsv = join(d.dir, 't.tsv');
    writeTsv(tsv, copyPairs(10, 1));
    writeFileSync(join(d.dir, 'bad.tsv'), 'no tab here\n');
    const cases: [string[], RegExp][] = [
      [['train', '--bogus'], /unknown flag --bogus/],
      [['train', '--train', tsv, '--valid', tsv], /--out is required/],
      [['train', '--train', tsv, '--out', d.dir], /--valid is required/],
      [['train', '--train', join(d.dir, 'missing.tsv'), '--valid', tsv, '--out', join(d.dir, 'r')], /missing\.tsv: no such file/],
      [['train', '--train', join(d.dir, 'bad.tsv'), '--valid', tsv, '--out', join(d.dir, 'r')], /bad\.tsv:1: expected exactly one tab/],
      [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'r'), '--arch', 'cnn'], /--arch must be one of lstm\|gru\|rnn\|transformer/],
      [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'r'), '--lr', 'fast'], /--lr expects a number/],
      [['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'r'), '--resume'], /nothing to resume|holds no train-state/],
      [['translate'], /--model is required/],
      [['translate', '--model', join(d.dir, 'nope')], /no such run folder/],
      [['translate', '--model', d.dir], /config\.json: cannot read the run config/],
      [['translate', '--model', d.dir, '--beam', '2', '--n-best', '3'], /--n-best must be between 1 and --beam/],
      [['bench', 'nope'], /unknown suite 'nope'/],
    ];
    for (const [args, re] of cases) {
      const r = s2s(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    }
  } finally {
    d.cleanup();
  }
});

test('CLI: s2s train + s2s translate on a copy task (text and JSON output)', () => {
  const d = tempDir('s2s-cli-e2e-');
  try {
    const pairs = copyPairs(300, 2);
    writeTsv(join(d.dir, 'train.tsv'), pairs.slice(40));
    writeTsv(join(d.dir, 'valid.tsv'), pairs.slice(0, 40));
    const out = join(d.dir, 'run');
    const t = s2s(['train', '--train', join(d.dir, 'train.tsv'), '--valid', join(d.dir, 'valid.tsv'), '--out', out, ...TINY, '--max-steps', '40', '--valid-every', '20', '--metric', 'bleu']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /done \(max-steps\) after 40 steps/);
    for (const f of ['config.json', 'model.safetensors', 'model.best.safetensors', 'train-state.json', 'train-state.safetensors', 'log.jsonl']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const v = log.filter((e) => e.type === 'valid');
    assert.deepEqual(v.map((e) => e.step), [20, 40]);
    assert.ok(v.every((e) => typeof e.bleu === 'number' && typeof e.exact === 'number' && e.ppl > 1));
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(cfg.model.hidden, 32);
    assert.equal(cfg.codecs.src.tokenizer.type, 'space');

    const inputs = 'a b c\nh g\n\nd e f g\n';
    const tr = s2s(['translate', '--model', out, '--beam', '3', '--backend', 'js'], inputs);
    assert.equal(tr.code, 0, tr.stderr);
    const lines = tr.stdout.split('\n');
    assert.equal(lines.length, 5); // 4 outputs + trailing newline
    assert.ok(lines.slice(0, 4).every((l) => /^[a-h ]*$/.test(l)), tr.stdout);
    const js = s2s(['translate', '--model', out, '--beam', '3', '--n-best', '2', '--json', '--backend', 'js'], inputs);
    assert.equal(js.code, 0, js.stderr);
    const rows = js.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 4);
    assert.equal(rows[0].source, 'a b c');
    assert.equal(rows[0].hypotheses.length, 2);
    assert.equal(rows[0].hypotheses[0].text, lines[0]);
    assert.ok(rows[0].hypotheses[0].score >= rows[0].hypotheses[1].score);
    const att = rows[0].hypotheses[0].attention;
    assert.equal(att.length, rows[0].hypotheses[0].tokens.length);
    if (att.length > 0) assert.equal(att[0].length, 3);
    // An empty line is not decoded: empty text, and in JSON no tokens, score 0, no attention.
    assert.equal(lines[2], '');
    assert.deepEqual(rows[2], { source: '', source_tokens: [], hypotheses: [{ text: '', score: 0, tokens: [], attention: [] }] });
    const greedyOut = s2s(['translate', '--model', out, '--beam', '1', '--backend', 'js'], '\n\na b\n');
    assert.equal(greedyOut.code, 0, greedyOut.stderr);
    assert.deepEqual(greedyOut.stdout.split('\n').slice(0, 2), ['', '']);
  } finally {
    d.cleanup();
  }
});

test('CLI: SIGINT saves and exits 130; --resume finishes the run', async () => {
  const d = tempDir('s2s-cli-sig-');
  try {
    const pairs = copyPairs(300, 3);
    writeTsv(join(d.dir, 'train.tsv'), pairs.slice(40));
    writeTsv(join(d.dir, 'valid.tsv'), pairs.slice(0, 40));
    const out = join(d.dir, 'run');
    const args = ['train', '--train', join(d.dir, 'train.tsv'), '--valid', join(d.dir, 'valid.tsv'), '--out', out, ...TINY, '--valid-every', '100000', '--log-every', '1'];
    // Wait until a few steps are logged, then interrupt.
    const { code, stderr } = await trainThenInterrupt([...args, '--max-steps', '100000'], join(out, 'log.jsonl'), 5, 50);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopped by SIGINT at step \d+; saved/);
    const state = JSON.parse(readFileSync(join(out, 'train-state.json'), 'utf8'));
    assert.ok(state.step >= 5);
    assert.equal(state.stopped, 'SIGINT');
    const r = s2s([...args, '--max-steps', String(state.step + 5), '--resume']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`resumed at step ${state.step}`));
    assert.equal(JSON.parse(readFileSync(join(out, 'train-state.json'), 'utf8')).step, state.step + 5);
  } finally {
    d.cleanup();
  }
});

test('CLI: --resume alone takes the run\'s saved flags (lr, batching, validation) and matches an uninterrupted run', async () => {
  const d = tempDir('s2s-cli-resume-flags-');
  try {
    const pairs = copyPairs(300, 4);
    writeTsv(join(d.dir, 'train.tsv'), pairs.slice(40));
    writeTsv(join(d.dir, 'valid.tsv'), pairs.slice(0, 40));
    const flags = ['--train', join(d.dir, 'train.tsv'), '--valid', join(d.dir, 'valid.tsv'), '--emb', '16', '--hidden', '32', '--dropout', '0.1', '--backend', 'js',
      '--lr', '0.02', '--batch-tokens', '100', '--valid-every', '7', '--log-every', '1', '--valid-decode', '5', '--max-steps', '300'];
    const a = join(d.dir, 'a');
    const full = s2s(['train', '--out', a, ...flags]);
    assert.equal(full.code, 0, full.stderr);
    const b = join(d.dir, 'b');
    const { code, stderr } = await trainThenInterrupt(['train', '--out', b, ...flags], join(b, 'log.jsonl'), 10, 20);
    assert.equal(code, 130, stderr);
    assert.match(stderr, new RegExp(`Continue with: s2s train --out ${b.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} --resume`));
    const stoppedAt = JSON.parse(readFileSync(join(b, 'train-state.json'), 'utf8')).step;
    assert.ok(stoppedAt < 300);
    const r = s2s(['train', '--out', b, '--resume']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /done \(max-steps\) after 300 steps/);
    const log = (dir: string): { type: string; step: number; loss: number }[] =>
      readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const pick = (dir: string, type: string): [number, number][] => log(dir).filter((e) => e.type === type).map((e) => [e.step, e.loss]);
    assert.deepEqual(pick(b, 'train'), pick(a, 'train'));
    assert.deepEqual(pick(b, 'valid'), pick(a, 'valid'));
    const wa = readSafetensors(join(a, 'model.safetensors')).tensors;
    const wb = readSafetensors(join(b, 'model.safetensors')).tensors;
    for (const [name, t] of wa) assert.deepEqual(wb.get(name)!.data, t.data, name);
    // A conflicting architecture flag is one line and exit 2; a new limit is taken.
    const bad = s2s(['train', '--out', b, '--resume', '--hidden', '64']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /hidden 32, not 64/);
    const more = s2s(['train', '--out', b, '--resume', '--max-steps', '305']);
    assert.equal(more.code, 0, more.stderr);
    assert.equal(JSON.parse(readFileSync(join(b, 'train-state.json'), 'utf8')).step, 305);
    assert.equal(JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')).training.lr, 0.02);
  } finally {
    d.cleanup();
  }
});

test('CLI: train --skip-bad-lines reports the count; a NaN stop names a checkpoint only when one exists', () => {
  const d = tempDir('s2s-cli-g5-');
  try {
    const tsv = join(d.dir, 't.tsv');
    writeTsv(tsv, copyPairs(100, 1));
    writeFileSync(join(d.dir, 'bad.tsv'), readFileSync(tsv, 'utf8') + 'no tab here\na\tb\tc\n');
    const small = ['--emb', '16', '--hidden', '32', '--backend', 'js'];
    const skip = s2s(['train', '--train', join(d.dir, 'bad.tsv'), '--valid', tsv, '--out', join(d.dir, 'r1'), ...small, '--max-steps', '2', '--skip-bad-lines']);
    assert.equal(skip.code, 0, skip.stderr);
    assert.match(skip.stderr, /bad\.tsv: skipped 2 malformed lines \(first: .*bad\.tsv:101: expected exactly one tab/);
    // lr 1e38: the first update overflows the weights, every later loss is NaN; nothing was saved yet.
    const nan = s2s(['train', '--train', tsv, '--valid', tsv, '--out', join(d.dir, 'r2'), ...small, '--lr', '1e38', '--clip', '0', '--max-nan', '2', '--max-steps', '50']);
    assert.equal(nan.code, 1, nan.stderr);
    assert.match(nan.stderr, /the loss was not finite 2 steps in a row/);
    assert.doesNotMatch(nan.stderr, /last good checkpoint/);
    assert.ok(!existsSync(join(d.dir, 'r2', 'model.safetensors')));
    const help = s2s(['train', '--help']);
    assert.match(help.stdout, /--skip-bad-lines/);
    assert.doesNotMatch(help.stdout, /needs emb = hidden/);
  } finally {
    d.cleanup();
  }
});
