import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/util/errors.js';
import type { TrainBenchResult } from './train-result.js';

/**
 * The PyTorch side of `s2s bench train --peer`: runs bench/peers/seq2seq_torch.py (RNN models) or
 * bench/peers/transformer_torch.py (--arch transformer) with /usr/bin/python3, once per thread
 * setting, and keeps the best. Debian's torch calls OpenBLAS (pthreads) for its matrix products
 * and its own OpenMP pool for the rest, so a setting is a pair: torch.set_num_threads(t) and
 * OPENBLAS_NUM_THREADS=b (read when torch loads). With N threads the peer tries t and b in {1, N}
 * (four settings for N = 2); which is fastest depends on the model and on the machine.
 */
export interface PeerSetting {
  torchThreads: number;
  blasThreads: number;
}

/** Every (torch, OpenBLAS) thread pair with each count in {1, threads}; just (threads, 1) when not sweeping. */
export function peerSettings(threads: number, sweep: boolean): PeerSetting[] {
  if (!sweep) return [{ torchThreads: threads, blasThreads: 1 }];
  const counts = [...new Set([1, threads])];
  return counts.flatMap((t) => counts.map((b) => ({ torchThreads: t, blasThreads: b })));
}

const settingName = (s: { threads: number; blas_threads?: number }): string => `torch ${s.threads}, OpenBLAS ${s.blas_threads ?? 1}`;

/**
 * The peer's best: the training numbers of the setting with the fastest step, and for greedy and
 * beam decoding each the fastest setting's rate (decoding's best setting may differ from
 * training's). `best_setting` says which setting each came from.
 */
export function bestOf(results: TrainBenchResult[]): TrainBenchResult {
  if (results.length === 0) throw new Error('bestOf: no peer results');
  const byStep = [...results].sort((a, b) => a.ms_per_step - b.ms_per_step)[0]!;
  const fastest = (key: 'greedy_sent_per_s' | 'beam_sent_per_s'): TrainBenchResult =>
    [...results].sort((a, b) => (b[key] ?? 0) - (a[key] ?? 0))[0]!;
  const greedy = fastest('greedy_sent_per_s');
  const beam = fastest('beam_sent_per_s');
  return {
    ...byStep,
    greedy_sent_per_s: greedy.greedy_sent_per_s,
    beam_sent_per_s: beam.beam_sent_per_s,
    best_setting: { train: settingName(byStep), greedy: settingName(greedy), beam: settingName(beam) },
  };
}

/** dist/bench/*.js → <package>/bench/peers/NAME; `command` names the bench in the error. */
export function peerScript(name: string, command = 'bench train'): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', '..', 'bench', 'peers', name), join(here, 'peers', name)]) if (existsSync(p)) return p;
  throw new UserError(`s2s ${command} --peer: bench/peers/${name} not found next to the package`);
}

/** Debian's python, which sees Debian's python3-torch (the pyenv python3 first on PATH does not). */
export const PYTHON = '/usr/bin/python3';

/**
 * Runs the peer script once per setting with `args` (everything but --threads) and returns each
 * run's JSON, in the order of `settings`.
 */
export function runPeer(script: 'seq2seq_torch.py' | 'transformer_torch.py', args: string[], settings: PeerSetting[]): TrainBenchResult[] {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new UserError(`s2s bench train --peer: needs ${PYTHON} with torch (Debian: apt install python3-torch)`);
  const path = peerScript(script);
  return settings.map((s) => {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(s.blasThreads), OMP_NUM_THREADS: String(s.torchThreads) };
    const r = spawnSync(PYTHON, [path, ...args, '--threads', String(s.torchThreads)], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`PyTorch peer failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as TrainBenchResult;
    return { ...out, blas_threads: s.blasThreads };
  });
}
