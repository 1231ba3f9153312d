import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCodecs } from '../../src/data/index.js';
import { openRunFolder } from '../../src/platform/node-run-store.js';
import { readSafetensors } from '../../src/platform/node-safetensors.js';
import { decodeSafetensors } from '../../src/util/safetensors-decode.js';
import { encodeSafetensors } from '../../src/util/safetensors-encode.js';
import { UserError } from '../../src/util/errors.js';
import { averageRunCheckpoints, averageWeights, loadRun, RUN_FILES, trainRun } from '../../src/train/index.js';
import { copyPairs, tempDir, TINY_MODEL, writeTsv } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const pairs = copyPairs(160, 3);
const train = pairs.slice(30);
const valid = pairs.slice(0, 30);
const codecs = buildCodecs(train, { tokenizer: 'space' });
const OPTS = { batchTokens: 120, lr: 0.01, validEvery: 2, logEvery: 2, seed: 2, validDecode: 10, keepCheckpoints: 3 } as const;

const kept = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('model.step-')).sort((a, b) => parseInt(a.slice(11)) - parseInt(b.slice(11)));
const bytes = (data: Float32Array, shape: number[], name = 'w'): Uint8Array => Buffer.concat(encodeSafetensors([[name, { shape, data }]]));

test('--keep-checkpoints N keeps the last N checkpoints, per step, beside the latest; resume goes on keeping them', async () => {
  const d = tempDir('s2s-keep-');
  try {
    await trainRun({ out: d.dir, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, maxSteps: 10 }, progress: false, say: () => {} });
    assert.deepEqual(kept(d.dir), ['model.step-6.safetensors', 'model.step-8.safetensors', 'model.step-10.safetensors']);
    // the newest kept file is the latest checkpoint's weights, byte for byte
    assert.deepEqual(readFileSync(join(d.dir, 'model.step-10.safetensors')), readFileSync(join(d.dir, RUN_FILES.model)));
    const r = await trainRun({ out: d.dir, train, valid, resume: true, options: { maxSteps: 14 }, progress: false, say: () => {} });
    assert.equal(r.step, 14);
    assert.deepEqual(kept(d.dir), ['model.step-10.safetensors', 'model.step-12.safetensors', 'model.step-14.safetensors']);
    assert.equal(readSafetensors(join(d.dir, 'model.step-12.safetensors')).metadata['step'], '12');

    // averaging the last two is their element-wise mean, for every tensor
    const avg = averageRunCheckpoints(openRunFolder(d.dir, { create: false }), 2);
    assert.deepEqual(avg.checkpoints.map((k) => k.step), [12, 14]);
    const mean = decodeSafetensors(Buffer.concat(avg.bytes));
    const a = readSafetensors(join(d.dir, 'model.step-12.safetensors')).tensors;
    const b = readSafetensors(join(d.dir, 'model.step-14.safetensors')).tensors;
    assert.equal(mean.tensors.size, a.size);
    assert.equal(mean.metadata['averaged_steps'], '12,14');
    let differ = 0;
    for (const [name, t] of a) {
      const m = mean.tensors.get(name)!;
      assert.deepEqual(m.shape, t.shape, name);
      const tb = b.get(name)!.data;
      t.data.forEach((x, i) => {
        if (x !== tb[i]) differ++;
        assert.equal(m.data[i], Math.fround((x + tb[i]!) / 2), `${name}[${i}]`);
      });
    }
    assert.ok(differ > 0, 'the two checkpoints differ (training moved the weights)');
    assert.throws(() => averageRunCheckpoints(openRunFolder(d.dir, { create: false }), 4), /--last 4 asks for more checkpoints than the 3 kept \(steps 10, 12, 14\)/);

    // the CLI: default output inside the run, loadable with --weights average
    const s2s = (args: string[], input = ''): { code: number | null; stdout: string; stderr: string } => {
      const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input });
      return { code: p.status, stdout: p.stdout, stderr: p.stderr };
    };
    let c = s2s(['average', '--model', d.dir, '--last', '2']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, /averaged 2 checkpoints .*steps 12, 14.*--weights average/);
    assert.deepEqual(readFileSync(join(d.dir, RUN_FILES.average)), Buffer.concat(avg.bytes));
    const run = await loadRun(d.dir, { weights: 'average' });
    assert.equal(run.weightsFile, join(d.dir, RUN_FILES.average));
    // --out DIR: a run folder of its own (config + averaged weights) that translate loads
    const outDir = join(d.dir, '..', `${d.dir.split('/').pop()}-avg`);
    c = s2s(['average', '--model', d.dir, '--out', outDir]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(decodeSafetensors(readFileSync(join(outDir, RUN_FILES.model))).metadata['averaged_steps'], '10,12,14');
    c = s2s(['translate', '--model', outDir, '--backend', 'js', '--beam', '1'], 'a b c\n');
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.split('\n').length, 2);
    // again into the same folder: ours, so replaced
    assert.equal(s2s(['average', '--model', d.dir, '--last', '1', '--out', outDir]).code, 0);
    // never into a folder or file that is not ours; every refusal is one line, exit 2
    const foreign = join(outDir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine\n');
    writeFileSync(join(outDir, 'other.safetensors'), bytes(new Float32Array([1]), [1]));
    // an exported model of ours (config + best weights) is not an average output either
    const exported = join(outDir, 'exported');
    mkdirSync(exported);
    writeFileSync(join(exported, RUN_FILES.config), readFileSync(join(d.dir, RUN_FILES.config)));
    writeFileSync(join(exported, RUN_FILES.best), readFileSync(join(d.dir, RUN_FILES.best)));
    for (const [args, re] of [
      [['average', '--model', d.dir, '--out', foreign], /is never written to/],
      [['average', '--model', d.dir, '--out', join(outDir, 'other.safetensors')], /not a weights file written by s2s average/],
      [['average', '--model', d.dir, '--out', exported], /already holds a model .*which s2s average did not write/],
      [['average', '--model', d.dir, '--last', '9'], /asks for more checkpoints than the 3 kept/],
      [['average', '--model', outDir], /no kept checkpoints/],
      [['translate', '--model', outDir, '--weights', 'average'], /no model\.average\.safetensors; write it with: s2s average/],
    ] as [string[], RegExp][]) {
      const r2 = s2s(args);
      assert.equal(r2.code, 2, `${args.join(' ')}: ${r2.stderr}`);
      assert.match(r2.stderr, re);
      assert.equal(r2.stderr.trim().split('\n').length, 1, r2.stderr);
    }
    assert.deepEqual(readdirSync(foreign), ['notes.txt']);
    assert.deepEqual(readdirSync(exported).sort(), [RUN_FILES.config, RUN_FILES.best].sort());
    spawnSync('rm', ['-rf', outDir]);
  } finally {
    d.cleanup();
  }
});

test('averageWeights: N identical files give the same weights back, bit for bit; two files give the mean', () => {
  const w = new Float32Array([0.1, -2.5, 3.14159, 1e-8, -0, 7]);
  const v = new Float32Array([1, 2]);
  const file = Buffer.concat(encodeSafetensors([['enc.w', { shape: [2, 3], data: w }], ['dec.b', { shape: [2], data: v }]]));
  for (const n of [1, 2, 3, 7]) {
    const out = decodeSafetensors(Buffer.concat(averageWeights(Array.from({ length: n }, (_, i) => ({ label: `f${i}`, bytes: file })))));
    assert.deepEqual(out.tensors.get('enc.w')!.data, w);
    assert.deepEqual(out.tensors.get('dec.b')!.data, v);
    assert.deepEqual(out.tensors.get('enc.w')!.shape, [2, 3]);
  }
  // (1 + 4) / 2 = 2.5 and (−1 + 0.5) / 2 = −0.25, exactly representable
  const two = averageWeights([{ label: 'a', bytes: bytes(new Float32Array([1, -1]), [2]) }, { label: 'b', bytes: bytes(new Float32Array([4, 0.5]), [2]) }]);
  assert.deepEqual(Array.from(decodeSafetensors(Buffer.concat(two)).tensors.get('w')!.data), [2.5, -0.25]);
});

test('averageWeights refuses files that are not of one model, naming the tensor', () => {
  const a = { label: 'a.safetensors', bytes: bytes(new Float32Array([1, 2]), [2]) };
  const cases: [Uint8Array, RegExp][] = [
    [bytes(new Float32Array([1, 2]), [1, 2]), /b\.safetensors: tensor 'w' has shape \[1, 2\], a\.safetensors has \[2\]/],
    [bytes(new Float32Array([1, 2]), [2], 'v'), /b\.safetensors: tensor 'w' of a\.safetensors is missing/],
    [Buffer.concat(encodeSafetensors([['w', { shape: [2], data: new Float32Array(2) }], ['extra', { shape: [1], data: new Float32Array(1) }]])), /tensor 'extra' is not in a\.safetensors/],
    [Buffer.concat(encodeSafetensors([['w', { shape: [2], data: new Int32Array(2), dtype: 'I32' }]])), /tensor 'w' is I32; only float weights/],
    [new Uint8Array([1, 2, 3]), /b\.safetensors: not a valid safetensors file/],
  ];
  for (const [b, re] of cases) {
    assert.throws(() => averageWeights([a, { label: 'b.safetensors', bytes: b }]), (e: unknown) => e instanceof UserError && re.test(e.message));
  }
  assert.throws(() => averageWeights([]), /no weights files/);
});
