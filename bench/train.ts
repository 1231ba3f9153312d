import { performance } from 'node:perf_hooks';
import { helpText, oneOf, parseFlags, type FlagSpec } from '../src/cli/args.js';
import { beamSearch, greedy } from '../src/decode/index.js';
import { createBackend, disposeBackend } from '../src/kernels/index.js';
import { buildModel } from '../src/models/index.js';
import { Adam, backend, Rng, setBackend, tidy } from '../src/tensor/index.js';
import { BOS_ID as BOS, EOS_ID as EOS } from '../src/util/special-ids.js';
import { UserError } from '../src/util/errors.js';
import { profileBackend, type KernelProfile } from './kernel-profile.js';
import { bestOf, peerSettings, runPeer } from './train-peer.js';
import type { ProfileSummary, TrainBenchResult } from './train-result.js';

export type { TrainBenchResult } from './train-result.js';

/**
 * `s2s bench train`: one training step (forward, backward, Adam) of the benchmark model, and greedy
 * and beam decoding, timed. The RNN model (the default): batch 64, 20 source and 20 target tokens,
 * vocabulary 1000, emb/hidden 256, 1-layer bidirectional LSTM encoder (128 per direction), 1-layer
 * LSTM decoder with Luong 'general' attention and input feeding, Adam; --arch, --layers and
 * --attention vary it. `--arch transformer`: the same batch and vocabulary, d = --emb 256, 3+3
 * pre-norm layers, 4 heads, feed-forward 1024, ReLU, the output layer tied to the target
 * embedding. `--peer` runs the PyTorch peer (bench/peers/seq2seq_torch.py or
 * transformer_torch.py: the same model and step) in the same invocation, at its best thread setting.
 */
const SPECS: Record<string, FlagSpec> = {
  batch: { type: 'int', min: 1, default: 64, help: 'sentences per batch' },
  'src-len': { type: 'int', min: 1, default: 20, help: 'source tokens' },
  'tgt-len': { type: 'int', min: 1, default: 20, help: 'target tokens (decoder steps, EOS included)' },
  vocab: { type: 'int', min: 5, default: 1000, help: 'source and target vocabulary' },
  emb: { type: 'int', min: 1, default: 256, help: 'embedding width (transformer: the model width d)' },
  hidden: { type: 'int', min: 1, help: 'RNN model width (default 256; transformer: d is --emb)' },
  layers: { type: 'int', min: 1, help: 'encoder and decoder layers (default 1; transformer 3)' },
  'dec-layers': { type: 'int', min: 1, help: 'transformer: decoder layers (default: --layers)' },
  arch: { type: 'string', default: 'lstm', help: 'lstm|gru|rnn (encoder and decoder) or transformer' },
  attention: { type: 'string', default: 'general', help: 'RNN attention: dot|general|bahdanau' },
  heads: { type: 'int', min: 1, default: 4, help: 'transformer: attention heads (dividing --emb)' },
  ffn: { type: 'int', min: 1, default: 1024, help: 'transformer: feed-forward inner width' },
  dropout: { type: 'number', min: 0, below: 1, default: 0, help: 'transformer: dropout on the embeddings and sub-layer outputs (both engines; attention/activation dropout 0)' },
  steps: { type: 'int', min: 1, default: 20, help: 'timed training steps' },
  warmup: { type: 'int', min: 0, default: 3, help: 'untimed steps first' },
  'decode-batches': { type: 'int', min: 0, default: 3, help: 'timed decoding batches (greedy and beam each)' },
  beam: { type: 'int', min: 1, max: 1000, default: 5, help: 'beam size for the beam-search timing' },
  threads: { type: 'int', min: 1, max: 256, default: 1, help: 'threads (wasm backend; the peer tries torch and OpenBLAS threads 1 and N)' },
  backend: { type: 'string', default: 'wasm', help: 'js|wasm' },
  seed: { type: 'int', min: 0, max: 4294967295, default: 1, help: 'seed' },
  peer: { type: 'bool', help: 'also run the PyTorch peer (/usr/bin/python3 with torch) and print the ratios' },
  'peer-sweep': { type: 'bool', default: true, help: 'the peer tries torch threads × OpenBLAS threads in {1, N} and keeps the best (--peer-sweep=false: torch N, OpenBLAS 1 only)' },
  profile: { type: 'bool', help: 'time every backend kernel during the timed training steps and beam batches and report the top ones (slows them a little)' },
  json: { type: 'bool', help: 'print one JSON object instead of a table' },
  help: { type: 'bool', help: 'show this help' },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The benchmark model, as the flags describe it (RNN fields or Transformer fields). */
interface Variant {
  arch: 'lstm' | 'gru' | 'rnn' | 'transformer';
  attention: 'dot' | 'general' | 'bahdanau';
  emb: number;
  hidden: number;
  layers: number;
  decLayers: number;
  heads: number;
  ffn: number;
  dropout: number;
}

function buildBenchModel(v: Variant, V: number, seed: number): ReturnType<typeof buildModel> {
  if (v.arch === 'transformer') {
    return buildModel({
      arch: 'transformer', layers: v.layers, decoderLayers: v.decLayers, emb: v.emb, heads: v.heads, ffn: v.ffn,
      dropout: v.dropout, attentionDropout: 0, activationDropout: 0, srcVocab: V, tgtVocab: V, tieEmbeddings: true, shareEmbeddings: false,
    }, new Rng(seed));
  }
  return buildModel({
    kind: 'tokens', arch: v.arch, attention: v.attention, layers: v.layers, bidirectional: true, emb: v.emb, hidden: v.hidden,
    dropout: 0, srcVocab: V, tgtVocab: V, tieEmbeddings: false, inputFeeding: true,
  }, new Rng(seed));
}

async function runOurs(f: Record<string, number>, v: Variant, backendName: 'js' | 'wasm', profile: boolean): Promise<TrainBenchResult> {
  const inner = await createBackend({ backend: backendName, threads: f['threads'] });
  const prof: KernelProfile | null = profile ? profileBackend(inner) : null;
  setBackend(prof ? prof.backend : inner);
  const B = f['batch']!, S = f['src-len']!, T = f['tgt-len']!, V = f['vocab']!;
  const model = buildBenchModel(v, V, f['seed']!);
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
    if (i === f['warmup']) prof?.reset();
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
  const trainProfile = prof ? profileSummary(prof, f['steps']!, times.reduce((s, x) => s + x, 0)) : undefined;
  model.eval();
  const reps = f['decode-batches']!;
  const decode = (fn: () => void): number => {
    if (reps === 0) return 0;
    fn();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) tidy(fn);
    return (reps * B) / ((performance.now() - t0) / 1000);
  };
  // The Transformer's decoding runs exactly T steps per sentence on both sides (an EOS id that
  // never occurs here; the peer gets --full-length): after the training steps each model has its
  // own idea of when to emit EOS, and a search that stops after one step would not be comparable.
  const eos = v.arch === 'transformer' ? { eos: -1 } : {};
  const greedySps = decode(() => void greedy(model, batch, { maxLen: T, ...eos }));
  // the beam profile covers the timed batches (decode() runs one untimed batch first)
  let beamStart = 0;
  const beamSps = decode(() => {
    if (prof && beamStart++ === 1) prof.reset();
    void beamSearch(model, batch, { beam: f['beam'], maxLen: T, ...eos });
  });
  const beamMs = reps > 0 ? (reps * B) / beamSps * 1000 : 0;
  const beamProfile = prof && reps > 0 ? profileSummary(prof, reps, beamMs) : undefined;
  const b = backend();
  const transformer = v.arch === 'transformer';
  const result: TrainBenchResult = {
    engine: 's2s', backend: b.name, simd: (b as { simd?: string }).simd, threads: b.threads, batch: B, src_len: S, tgt_len: T, vocab: V, emb: v.emb, hidden: v.hidden,
    layers: v.layers, ...(transformer ? { dec_layers: v.decLayers, heads: v.heads, ffn: v.ffn, dropout: v.dropout } : {}),
    arch: v.arch, attention: transformer ? 'multi-head' : v.attention, params: model.parameterCount(), steps: f['steps']!, ms_per_step: r2(ms),
    cpu_ms_per_step: r2(median(cpuTimes)), tgt_tok_per_s: Math.round((B * T) / (ms / 1000) * 10) / 10,
    first_loss: Math.round(firstLoss * 1e4) / 1e4, greedy_sent_per_s: Math.round(greedySps * 10) / 10, beam_sent_per_s: Math.round(beamSps * 10) / 10, beam: f['beam']!,
    ...(trainProfile ? { profile: { train: trainProfile, ...(beamProfile ? { beam: beamProfile } : {}) } } : {}),
  };
  await disposeBackend(inner);
  return result;
}

/** The top kernels of a profile over `n` repetitions (training steps, decoded batches) that took `totalMs` in all. */
function profileSummary(prof: KernelProfile, n: number, totalMs: number): ProfileSummary {
  const rows = prof.rows();
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  return {
    top: rows.slice(0, 15).map((r) => ({ kernel: r.kernel, ms: r2(r.ms / n), calls: Math.round(r.calls / n) })),
    outside_kernels_ms: r2((totalMs - inKernels) / n),
  };
}

/** The peer script's flags for the variant (everything but --threads). */
function peerArgs(f: Record<string, number>, v: Variant): string[] {
  const args: string[] = [];
  for (const k of ['batch', 'src-len', 'tgt-len', 'vocab', 'steps', 'warmup', 'decode-batches', 'beam', 'seed']) args.push(`--${k}`, String(f[k]));
  args.push('--emb', String(v.emb), '--layers', String(v.layers));
  if (v.arch === 'transformer') {
    args.push('--dec-layers', String(v.decLayers), '--heads', String(v.heads), '--ffn', String(v.ffn), '--dropout', String(v.dropout), '--tie', '--full-length');
  } else {
    args.push('--hidden', String(v.hidden), '--arch', v.arch, '--attention', v.attention);
  }
  return args;
}

function variantOf(flags: Record<string, unknown>): Variant {
  const arch = oneOf('bench train', 'arch', flags['arch'], ['lstm', 'gru', 'rnn', 'transformer'] as const);
  const attention = oneOf('bench train', 'attention', flags['attention'], ['dot', 'general', 'bahdanau'] as const);
  const emb = flags['emb'] as number;
  const given = (k: string): number | undefined => flags[k] as number | undefined;
  if (arch === 'transformer') {
    const hidden = given('hidden');
    if (hidden !== undefined && hidden !== emb) throw new UserError(`s2s bench train: the Transformer's width is --emb (${emb}); drop --hidden ${hidden} or make it equal`);
    const heads = flags['heads'] as number;
    if (emb % heads !== 0) throw new UserError(`s2s bench train: --emb ${emb} must be divisible by --heads ${heads}`);
    const layers = given('layers') ?? 3;
    return { arch, attention, emb, hidden: emb, layers, decLayers: given('dec-layers') ?? layers, heads, ffn: flags['ffn'] as number, dropout: flags['dropout'] as number };
  }
  for (const k of ['dec-layers']) if (given(k) !== undefined) throw new UserError(`s2s bench train: --${k} is a Transformer flag; use it with --arch transformer`);
  const hidden = given('hidden') ?? 256;
  if (hidden % 2 !== 0) throw new UserError(`s2s bench train: --hidden must be even (bidirectional encoder: hidden/2 per direction)`);
  const layers = given('layers') ?? 1;
  return { arch, attention, emb, hidden, layers, decLayers: layers, heads: 0, ffn: 0, dropout: 0 };
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
  for (const [k, spec] of Object.entries(SPECS)) if (spec.type === 'int' && flags[k] !== undefined) f[k] = flags[k] as number;
  const v = variantOf(flags);
  const ours = await runOurs(f, v, be, flags['profile'] === true);
  let peer: TrainBenchResult | null = null;
  let peerRuns: TrainBenchResult[] = [];
  if (flags['peer']) {
    peerRuns = runPeer(v.arch === 'transformer' ? 'transformer_torch.py' : 'seq2seq_torch.py', peerArgs(f, v), peerSettings(f['threads']!, flags['peer-sweep'] === true));
    peer = bestOf(peerRuns);
  }
  if (flags['json']) {
    if (!peer) console.log(JSON.stringify(ours));
    else {
      console.log(JSON.stringify({
        s2s: ours, pytorch: peer, pytorch_settings: peerRuns.map(settingSummary),
        ratio: {
          train: r2(ours.tgt_tok_per_s / peer.tgt_tok_per_s), train_cpu: r2(peer.cpu_ms_per_step / ours.cpu_ms_per_step), greedy: r2(ours.greedy_sent_per_s / peer.greedy_sent_per_s), beam: r2(ours.beam_sent_per_s / peer.beam_sent_per_s),
        },
      }));
    }
    return 0;
  }
  printTable(f, v, ours, peer, peerRuns);
  return 0;
}

/** One peer run in a line of JSON: its setting and its numbers. */
function settingSummary(r: TrainBenchResult): Record<string, number> {
  return { torch_threads: r.threads, blas_threads: r.blas_threads ?? 1, ms_per_step: r.ms_per_step, cpu_ms_per_step: r.cpu_ms_per_step, greedy_sent_per_s: r.greedy_sent_per_s, beam_sent_per_s: r.beam_sent_per_s };
}

function printTable(f: Record<string, number>, v: Variant, ours: TrainBenchResult, peer: TrainBenchResult | null, peerRuns: TrainBenchResult[]): void {
  const rows: [string, keyof TrainBenchResult][] = [
    ['ms/step (median)', 'ms_per_step'], ['CPU ms/step (median)', 'cpu_ms_per_step'], ['target tokens/s', 'tgt_tok_per_s'], ['greedy sentences/s', 'greedy_sent_per_s'], [`beam-${f['beam']} sentences/s`, 'beam_sent_per_s'],
  ];
  const shape = v.arch === 'transformer'
    ? `d ${v.emb}, ${v.layers}+${v.decLayers} Transformer layers, ${v.heads} heads, ffn ${v.ffn}, dropout ${v.dropout}`
    : `emb ${v.emb}, hidden ${v.hidden}, ${v.layers} layer(s) of ${v.arch}, ${v.attention} attention`;
  console.log(`benchmark model: batch ${f['batch']}, ${f['src-len']}→${f['tgt-len']} tokens, vocab ${f['vocab']}, ${shape}, ${ours.params.toLocaleString('en-US')} parameters; ${f['threads']} thread(s)`);
  const head = `${''.padEnd(22)}${`s2s (${ours.backend})`.padStart(14)}` + (peer ? `${'PyTorch ' + (peer.version ?? '')}`.padStart(20) + 'ratio'.padStart(10) : '');
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
  if (peer) {
    console.log('ratio > 1: s2s is faster');
    if (peerRuns.length > 1) {
      console.log(`PyTorch's best settings: training ${peer.best_setting!.train}; greedy ${peer.best_setting!.greedy}; beam ${peer.best_setting!.beam}`);
      for (const r of peerRuns) console.log(`  torch ${r.threads}, OpenBLAS ${r.blas_threads}: ${r.ms_per_step} ms/step, greedy ${r.greedy_sent_per_s}, beam ${r.beam_sent_per_s} sent/s`);
    }
  }
  const printProfile = (what: string, p: ProfileSummary | undefined): void => {
    if (!p) return;
    console.log(`s2s kernels by time per ${what} (${p.outside_kernels_ms} ms outside kernels):`);
    for (const r of p.top) console.log(`  ${r.kernel.padEnd(28)}${r.ms.toFixed(2).padStart(10)} ms${String(r.calls).padStart(8)} calls`);
  };
  printProfile('training step', ours.profile?.train);
  printProfile(`beam-${f['beam']} batch`, ours.profile?.beam);
}
