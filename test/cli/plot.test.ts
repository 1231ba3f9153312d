import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../train/helpers.js';
import { parseXml, type XmlElement } from '../helpers/xml.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const TINY = ['--emb', '8', '--hidden', '8', '--dropout', '0', '--backend', 'js', '--max-steps', '2', '--valid-every', '2'];
const tmp = tempDir('s2s-plot-');
after(tmp.cleanup);

function s2s(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const byClass = (els: XmlElement[], cls: string): XmlElement[] => els.filter((e) => (e.attrs['class'] ?? '').split(' ').includes(cls));
const points = (e: XmlElement): number[][] => e.attrs['points']!.split(' ').map((p) => p.split(',').map(Number));

/** A run folder holding only a log.jsonl (and a config.json naming its --metric): all `plot curves` reads. */
function fakeRun(name: string, lines: object[], extra = '', metric?: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'log.jsonl'), lines.map((l) => JSON.stringify(l) + '\n').join('') + extra);
  if (metric) writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 's2s-run', training: { metric } }));
  return dir;
}

test('plot curves: the loss of each train line and the metric of each valid line, several runs on one chart', () => {
  const a = fakeRun('runs/a', [
    { type: 'train', step: 10, loss: 4 }, { type: 'train', step: 20, loss: 3 },
    { type: 'nan', step: 25, loss: 'NaN', streak: 1 },
    { type: 'valid', step: 20, loss: 3.5, ppl: 33, exact: 5, bleu: 12.5, best: true },
    { type: 'train', step: 30, loss: 2 }, { type: 'train', step: 40, loss: 1 },
    { type: 'valid', step: 40, loss: 2.5, ppl: 12, exact: 10, bleu: 25, best: true },
    { type: 'end', step: 40, reason: 'max-steps' },
  ], '{"type":"train","step":50,"lo', 'bleu'); // the last line, cut short by a kill, is ignored
  const b = fakeRun('other/b', [{ type: 'train', step: 10, loss: 5 }, { type: 'valid', step: 10, loss: 4.5, bleu: 1, best: true }, { type: 'train', step: 20, loss: 4.5 }, { type: 'valid', step: 20, loss: 4, bleu: 2, best: true }]);
  const out = join(tmp.dir, 'curves.svg');
  const r = s2s(['plot', 'curves', a, b, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `wrote ${out}: a 4 train + 2 valid points, b 2 train + 2 valid points\n`);
  const els = parseXml(readFileSync(out, 'utf8'));
  const train = els.filter((e) => e.tag === 'polyline' && e.attrs['class'] === 'train');
  const valid = els.filter((e) => e.tag === 'polyline' && e.attrs['class'] === 'valid');
  assert.equal(train.length, 2);
  assert.equal(valid.length, 2, "bleu (run a's --metric) for both runs");
  const [ta, tb] = train.map(points);
  assert.equal(ta!.length, 4);
  assert.equal(tb!.length, 2);
  // run a's losses 4, 3, 2, 1 at steps 10…40, on the loss axis as its ticks 0 and 4 place them
  const tickY = (label: string): number => Number(byClass(els, 'tick-left').find((t) => t.text === label)!.attrs['y']) - 4;
  const [y0, y4] = [tickY('0'), tickY('4')];
  for (const [i, loss] of [4, 3, 2, 1].entries()) {
    assert.ok(Math.abs(y0 + ((y4 - y0) * loss) / 4 - ta![i]![1]!) < 0.03, `loss ${loss} drawn at ${ta![i]![1]}`);
  }
  const step = (ta![1]![0]! - ta![0]![0]!);
  assert.ok(Math.abs(ta![3]![0]! - ta![0]![0]! - 3 * step) < 0.03);
  // bleu 12.5 and 25 (right axis): the second twice as far above the axis' 0 as the first
  const zero = byClass(els, 'tick-right').find((t) => t.text === '0')!;
  const r0 = Number(zero.attrs['y']) - 4;
  const [va] = valid.map(points);
  assert.ok(Math.abs((r0 - va![1]![1]!) - 2 * (r0 - va![0]![1]!)) < 0.03);
  assert.deepEqual(byClass(els, 'legend').map((t) => t.text), ['a: training loss', 'a: validation bleu (right axis)', 'b: training loss', 'b: validation bleu (right axis)']);
  assert.deepEqual(els.filter((e) => e.attrs['class'] === 'y-label').map((t) => t.text), ['loss', 'validation bleu']);
  assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.includes('.tmp')), [], 'no temp file left');

  // --metric loss: validation loss on the loss axis, no right axis
  const r2 = s2s(['plot', 'curves', a, '--metric', 'loss', '--out', out]);
  assert.equal(r2.code, 0, r2.stderr);
  const els2 = parseXml(readFileSync(out, 'utf8'));
  assert.equal(byClass(els2, 'tick-right').length, 0);
  assert.deepEqual(byClass(els2, 'legend').map((t) => t.text), ['training loss', 'validation loss']);
  assert.match(byClass(els2, 'title')[0]!.text, /^training loss and validation loss — a$/);
});

test('plot curves: mistakes are one line and exit 2, and say what to do', () => {
  const empty = join(tmp.dir, 'empty');
  mkdirSync(empty, { recursive: true });
  const a = fakeRun('err-a', [{ type: 'train', step: 10, loss: 4 }, { type: 'valid', step: 10, loss: 3, exact: 0 }]);
  const broken = fakeRun('err-b', [{ type: 'train', step: 10, loss: 4 }], 'oops\n{"type":"train","step":20,"loss":3}\n');
  const cases: [string[], RegExp][] = [
    [['plot', 'curves'], /^error: s2s plot curves: give one or more run folders/],
    [['plot', 'curves', join(tmp.dir, 'nope')], /nope: no such run folder; give the --out folder of s2s train\n$/],
    [['plot', 'curves', empty], /empty has no log\.jsonl; give a run folder of s2s train/],
    [['plot', 'curves', a, '--metric', 'bleu'], /err-a\/log\.jsonl has no 'bleu' in its validation lines; choose --metric loss\|exact\n$/],
    [['plot', 'curves', broken], /err-b\/log\.jsonl:2: not a JSON object/],
    [['plot', 'curves', a, '--out', tmp.dir], /is a folder; give a file name/],
    [['plot', 'curves', a, '--out', join(tmp.dir, 'no', 'such', 'x.svg')], /the folder .*no\/such does not exist/],
    [['plot', 'bars'], /^error: s2s plot: unknown plot 'bars'; valid plots: attention, curves\n$/],
  ];
  for (const [args, re] of cases) {
    const r = s2s(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

test('plot attention: one cell per (output, source) token of the translation, labelled with the escaped tokens', () => {
  const tsv = join(tmp.dir, 'tok.tsv');
  // space-separated tokens that need escaping in XML
  writeFileSync(tsv, ['<b> & "q"\t&lt; >', 'a <b>\t> a', '"q" a &\ta &lt;'].join('\n') + '\n');
  const run = join(tmp.dir, 'run-att');
  const t = s2s(['train', '--train', tsv, '--valid', tsv, '--out', run, ...TINY]);
  assert.equal(t.code, 0, t.stderr);
  const out = join(tmp.dir, 'att.svg');
  const input = '<b> & "q" a';
  const r = s2s(['plot', 'attention', '--model', run, input, '--out', out, '--beam', '2', '--backend', 'js']);
  assert.equal(r.code, 0, r.stderr);
  // the same translation that s2s translate gives, with its attention
  const j = spawnSync(process.execPath, [MAIN, 'translate', '--model', run, '--beam', '2', '--json', '--backend', 'js'], { encoding: 'utf8', input: input + '\n' });
  assert.equal(j.status, 0, j.stderr);
  const ref = JSON.parse(j.stdout) as { source_tokens: string[]; hypotheses: { text: string; tokens: string[]; attention: number[][] }[] };
  const hyp = ref.hypotheses[0]!;
  assert.equal(r.stdout, hyp.text + '\n');
  const svg = readFileSync(out, 'utf8');
  const els = parseXml(svg);
  assert.deepEqual(ref.source_tokens, ['<b>', '&', '"q"', 'a']);
  const cells = byClass(els, 'cell');
  assert.equal(cells.length, hyp.attention.length * 4);
  // a row per output token, and one for </s> when the search ended it (an untrained model may run to the length limit)
  const ended = hyp.attention.length === hyp.tokens.length + 1;
  assert.ok(ended || hyp.attention.length === hyp.tokens.length);
  const weights = cells.map((c) => Number(c.attrs['data-weight']));
  hyp.attention.flat().forEach((w, i) => assert.ok(Math.abs(weights[i]! - w) < 1e-3, `cell ${i}: ${weights[i]} vs ${w}`));
  assert.deepEqual(byClass(els, 'src').map((e) => e.text), ['<b>', '&', '"q"', 'a']);
  assert.deepEqual(byClass(els, 'out').map((e) => e.text), [...hyp.tokens, ...(ended ? ['</s>'] : [])]);
  assert.ok(svg.includes('&lt;b&gt;') && !svg.includes('<b>'), 'tokens escaped');
  assert.equal(r.stderr, `wrote ${out}: attention of ${hyp.attention.length} output × 4 source tokens\n`);
});

test('plot attention: a model without attention, a missing model, no input: one line, exit 2', () => {
  const tsv = join(tmp.dir, 'plain.tsv');
  writeFileSync(tsv, 'a b\tb a\nb a\ta b\n');
  const run = join(tmp.dir, 'run-noatt');
  const t = s2s(['train', '--train', tsv, '--valid', tsv, '--out', run, '--attention', 'none', ...TINY]);
  assert.equal(t.code, 0, t.stderr);
  const out = join(tmp.dir, 'noatt.svg');
  const cases: [string[], RegExp][] = [
    [['plot', 'attention', '--model', run, 'a b', '--out', out, '--backend', 'js'], /was trained without attention \(--attention none\), so there is nothing to draw; train a model with attention \(e\.g\. --attention general\)/],
    [['plot', 'attention', '--model', join(tmp.dir, 'nope'), 'a b'], /no such run folder/],
    [['plot', 'attention', '--model', run], /give one input sentence, quoted/],
    [['plot', 'attention', 'a b'], /--model is required/],
  ];
  for (const [args, re] of cases) {
    const r = s2s(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
  assert.ok(!existsSync(out), 'nothing written');
});
