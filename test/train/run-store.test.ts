import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCodecs } from '../../src/data/index.js';
import { loadRun, MemoryRunStore, trainRun, RUN_FILES, MANIFEST_FILE, readManifest } from '../../src/train/index.js';
import { openRunFolder } from '../../src/platform/node-run-store.js';
import { copyPairs, tempDir, TINY_MODEL } from './helpers.js';

const pairs = copyPairs(200, 21);
const train = pairs.slice(30);
const valid = pairs.slice(0, 30);
const codecs = buildCodecs(train, { tokenizer: 'space' });
const OPTS = { batchTokens: 120, lr: 0.01, validEvery: 5, logEvery: 1, seed: 9, validDecode: 10, maxSteps: 12 } as const;
const INPUTS = ['a b c', 'h g f e d', 'a a a b', 'c'];

test('a run trained entirely in a MemoryRunStore: its bytes, written to a folder, load and translate as the model did', async () => {
  const store = new MemoryRunStore();
  const r = await trainRun({ out: store, codecs, train, valid, model: TINY_MODEL, options: OPTS, progress: false, say: () => {} });
  assert.equal(r.reason, 'max-steps');
  assert.deepEqual(store.list(), [MANIFEST_FILE, RUN_FILES.config, RUN_FILES.log, RUN_FILES.best, RUN_FILES.model, RUN_FILES.state, RUN_FILES.stateTensors].sort());
  const manifest = readManifest(store)!;
  assert.equal(manifest.step, 12);
  assert.deepEqual(Object.keys(manifest.files).sort(), [RUN_FILES.best, RUN_FILES.model, RUN_FILES.state, RUN_FILES.stateTensors].sort());
  // the log holds every step's train line once
  const steps = store.readText(RUN_FILES.log)!.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'train').map((e) => e.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

  const inMemory = (await loadRun(store, { weights: 'last' })).translate(INPUTS, { beam: 3 }).map((t) => [t.hypotheses[0]!.text, t.hypotheses[0]!.score]);
  const d = tempDir('s2s-memstore-');
  try {
    for (const [name, bytes] of store.files()) writeFileSync(join(d.dir, name), bytes);
    const fromDisk = await loadRun(d.dir, { weights: 'last' });
    const onDisk = fromDisk.translate(INPUTS, { beam: 3 }).map((t) => [t.hypotheses[0]!.text, t.hypotheses[0]!.score]);
    assert.deepEqual(onDisk, inMemory);
    // the weights on disk are the trained model's, bit for bit
    for (const [name, p] of fromDisk.model.namedParameters()) {
      const mine = r.model.namedParameters().find(([n]) => n === name)![1];
      assert.deepEqual(p.f32, mine.f32, name);
    }
    // and a folder copy resumes like any run folder: 3 more steps
    const more = await trainRun({ out: d.dir, train, valid, resume: true, options: { maxSteps: 15 }, progress: false, say: () => {} });
    assert.equal(more.step, 15);
  } finally {
    d.cleanup();
  }
});

test('MemoryRunStore: writes copy their input, appends accumulate, rename replaces', () => {
  const s = new MemoryRunStore();
  const bytes = new Uint8Array([1, 2, 3]);
  s.writeAtomic('a', bytes);
  bytes[0] = 9;
  assert.deepEqual([...s.read('a')!], [1, 2, 3]);
  s.writeAtomic('b', [new Uint8Array([4]), new Uint8Array([5, 6])]);
  assert.deepEqual([...s.read('b')!], [4, 5, 6]);
  s.append('log', 'x\n');
  s.append('log', 'y\n');
  assert.equal(s.readText('log'), 'x\ny\n');
  s.rename('b', 'a');
  assert.deepEqual([...s.read('a')!], [4, 5, 6]);
  assert.equal(s.exists('b'), false);
  assert.equal(s.read('b'), null);
  s.remove('a');
  s.remove('never');
  assert.deepEqual(s.list(), ['log']);
  assert.equal(s.pathOf('log'), 'memory:log');
  assert.throws(() => s.rename('nope', 'x'), /no such file/);
});

test('the Node run folder store: atomic writes leave no temp files; stale temps of ours are removed, other files are not', () => {
  const d = tempDir('s2s-nodestore-');
  try {
    const s = openRunFolder(join(d.dir, 'run'));
    s.writeAtomic('x.json', '{}');
    assert.deepEqual(s.list(), ['x.json']);
    writeFileSync(join(d.dir, 'run', '.x.json.12345.7.tmp'), 'half');
    writeFileSync(join(d.dir, 'run', '.notes.tmp'), 'mine');
    assert.deepEqual(s.removeStaleTemps(), ['.x.json.12345.7.tmp']);
    assert.deepEqual(readdirSync(join(d.dir, 'run')).sort(), ['.notes.tmp', 'x.json']);
    s.append('log.jsonl', 'a\n');
    s.append('log.jsonl', 'b\n');
    assert.equal(readFileSync(join(d.dir, 'run', 'log.jsonl'), 'utf8'), 'a\nb\n');
    assert.equal(s.read('missing'), null);
    assert.equal(openRunFolder(join(d.dir, 'absent'), { create: false }).list().length, 0);
    assert.equal(existsSync(join(d.dir, 'absent')), false);
  } finally {
    d.cleanup();
  }
});

test('src/train does its file I/O through a RunStore: no module there imports a host API', () => {
  const dir = join(process.cwd(), 'src', 'train');
  const offenders = readdirSync(dir).filter((f) => f.endsWith('.ts')).filter((f) => /from\s*'node:|import\(\s*'node:/.test(readFileSync(join(dir, f), 'utf8')));
  assert.deepEqual(offenders, []);
});
