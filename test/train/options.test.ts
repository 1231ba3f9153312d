import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveTrainOptions, savedTrainOptions, TRAIN_DEFAULTS, withBatchDefault, DEFAULT_BATCH_TOKENS } from '../../src/train/options.js';

test('resolveTrainOptions: defaults, then each layer in turn; an undefined field never hides what is below it', () => {
  const o = resolveTrainOptions({ lr: 0.5, clip: undefined }, { lr: undefined, seed: 7 });
  assert.equal(o.lr, 0.5);
  assert.equal(o.clip, TRAIN_DEFAULTS.clip);
  assert.equal(o.seed, 7);
  assert.equal(resolveTrainOptions({ lr: 0.5 }, { lr: 0.25 }).lr, 0.25);
  // a saved training block: unknown keys and nulls are left out
  assert.deepEqual(savedTrainOptions({ lr: 0.1, data: { train: 'x' }, metric: null, maxLen: 9 }), { lr: 0.1 });
  assert.equal(withBatchDefault(resolveTrainOptions()).batchTokens, DEFAULT_BATCH_TOKENS);
  assert.equal(withBatchDefault(resolveTrainOptions({ batchSize: 8 })).batchTokens, undefined);
});

test('the s2s train flags of training options take their defaults from TRAIN_DEFAULTS, never a literal', () => {
  const text = readFileSync('src/cli/train.ts', 'utf8');
  const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const literal: string[] = [];
  let checked = 0;
  for (const m of text.matchAll(/^\s*'?([a-z-]+)'?: \{ type: '[a-z]+',[^\n]*?default: ([^,]+),/gm)) {
    if (!(camel(m[1]!) in TRAIN_DEFAULTS)) continue;
    checked++;
    if (!m[2]!.startsWith('TRAIN_DEFAULTS.')) literal.push(`--${m[1]}: default ${m[2]}`);
  }
  assert.deepEqual(literal, []);
  assert.ok(checked >= 15, `only ${checked} training flags with defaults found; did the SPECS format change?`);
});
