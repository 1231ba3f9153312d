import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, rangeText, type FlagSpec } from '../../src/cli/args.js';
import { UserError } from '../../src/util/errors.js';

const SPECS: Record<string, FlagSpec> = {
  model: { type: 'string', repeatable: true, help: 'a run folder; repeat for several' },
  beam: { type: 'int', min: 1, max: 10, default: 5, help: 'beam' },
  p: { type: 'number', min: 0, below: 1, help: 'probability' },
  lr: { type: 'number', above: 0, help: 'learning rate' },
  fast: { type: 'bool', help: 'go fast' },
};

test('parseFlags: repeatable flags collect an array; others may be given once', () => {
  assert.deepEqual(parseFlags('x', ['--model', 'a', '--model=b'], SPECS).flags['model'], ['a', 'b']);
  assert.equal(parseFlags('x', [], SPECS).flags['model'], undefined);
  for (const argv of [['--beam', '2', '--beam', '3'], ['--fast', '--fast'], ['--p=0.1', '--p', '0.2']]) {
    assert.throws(() => parseFlags('x', argv, SPECS), (e) => e instanceof UserError && /^s2s x: --\w+ given twice; give it once$/.test(e.message), argv.join(' '));
  }
});

test('parseFlags: values outside a flag\'s range are refused, naming the range; bounds are honoured exactly', () => {
  const bad: [string[], string][] = [
    [['--beam', '0'], 's2s x: --beam must be between 1 and 10, got 0'],
    [['--beam', '11'], 's2s x: --beam must be between 1 and 10, got 11'],
    [['--p', '1'], 's2s x: --p must be in [0, 1), got 1'],
    [['--p', '-0.01'], 's2s x: --p must be in [0, 1), got -0.01'],
    [['--lr', '0'], 's2s x: --lr must be > 0, got 0'],
  ];
  for (const [argv, msg] of bad) assert.throws(() => parseFlags('x', argv, SPECS), (e) => e instanceof UserError && e.message === msg, argv.join(' '));
  assert.throws(() => parseFlags('x', ['--lr='], SPECS), (e) => e instanceof UserError && e.message === "s2s x: --lr expects a number, got ''");
  assert.throws(() => parseFlags('x', ['--beam', ' '], SPECS), /--beam expects an integer/);
  const ok = parseFlags('x', ['--beam', '10', '--p', '0', '--lr', '1e-9'], SPECS).flags;
  assert.deepEqual([ok['beam'], ok['p'], ok['lr']], [10, 0, 1e-9]);
  assert.equal(rangeText({ type: 'number', above: 0, max: 1, help: '' }), 'in (0, 1]');
  assert.equal(rangeText({ type: 'number', max: 3, help: '' }), '≤ 3');
  assert.equal(rangeText({ type: 'string', help: '' }), '');
  // A default outside its own range is a programming error, caught on first use.
  assert.throws(() => parseFlags('x', [], { n: { type: 'int', min: 1, default: 0, help: '' } }), /default of --n \(0\) is not ≥ 1/);
});
