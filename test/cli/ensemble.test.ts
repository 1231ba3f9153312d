import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCodecs } from '../../src/data/index.js';
import { loadEnsemble, loadRun, trainRun } from '../../src/train/index.js';
import { UserError } from '../../src/util/errors.js';
import { copyPairs, tempDir, TINY_MODEL } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[], input: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('translate --model A --model B: an ensemble (CLI and library); two copies of a run decode as the run; codecs must match', async () => {
  const d = tempDir('s2s-ensemble-');
  try {
    const pairs = copyPairs(120, 9);
    const train = pairs.slice(20);
    const valid = pairs.slice(0, 20);
    const codecs = buildCodecs(train, { tokenizer: 'space' });
    const a = join(d.dir, 'a');
    const b = join(d.dir, 'b');
    const opts = { batchTokens: 120, lr: 0.02, validEvery: 6, maxSteps: 6, validDecode: 5 };
    await trainRun({ out: a, codecs, train, valid, model: TINY_MODEL, options: { ...opts, seed: 1 }, progress: false, say: () => {} });
    await trainRun({ out: b, codecs, train, valid, model: { ...TINY_MODEL, arch: 'gru' }, options: { ...opts, seed: 2 }, progress: false, say: () => {} });
    const input = 'a b c\nh g f e\n\nd\n';
    const flags = ['--backend', 'js', '--json', '--beam', '3', '--n-best', '2'];
    const single = s2s(['translate', '--model', a, ...flags], input);
    assert.equal(single.code, 0, single.stderr);
    const twice = s2s(['translate', '--model', a, '--model', a, ...flags], input);
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(twice.stdout, single.stdout, 'two copies of a run: the same hypotheses, scores and attention');
    // an LSTM and a GRU run of one vocabulary: an ensemble, one output line per input line
    const mixed = s2s(['translate', '--model', a, '--model', b, '--beam', '2', '--backend', 'js'], input);
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.equal(mixed.stdout.split('\n').length, 5);

    // the library: loadEnsemble
    const lines = ['a b c', 'e f'];
    const one = (await loadRun(a)).translate(lines, { beam: 3, nBest: 2 });
    const ens = await loadEnsemble([a, a]);
    assert.deepEqual(ens.translate(lines, { beam: 3, nBest: 2 }), one);
    assert.equal(ens.scorer.members.length, 2);

    // a run whose target codec spells one token differently: refused in one line, exit 2
    const c = join(d.dir, 'c');
    cpSync(a, c, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(c, 'config.json'), 'utf8'));
    const tokens: string[] = cfg.codecs.tgt.vocab.tokens;
    tokens[tokens.length - 1] = 'zz';
    writeFileSync(join(c, 'config.json'), JSON.stringify(cfg));
    const bad = s2s(['translate', '--model', a, '--model', c, '--backend', 'js'], input);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /c: its target codec differs from .*a's \(both \d+ tokens, spelled differently\); an ensemble's models must share both codecs/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    await assert.rejects(loadEnsemble([a, c]), (e: unknown) => e instanceof UserError && /target codec differs/.test(e.message));
  } finally {
    d.cleanup();
  }
});
