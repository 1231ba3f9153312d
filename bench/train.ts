import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { helpText, oneOf, parseFlags, type FlagSpec } from '../src/cli/args.js';
import { beamSearch, greedy } from '../src/decode/index.js';
import { createBackend, disposeBackend } from '../src/kernels/index.js';
import { buildModel } from '../src/models/index.js';
import { Adam, backend, Rng, setBackend, tidy } from '../src/tensor/index.js';
import { BOS_ID as BOS, EOS_ID as EOS } from '../src/util/special-ids.js';
import { UserError } from '../src/util/errors.js';

/**
 * `s2s bench train`: one training step (forward, backward, Adam) of the benchmark model, and greedy
 * and beam decoding, timed. The model: batch 64, 20 source and 20 target tokens, vocabulary 1000,
 * emb/hidden 256, 1-layer bidirectional LSTM encoder (128 per direction), 1-layer LSTM decoder with
 * Luong 'general' attention and input feeding, Adam; --arch, --layers and --attention vary it. `--peer` runs the PyTorch peer
 * (bench/peers/seq2seq_torch.py, the same model and step) in the same invocation.
 */
const SPECS: Record<string, FlagSpec> = {
  batch: { type: 'int', min: 1, default: 64, help: 'sentences per batch' },
  'src-len': { type: 'int', min: 1, default: 20, help: 'source tokens' },
  'tgt-len': { type: 'int', min: 1, default: 20, help: 'target tokens (decoder steps, EOS included)' },
  vocab: { type: 'int', min: 5, default: 1000, help: 'source and target vocabulary' },
  emb: { type: 'int', min: 1, default: 256, help: 'embedding width' },
  hidden: { type: 'int', min: 1, default: 256, help: 'model width' },
  layers: { type: 'int', min: 1, default: 1, help: 'encoder and decoder layers' },
  arch: { type: 'string', default: 'lstm', help: 'lstm|gru|rnn (encoder and decoder)' },
  attention: { type: 'string', default: 'general', help: 'dot|general|bahdanau' },
  steps: { type: 'int', min: 1, default: 20, help: 'timed training steps' },
  warmup: { type: 'int', min: 0, default: 3, help: 'untimed steps first' },
  'decode-batches': { type: 'int', min: 0, default: 3, help: 'timed decoding batches (greedy and beam each)' },
  beam: { type: 'int', min: 1, max: 1000, default: 5, help: 'beam size for the beam-search timing' },
  threads: { type: 'int', min: 1, max: 256, default: 1, help: 'threads (wasm backend; the peer: torch.set_num_threads)' },
  backend: { type: 'string', default: 'wasm', help: 'js|wasm' },
  seed: { type: 'int', min: 0, max: 4294967295, default: 1, help: 'seed' },
  peer: { type: 'bool', help: 'also run the PyTorch peer (/usr/bin/python3 with torch) and print the ratios' },
  json: { type: 'bool', help: 'print one JSON object instead of a table' },
  help: { type: 'bool', help: 'show this help' },
};

export interface TrainBenchResult {
  engine: string;
  backend?: string;
  /** The wasm kernel build (relaxed: FMA; plain: SIMD only; S2S_WASM_SIMD chooses). */
  simd?: string;
  threads: number;
  batch: number;
  src_len: number;
  tgt_len: number;
  vocab: number;
  emb: number;
  hidden: number;
  layers: number;
  arch: string;
  attention: string;
  params: number;
  steps: number;
  ms_per_step: number;
  /** CPU time (all threads) per step, median: on a shared machine it counts no time spent waiting for a core. */
  cpu_ms_per_step: number;
  tgt_tok_per_s: number;
  first_loss: number;
  greedy_sent_per_s: number;
  beam_sent_per_s: number;
  beam: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

interface Variant {
  arch: 'lstm' | 'gru' | 'rnn';
  attention: 'dot' | 'general' | 'bahdanau';
}

async function runOurs(f: Record<string, number>, v: Variant, backendName: 'js' | 'wasm'): Promise<TrainBenchResult> {
  setBackend(await createBackend({ backend: backendName, threads: f['threads'] }));
  const B = f['batch']!, S = f['src-len']!, T = f['tgt-len']!, V = f['vocab']!;
  const model = buildModel({
    kind: 'tokens', arch: v.arch, attention: v.attention, layers: f['layers'], bidirectional: true, emb: f['emb'], hidden: f['hidden'],
    dropout: 0, srcVocab: V, tgtVocab: V, tieEmbeddings: false, inputFeeding: true,
  }, new Rng(f['seed']));
  const rng = new Rng(f['seed']! + 1);
  const src = Int32Array.from({ length: B * S }, () => 4 + rng.int(V - 4));
  const tgtIn = new Int32Array(B * T);
  const tgtOut = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    tgtIn[b * T] = BOS;
    for (let t = 0; t < T - 1; t++) {
      const y = 4 + rng.int(V - 4);
      tgtIn[b * T + t + 1] = y;
      tgtOut[b * T + t] = y;
    }
    tgtOut[b * T + T - 1] = EOS;
  }
  const batch = { B, S, T, src, srcLen: new Array<number>(B).fill(S), tgtIn, tgtOut };
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  model.train();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let firstLoss = NaN;
  for (let i = 0; i < f['warmup']! + f['steps']!; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const loss = tidy(() => {
      const { loss } = model.loss(batch);
      const v = loss.item();
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return v;
    });
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i === 0) firstLoss = loss;
    if (i >= f['warmup']!) {
      times.push(dt);
      cpuTimes.push((c.user + c.system) / 1000);
    }
  }
  const ms = median(times);
  model.eval();
  const reps = f['decode-batches']!;
  const decode = (fn: () => void): number => {
    fn();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) tidy(fn);
    return (reps * B) / ((performance.now() - t0) / 1000);
  };
  const greedySps = decode(() => void greedy(model, batch, { maxLen: T }));
  const beamSps = decode(() => void beamSearch(model, batch, { beam: f['beam'], maxLen: T }));
  const b = backend();
  const result: TrainBenchResult = {
    engine: 's2s', backend: b.name, simd: (b as { simd?: string }).simd, threads: b.threads, batch: B, src_len: S, tgt_len: T, vocab: V, emb: f['emb']!, hidden: f['hidden']!,
    layers: f['layers']!, arch: v.arch, attention: v.attention, params: model.parameterCount(), steps: f['steps']!, ms_per_step: r2(ms), cpu_ms_per_step: r2(median(cpuTimes)), tgt_tok_per_s: Math.round((B * T) / (ms / 1000) * 10) / 10,
    first_loss: Math.round(firstLoss * 1e4) / 1e4, greedy_sent_per_s: Math.round(greedySps * 10) / 10, beam_sent_per_s: Math.round(beamSps * 10) / 10, beam: f['beam']!,
  };
  await disposeBackend(b);
  return result;
}

/** dist/bench/train.js → <package>/bench/peers/seq2seq_torch.py */
function peerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', '..', 'bench', 'peers', 'seq2seq_torch.py'), join(here, 'peers', 'seq2seq_torch.py')]) if (existsSync(p)) return p;
  throw new UserError('s2s bench train --peer: bench/peers/seq2seq_torch.py not found next to the package');
}

function runPeer(f: Record<string, number>, v: Variant): TrainBenchResult {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new UserError(`s2s bench train --peer: needs ${python} with torch (Debian: apt install python3-torch)`);
  const args = [peerScript()];
  for (const k of ['batch', 'src-len', 'tgt-len', 'vocab', 'emb', 'hidden', 'layers', 'steps', 'warmup', 'decode-batches', 'beam', 'threads', 'seed']) args.push(`--${k}`, String(f[k]));
  args.push('--arch', v.arch, '--attention', v.attention);
  const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(f['threads']) } });
  if (r.status !== 0) throw new Error(`PyTorch peer failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainBenchResult;
}

export async function runTrainBench(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags('bench train', argv, SPECS);
  if (flags['help']) {
    console.log(helpText('bench train', 'training-step and decoding speed of the benchmark model', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s bench train: unexpected argument '${rest[0]}'`);
  const be = oneOf('bench train', 'backend', flags['backend'], ['js', 'wasm'] as const);
  const f: Record<string, number> = {};
  for (const [k, spec] of Object.entries(SPECS)) {
    if (spec.type !== 'int') continue;
    const v = flags[k] as number;
    if (!(v >= (k === 'warmup' ? 0 : 1))) throw new UserError(`s2s bench train: --${k} must be ≥ ${k === 'warmup' ? 0 : 1}, got ${v}`);
    f[k] = v;
  }
  if (f['hidden']! % 2 !== 0) throw new UserError(`s2s bench train: --hidden must be even (bidirectional encoder: hidden/2 per direction)`);
  const v: Variant = {
    arch: oneOf('bench train', 'arch', flags['arch'], ['lstm', 'gru', 'rnn'] as const),
    attention: oneOf('bench train', 'attention', flags['attention'], ['dot', 'general', 'bahdanau'] as const),
  };
  const ours = await runOurs(f, v, be);
  const peer = flags['peer'] ? runPeer(f, v) : null;
  if (flags['json']) {
    if (!peer) console.log(JSON.stringify(ours));
    else {
      console.log(JSON.stringify({
        s2s: ours, pytorch: peer,
        ratio: {
          train: r2(ours.tgt_tok_per_s / peer.tgt_tok_per_s), train_cpu: r2(peer.cpu_ms_per_step / ours.cpu_ms_per_step), greedy: r2(ours.greedy_sent_per_s / peer.greedy_sent_per_s), beam: r2(ours.beam_sent_per_s / peer.beam_sent_per_s),
        },
      }));
    }
    return 0;
  }
  const rows: [string, keyof TrainBenchResult][] = [
    ['ms/step (median)', 'ms_per_step'], ['CPU ms/step (median)', 'cpu_ms_per_step'], ['target tokens/s', 'tgt_tok_per_s'], ['greedy sentences/s', 'greedy_sent_per_s'], [`beam-${f['beam']} sentences/s`, 'beam_sent_per_s'],
  ];
  console.log(`benchmark model: batch ${f['batch']}, ${f['src-len']}→${f['tgt-len']} tokens, vocab ${f['vocab']}, emb ${f['emb']}, hidden ${f['hidden']}, ${f['layers']} layer(s) of ${v.arch}, ${v.attention} attention, ${ours.params.toLocaleString('en-US')} parameters; ${f['threads']} thread(s)`);
  const head = `${''.padEnd(22)}${`s2s (${ours.backend})`.padStart(14)}` + (peer ? `${'PyTorch ' + peer['version' as keyof TrainBenchResult]}`.padStart(20) + 'ratio'.padStart(10) : '');
  console.log(head);
  for (const [label, key] of rows) {
    const a = ours[key] as number;
    let line = `${label.padEnd(22)}${String(a).padStart(14)}`;
    if (peer) {
      const b = peer[key] as number;
      const ratio = key === 'ms_per_step' || key === 'cpu_ms_per_step' ? b / a : a / b;
      line += `${String(b).padStart(20)}${(ratio.toFixed(2) + '×').padStart(10)}`;
    }
    console.log(line);
  }
  if (peer) console.log('ratio > 1: s2s is faster');
  return 0;
}
