/**
 * Decoding memory is proportional to what a decode returns: attention rows only when asked for,
 * beam histories as back-pointers. The back-pointer beam search returns exactly what the old one
 * (test/decode/beam-reference.ts, copying every history each step) returned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/tensor/index.js';
import { beamSearch } from '../../src/decode/index.js';
import { digitPairs, tokenBatch } from '../models/helpers.js';
import { referenceBeamSearch } from './beam-reference.js';
import { randomModel } from './helpers.js';

test('back-pointer beam search returns what the history-copying one did (tokens, scores, attention)', () => {
  let compared = 0;
  for (const attention of ['none', 'general', 'bahdanau'] as const) {
    const model = randomModel(attention, 21);
    const batch = tokenBatch(digitPairs(new Rng(22), 7, 'copy', 1, 9));
    for (const [beam, nBest, alpha] of [[2, 1, 0], [3, 3, 0], [5, 2, 0.6], [5, 5, 1], [4, 1, 2]] as const) {
      const opts = { beam, nBest, lengthPenalty: alpha, maxLenA: 1.5, maxLenB: 2 };
      const want = referenceBeamSearch(model, batch, opts);
      const got = beamSearch(model, batch, { ...opts, attention: true });
      const lean = beamSearch(model, batch, opts);
      assert.deepEqual(got, want, `${attention} beam ${beam} nBest ${nBest} α ${alpha}`);
      assert.deepEqual(lean, want.map((hs) => hs.map((h) => ({ ...h, attention: [] }))));
      compared += want.flat().length;
    }
  }
  assert.ok(compared > 100, `compared ${compared} hypotheses`);
});

/** Runs long-decode-child.js under --expose-gc and returns its measurement. */
function longDecode(mode: 'greedy' | 'beam', attention: 'on' | 'off'): { tokens: number; ms: number; peakGrowth: number } {
  const child = fileURLToPath(new URL('./long-decode-child.js', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', child, mode, attention], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { tokens: number; ms: number; peakGrowth: number };
}

for (const mode of ['greedy', 'beam'] as const) {
  test(`${mode}: a 3,000-token source on a model that never ends decodes 6,000 steps in a few MB`, () => {
    const r = longDecode(mode, 'off');
    assert.equal(r.tokens, 6000, 'ran to the length limit 2·3000 + 0');
    // Attention rows alone would be 6,000 × 3,000 × 4 B = 72 MB; before the fix beam 5 peaked at 146 MB here.
    assert.ok(r.peakGrowth < 24 * 2 ** 20, `heap grew ${(r.peakGrowth / 2 ** 20).toFixed(1)} MB`);
  });
}
