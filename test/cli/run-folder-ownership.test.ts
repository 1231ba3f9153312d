import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCodecs } from '../../src/data/index.js';
import { trainRun } from '../../src/train/index.js';
import { copyPairs, tempDir, TINY_MODEL, writeTsv } from '../train/helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function s2s(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function refused(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, re);
}

function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'latin1')]));
}

const pairs = copyPairs(100, 6);
const train = pairs.slice(20);
const valid = pairs.slice(0, 20);
const codecs = buildCodecs(train, { tokenizer: 'space' });
const quiet = { progress: false, say: (): void => {} };
const OPTS = { batchTokens: 100, maxSteps: 2, validEvery: 2, validDecode: 2 };

test('train --out: a run, an exported model or a folder of other files is never replaced silently', async () => {
  const d = tempDir('s2s-own-');
  try {
    const tsv = join(d.dir, 't.tsv');
    writeTsv(tsv, pairs);
    const flags = ['--train', tsv, '--valid', tsv, '--emb', '8', '--hidden', '8', '--backend', 'js', '--max-steps', '1'];

    // Someone's folder: refused, with or without --overwrite, and left as it was.
    const theirs = join(d.dir, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'config.json'), '{"name": "my app"}');
    writeFileSync(join(theirs, 'log.jsonl'), '{"step": 1}\n');
    const before = contents(theirs);
    refused(s2s(['train', '--out', theirs, ...flags]), /theirs: not an s2s run folder \(it holds config\.json, log\.jsonl\); a new run never writes there: choose an empty or new --out/);
    refused(s2s(['train', '--out', theirs, ...flags, '--overwrite']), /not an s2s run folder/);
    await assert.rejects(trainRun({ out: theirs, codecs, train, valid, model: TINY_MODEL, options: OPTS, overwrite: true, ...quiet }), /not an s2s run folder/);
    assert.deepEqual(contents(theirs), before);

    // A run: refused unless --resume or --overwrite, and the message says which.
    const run = join(d.dir, 'run');
    await trainRun({ out: run, codecs, train, valid, model: TINY_MODEL, options: OPTS, ...quiet });
    const runBefore = contents(run);
    refused(s2s(['train', '--out', run, ...flags]),
      /run: already holds a run at step 2 \(checkpoint\.json, config\.json, log\.jsonl, model\.best\.safetensors and 3 more\); pass --resume to continue it, pass --overwrite to replace it with a new run, or choose another --out/);
    refused(s2s(['train', '--out', run, ...flags, '--resume', '--overwrite']), /--resume continues the run .* and --overwrite replaces it; give one of them/);
    assert.deepEqual(contents(run), runBefore);

    // An exported model (config + weights, no train state) with a note beside it.
    const model = join(d.dir, 'model');
    mkdirSync(model);
    for (const f of ['config.json', 'model.best.safetensors']) copyFileSync(join(run, f), join(model, f));
    writeFileSync(join(model, 'NOTES.txt'), 'keep me');
    refused(s2s(['train', '--out', model, ...flags]), /model: already holds a model \(NOTES\.txt, config\.json, model\.best\.safetensors\); pass --overwrite/);
    await assert.rejects(trainRun({ out: model, codecs, train, valid, model: TINY_MODEL, options: OPTS, ...quiet }), /already holds a model/);
    // --overwrite replaces the run files; the note stays.
    const r = await trainRun({ out: model, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, maxSteps: 1, validEvery: 0 }, overwrite: true, ...quiet });
    assert.equal(r.step, 1);
    assert.equal(readFileSync(join(model, 'NOTES.txt'), 'utf8'), 'keep me');
    assert.equal(JSON.parse(readFileSync(join(model, 'train-state.json'), 'utf8')).step, 1);
    assert.notEqual(contents(model)['model.best.safetensors'], runBefore['model.best.safetensors']);

    // An empty folder and a missing one are fine.
    const empty = join(d.dir, 'empty');
    mkdirSync(empty);
    assert.equal((await trainRun({ out: empty, codecs, train, valid, model: TINY_MODEL, options: { ...OPTS, maxSteps: 1 }, ...quiet })).step, 1);
  } finally {
    d.cleanup();
  }
});

test('prepare --out: never over its own input, never into a folder of other files; a DATA folder is prepared again', () => {
  const d = tempDir('s2s-own-prep-');
  try {
    const input = join(d.dir, 'in.tsv');
    writeFileSync(input, Array.from({ length: 60 }, (_, i) => `item ${i}\tEintrag ${i}`).join('\n') + '\n');
    const data = join(d.dir, 'data');
    const ok = s2s(['prepare', '--tsv', input, '--out', data, '--tokenizer', 'word']);
    assert.equal(ok.code, 0, ok.stderr);
    const before = contents(data);
    refused(s2s(['prepare', '--tsv', join(data, 'train.tsv'), '--out', data, '--tokenizer', 'word']),
      /the input .*data\/train\.tsv is one of the files --out .*data would replace; write the DATA folder somewhere else/);
    assert.deepEqual(contents(data), before);
    // the same folder through another spelling of its path
    refused(s2s(['prepare', '--src', join(data, '..', 'data', 'valid.tsv'), '--tgt', input, '--out', join(d.dir, '.', 'data'), '--tokenizer', 'word']), /would replace/);
    // a folder of other files
    const other = join(d.dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'train.tsv'), 'my own\tfile\n');
    refused(s2s(['prepare', '--tsv', input, '--out', other]), /--out .*other is not empty and not a DATA folder from s2s prepare \(no prepare\.json; it holds train\.tsv\); choose a new or empty folder/);
    assert.equal(readFileSync(join(other, 'train.tsv'), 'utf8'), 'my own\tfile\n');
    refused(s2s(['prepare', '--tsv', input, '--out', input]), /--out .*in\.tsv is a file/);
    // a DATA folder is prepared again in place, with a stale staged file of a killed prepare removed
    writeFileSync(join(data, '.train.tsv.99999.staged'), 'half');
    const again = s2s(['prepare', '--tsv', input, '--out', data, '--tokenizer', 'char']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readdirSync(data).sort(), ['codecs.json', 'prepare.json', 'test.tsv', 'train.tsv', 'valid.tsv']);
    assert.equal(JSON.parse(readFileSync(join(data, 'prepare.json'), 'utf8')).options.tokenizer, 'char');
  } finally {
    d.cleanup();
  }
});
