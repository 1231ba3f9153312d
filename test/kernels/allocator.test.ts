import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearAllocator, sizeClass } from '../../src/kernels/wasm/allocator.js';
import type { WasmMemory } from '../../src/kernels/wasm/wasm-api.js';

// lib ES2022 declares no WebAssembly global (see wasm-api.ts)
const Wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory } }).WebAssembly;

function memory(): WasmMemory {
  return new Wasm.Memory({ initial: 1, maximum: 65536, shared: true });
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
}

/**
 * Steps whose shapes vary (a Transformer on sentences of every length): each step allocates
 * blocks of new sizes and frees them. Before compaction the size-class pools kept every class's
 * blocks, so the memory grew with the number of distinct shapes seen (to 4 GiB on translation data);
 * now it stays within a small multiple of one step's peak.
 */
test('wasm allocator: steps of ever-changing sizes reuse freed memory instead of growing', () => {
  const mem = memory();
  const a = new LinearAllocator(mem, 0);
  const r = rng(7);
  let peakStep = 0;
  for (let step = 0; step < 400; step++) {
    const len = 8 + Math.floor(r() * 140); // a batch's sentence length
    const sizes = [len * 13 * 256, len * len * 4 * 13, len * 13 * 1024, len * 13 * 4123, 777 + len];
    const ps = sizes.map((n) => a.allocBytes(n * 4));
    peakStep = Math.max(peakStep, sizes.reduce((s, n) => s + sizeClass(n * 4), 0));
    for (const p of ps) a.freeBytes(p);
  }
  assert.equal(a.stats().liveBytes, 0);
  assert.ok(mem.buffer.byteLength <= 4 * peakStep, `memory ${mem.buffer.byteLength} bytes for a step peak of ${peakStep}`);
});

test('wasm allocator: compaction never moves or overwrites live blocks, and frees are still checked', () => {
  const mem = memory();
  const a = new LinearAllocator(mem, 0);
  const r = rng(3);
  const live = new Map<number, { n: number; v: number }>();
  for (let round = 0; round < 300; round++) {
    // allocate a few blocks of random sizes and fill each with its own value
    for (let k = 0; k < 4; k++) {
      const n = 16 + Math.floor(r() * 20000);
      const p = a.allocBytes(n * 4);
      assert.ok(p % 64 === 0, 'blocks stay 64-byte aligned');
      const v = round * 10 + k;
      new Float32Array(mem.buffer, p, n).fill(v);
      live.set(p, { n, v });
    }
    // free about half of the live blocks
    for (const p of [...live.keys()]) if (r() < 0.5) {
      a.freeBytes(p);
      live.delete(p);
    }
    for (const [p, { n, v }] of live) {
      const f = new Float32Array(mem.buffer, p, n);
      assert.ok(f[0] === v && f[n - 1] === v, `live block at ${p} overwritten (round ${round})`);
    }
  }
  const [p] = live.keys();
  a.freeBytes(p!);
  assert.throws(() => a.freeBytes(p!), /freed twice/);
});
