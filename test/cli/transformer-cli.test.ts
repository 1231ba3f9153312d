/** s2s train --arch transformer: its flags reach config.json, the other family's flags are refused, translate and --resume work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPairs, tempDir, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: train --arch transformer with its flags, translate, resume; flags of the other family exit 2', () => {
  const d = tempDir('s2s-cli-tf-');
  try {
    const pairs = copyPairs(200, 4);
    const tsv = join(d.dir, 'train.tsv');
    const vtsv = join(d.dir, 'valid.tsv');
    writeTsv(tsv, pairs.slice(30));
    writeTsv(vtsv, pairs.slice(0, 30));
    const out = join(d.dir, 'run');
    const base = ['train', '--train', tsv, '--valid', vtsv, '--backend', 'js', '--batch-tokens', '150'];
    const t = s2s([...base, '--out', out, '--arch', 'transformer', '--enc-layers', '1', '--dec-layers', '2', '--emb', '16', '--heads', '2', '--ffn', '24',
      '--activation', 'gelu', '--post-norm', '--learned-positions', '--max-positions', '64', '--attention-dropout', '0.1', '--activation-dropout', '0.05',
      '--tie-embeddings=false', '--max-steps', '6', '--valid-every', '3']);
    assert.equal(t.code, 0, t.stderr);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.deepEqual(
      { ...cfg.model, srcVocab: 0, tgtVocab: 0 },
      { arch: 'transformer', layers: 1, decoderLayers: 2, emb: 16, heads: 2, ffn: 24, activation: 'gelu', postNorm: true, positions: 'learned', maxPositions: 64,
        dropout: 0.1, attentionDropout: 0.1, activationDropout: 0.05, srcVocab: 0, tgtVocab: 0, tieEmbeddings: false, shareEmbeddings: false },
    );
    assert.equal(cfg.training.schedule, 'noam');
    assert.equal(cfg.training.labelSmoothing, 0.1);
    const tr = s2s(['translate', '--model', out, '--beam', '2', '--json', '--backend', 'js'], 'a b c\nd e\n');
    assert.equal(tr.code, 0, tr.stderr);
    const rows = tr.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 2);
    const h = rows[0].hypotheses[0];
    assert.equal(h.attention.length, h.tokens.length);
    const res = s2s(['train', '--out', out, '--resume', '--max-steps', '9']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /done \(max-steps\) after 9 steps/);
    const refuse = s2s(['train', '--out', out, '--resume', '--heads', '4']);
    assert.equal(refuse.code, 2);
    assert.match(refuse.stderr, /saved model has heads 2, not 4/);

    for (const [args, re] of [
      [[...base, '--out', join(d.dir, 'x'), '--arch', 'transformer', '--hidden', '32'], /--hidden is a flag of the RNN models/],
      [[...base, '--out', join(d.dir, 'y'), '--arch', 'gru', '--heads', '4'], /--heads is a flag of the Transformer; give --arch transformer/],
      [[...base, '--out', join(d.dir, 'z'), '--arch', 'transformer', '--emb', '10', '--heads', '4'], /emb 10 must be divisible by heads 4/],
      [[...base, '--out', join(d.dir, 'w'), '--arch', 'transformer', '--activation', 'tanh'], /--activation must be one of relu\|gelu/],
      [[...base, '--out', join(d.dir, 'v'), '--layers', '2', '--enc-layers', '1'], /--layers and --enc-layers both/],
    ] as const) {
      const r = s2s([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  } finally {
    d.cleanup();
  }
});
