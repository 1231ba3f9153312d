/**
 * The pieces of `s2s bench train` that decide what gets reported: the peer's thread settings and
 * how its best is picked, and the kernel profile (outermost calls only, the same results).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestOf, peerSettings } from '../../bench/train-peer.js';
import { profileBackend } from '../../bench/kernel-profile.js';
import type { TrainBenchResult } from '../../bench/train-result.js';
import { JsBackend, type Backend } from '../../src/kernels/index.js';

test('peer settings: torch × OpenBLAS threads in {1, N}; one setting without the sweep or on 1 thread', () => {
  assert.deepEqual(peerSettings(2, true), [
    { torchThreads: 1, blasThreads: 1 }, { torchThreads: 1, blasThreads: 2 }, { torchThreads: 2, blasThreads: 1 }, { torchThreads: 2, blasThreads: 2 },
  ]);
  assert.deepEqual(peerSettings(1, true), [{ torchThreads: 1, blasThreads: 1 }]);
  assert.deepEqual(peerSettings(4, false), [{ torchThreads: 4, blasThreads: 1 }]);
});

function run(threads: number, blas: number, ms: number, greedy: number, beam: number): TrainBenchResult {
  return {
    engine: 'pytorch', threads, blas_threads: blas, batch: 64, src_len: 20, tgt_len: 20, vocab: 1000, emb: 256, hidden: 256, layers: 3,
    arch: 'transformer', attention: 'multi-head', params: 1, steps: 20, ms_per_step: ms, cpu_ms_per_step: ms, tgt_tok_per_s: 1280 / (ms / 1000),
    first_loss: 7, greedy_sent_per_s: greedy, beam_sent_per_s: beam, beam: 5,
  };
}

test('the peer\'s best: training from the fastest step, each decoding rate from its own fastest setting', () => {
  const best = bestOf([run(1, 1, 300, 100, 30), run(1, 2, 250, 90, 35), run(2, 1, 280, 120, 20), run(2, 2, 400, 80, 10)]);
  assert.equal(best.ms_per_step, 250);
  assert.equal(best.tgt_tok_per_s, 1280 / 0.25);
  assert.equal(best.greedy_sent_per_s, 120);
  assert.equal(best.beam_sent_per_s, 35);
  assert.deepEqual(best.best_setting, { train: 'torch 1, OpenBLAS 2', greedy: 'torch 2, OpenBLAS 1', beam: 'torch 1, OpenBLAS 2' });
  assert.throws(() => bestOf([]), /no peer results/);
});

test('kernel profile: counts only outermost calls, and the kernels compute the same values', () => {
  // a backend whose `outer` calls `inner` through this, as a fused op calls gemm
  const fake = {
    calls: 0,
    inner(): number { this.calls++; return 1; },
    outer(): number { return this.inner() + this.inner(); },
  };
  const p = profileBackend(fake as unknown as Backend);
  const b = p.backend as unknown as typeof fake;
  assert.equal(b.outer(), 2);
  assert.equal(b.outer(), 2);
  assert.equal(b.inner(), 1);
  assert.equal(fake.calls, 5);
  const rows = p.rows();
  assert.deepEqual(rows.map((r) => [r.kernel, r.calls]).sort(), [['inner', 1], ['outer', 2]]);
  assert.ok(rows.every((r) => r.ms >= 0));
  p.reset();
  assert.deepEqual(p.rows(), []);

  const js = new JsBackend();
  const timed = profileBackend(js).backend;
  const A = Float32Array.from({ length: 6 }, (_, i) => i + 1); // 2×3
  const B = Float32Array.from({ length: 6 }, (_, i) => 6 - i); // 3×2
  const C = new Float32Array(4);
  timed.gemm(false, false, 2, 2, 3, 1, A, 3, B, 2, 0, C, 2);
  // [1 2 3; 4 5 6] · [6 5; 4 3; 2 1] = [20 14; 56 41]
  assert.deepEqual([...C], [20, 14, 56, 41]);
});
