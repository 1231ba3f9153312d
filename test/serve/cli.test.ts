import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, makeRun, translate } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let run: Awaited<ReturnType<typeof makeRun>>;

before(async () => {
  run = await makeRun();
});
after(() => run.cleanup());

function s2s(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI serve: user mistakes are UserErrors naming the flag; the process prints one line and exits 2', async () => {
  const serve = await import('../../src/cli/serve.js');
  const translateCmd = await import('../../src/cli/translate.js');
  const cases: [typeof serve.run, string[], RegExp][] = [
    [serve.run, [], /--model is required/],
    [serve.run, ['--model', run.root + '/nope', '--port', '0'], /no such run folder/],
    [serve.run, ['--model', 'bad name=' + run.dir], /the model name 'bad name' must be/],
    [serve.run, ['--model', 'a=' + run.dir, '--model', 'a=' + run.dir, '--port', '0', '--backend', 'js'], /the name 'a' is taken/],
    [serve.run, ['--model', run.dir, '--port', '70000'], /--port must be between 0 and 65535/],
    [serve.run, ['--model', run.dir, '--max-texts', '0'], /--max-texts must be ≥ 1/],
    [serve.run, ['--model', run.dir, '--batch-window-ms', '-1'], /--batch-window-ms must be ≥ 0/],
    [serve.run, ['--model', run.dir, '--backend', 'gpu'], /--backend must be one of js\|wasm/],
    [translateCmd.run, ['--model', run.dir, '--sample', '--temperature', '0'], /--temperature must be > 0/],
    [translateCmd.run, ['--model', run.dir, '--sample', '--top-k', '-2'], /--top-k must be ≥ 0/],
    [translateCmd.run, ['--model', run.dir, '--sample', '--n-best', '2', '--beam', '2'], /--sample gives one output per line/],
  ];
  for (const [fn, args, re] of cases) {
    await assert.rejects(fn(args), (e: Error) => e.name === 'UserError' && re.test(e.message), args.join(' '));
  }
  const r = s2s(['serve', '--model', run.dir, '--port', '70000']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'error: s2s serve: --port must be between 0 and 65535, got 70000\n');
});

test('CLI translate --sample: same seed, same output, whatever the chunking; top-k 1 = greedy', () => {
  const input = Array.from({ length: 9 }, (_, i) => 'abcdefgh'.slice(i % 4, (i % 4) + 2 + (i % 5)).split('').join(' ')).join('\n') + '\n';
  const base = ['translate', '--model', run.dir, '--backend', 'js', '--sample', '--temperature', '2', '--seed', '4'];
  const a = s2s(base, input);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.split('\n').length, 10);
  assert.equal(s2s([...base, '--batch-size', '1'], input).stdout, a.stdout, 'line i samples from seed + i in chunks of 4 too');
  assert.notEqual(s2s([...base.slice(0, -1), '5'], input).stdout, a.stdout, 'another seed, other samples');
  const k1 = s2s(['translate', '--model', run.dir, '--backend', 'js', '--sample', '--top-k', '1'], input);
  assert.equal(k1.stdout, s2s(['translate', '--model', run.dir, '--backend', 'js', '--beam', '1'], input).stdout);
});

for (const [mode, extra] of [['decoding on the HTTP thread', []], ['--decode-worker', ['--decode-worker']]] as const) {
test(`CLI serve (${mode}): SIGTERM stops taking connections, answers every request it holds, exits 0`, async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--model', `copy=${run.dir}`, '--port', '0', '--backend', 'js', '--batch-window-ms', '1500', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${stderr}`)));
    });
    assert.equal((await call(port, 'GET', '/v1/ready')).status, 200);
    const texts = ['a b c', 'd e', 'f g h a', 'b', 'c c d', 'h'];
    const pending = texts.map((t) => translate(port, { text: t, beam: 2 }));
    // Wait until all six are queued (the 1.5 s window holds them), then ask the server to stop.
    for (let i = 0; i < 100; i++) {
      const m = /^s2s_queue_depth (\d+)/m.exec((await call(port, 'GET', '/metrics')).text);
      if (m && Number(m[1]) === texts.length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGTERM');
    let refused: unknown = null;
    for (let i = 0; i < 100 && !refused; i++) {
      await new Promise((r) => setTimeout(r, 20));
      refused = await call(port, 'GET', '/v1/health').then(() => null, (e: unknown) => e);
    }
    assert.match(String(refused), /ECONNREFUSED/, 'the listener is closed while draining');
    const replies = await Promise.all(pending);
    assert.deepEqual(replies.map((r) => r.status), texts.map(() => 200));
    assert.deepEqual(replies.map((r) => r.json.translations[0].source), texts);
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM: draining \(no new connections; finishing 6 queued texts/);
    assert.match(stderr, /drained, bye/);
  } finally {
    child.kill('SIGKILL');
  }
});
}

test('bench serve (short): concurrent clients on loopback, batching on and off, no failed request', () => {
  const r = spawnSync(process.execPath, [MAIN, 'bench', 'serve', '--json', '--model', run.dir, '--backend', 'js', '--clients', '6', '--seconds', '0.8', '--warmup', '0.2', '--beam', '2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const mode of [j.batching, j.no_batching]) {
    assert.equal(mode.failed, 0, JSON.stringify(mode.errors));
    assert.ok(mode.requests > 5, `${mode.requests} requests`);
    assert.ok(mode.latency_ms.p50 > 0 && mode.latency_ms.p99 >= mode.latency_ms.p50);
    assert.equal(mode.clients, 6);
  }
  assert.equal(j.no_batching.mean_batch, 1);
  assert.ok(j.batching.mean_batch > 1, `batches formed: mean ${j.batching.mean_batch}`);
  assert.equal(typeof j.speedup_requests_per_s, 'number');
});

test('bench serve --input: the clients send the file\'s lines (CRLF too); a missing or empty file is one line and exit 2', () => {
  const file = join(run.root, 'texts.txt');
  writeFileSync(file, 'a b c\r\n\r\nd e f g\nh a\n');
  const r = spawnSync(process.execPath, [MAIN, 'bench', 'serve', '--json', '--model', run.dir, '--backend', 'js', '--clients', '3', '--seconds', '0.5', '--warmup', '0', '--beam', '2', '--batching-only', '--input', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.batching.failed, 0, JSON.stringify(j.batching.errors));
  assert.ok(j.batching.requests > 3, `${j.batching.requests} requests`);
  const empty = join(run.root, 'empty.txt');
  writeFileSync(empty, '\n \n');
  for (const [path, re] of [[join(run.root, 'nope.txt'), /--input .*nope\.txt: no such file/], [empty, /--input .*empty\.txt: no text in it/]] as const) {
    const e = s2s(['bench', 'serve', '--model', run.dir, '--input', path]);
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr, re);
    assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
  }
});
