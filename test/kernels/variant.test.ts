// Picking the kernel build (src/kernels/wasm/variant.ts): the simd option, S2S_WASM_SIMD through the
// platform's settings, the fallback to plain SIMD, and that the two builds compute the same gemm up
// to rounding while each build alone stays bit-reproducible.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { WasmBackend } from '../../src/kernels/wasm/index.js';
import { chooseVariant, relaxedSimdSupported, SIMD_ENV } from '../../src/kernels/wasm/variant.js';
import { createBackend, disposeBackend } from '../../src/kernels/index.js';
import { UserError } from '../../src/util/errors.js';
import { getPlatform, type Platform } from '../../src/platform/index.js';
import { randF, close } from './helpers.js';

const host = await getPlatform();
const relaxed = relaxedSimdSupported(host);

/** The host platform with S2S_WASM_SIMD set to `env` and, optionally, a loader of its own. */
function withEnv(env: string | undefined, load?: Platform['loadWasmBytes']): Platform {
  return {
    name: host.name,
    loadWasmBytes: load ?? ((v) => host.loadWasmBytes(v)),
    createWorker: (url, data) => host.createWorker(url, data),
    cpuCount: () => host.cpuCount(),
    enableRelaxedSimd: () => host.enableRelaxedSimd?.() ?? false,
    setting: (name) => (name === SIMD_ENV ? env : undefined),
  };
}

describe('kernel build selection', () => {
  test('Node ≥ 20 runs the relaxed build (Node 20 after switching its V8 flag on)', () => {
    assert.equal(relaxed, true);
  });

  test('auto picks relaxed where supported; S2S_WASM_SIMD=plain forces plain; an explicit option wins', () => {
    assert.equal(chooseVariant(withEnv(undefined)), relaxed ? 'relaxed' : 'plain');
    assert.equal(chooseVariant(withEnv('')), relaxed ? 'relaxed' : 'plain');
    assert.equal(chooseVariant(withEnv('plain')), 'plain');
    assert.equal(chooseVariant(withEnv('auto')), relaxed ? 'relaxed' : 'plain');
    assert.equal(chooseVariant(withEnv('plain'), 'relaxed'), 'relaxed');
    assert.equal(chooseVariant(withEnv('relaxed'), 'plain'), 'plain');
  });

  test('a bad S2S_WASM_SIMD is a UserError naming the variable, and createBackend does not hide it behind js', async () => {
    assert.throws(() => chooseVariant(withEnv('fast')), (e: unknown) => e instanceof UserError && /S2S_WASM_SIMD: 'fast' is not one of auto, relaxed, plain/.test(e.message));
    await assert.rejects(createBackend({ platform: withEnv('fast'), threads: 1 }), UserError);
  });

  test('auto falls back to plain when the relaxed build cannot be loaded; an explicit relaxed fails', async () => {
    const onlyPlain = withEnv(undefined, (v) => (v === 'relaxed' ? Promise.reject(new Error('no kernels-relaxed.wasm')) : host.loadWasmBytes(v)));
    const b = await WasmBackend.create({ threads: 1 }, onlyPlain);
    assert.equal(b.simd, 'plain');
    if (relaxed) await assert.rejects(WasmBackend.create({ threads: 1, simd: 'relaxed' }, onlyPlain), /no kernels-relaxed\.wasm/);
  });

  test('both builds give the same gemm up to rounding; each is bit-identical across thread counts', { skip: !relaxed && 'no relaxed SIMD here' }, async () => {
    const M = 37, N = 129, K = 300;
    const run = async (simd: 'plain' | 'relaxed', threads: number): Promise<Float32Array> => {
      const be = await WasmBackend.create({ threads, simd, minParallelFlops: 1e3 });
      const A = randF(be, M * K, 1), B = randF(be, K * N, 2), C = be.allocF32(M * N);
      be.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N);
      const out = Float32Array.from(C);
      await disposeBackend(be);
      return out;
    };
    const p1 = await run('plain', 1), r1 = await run('relaxed', 1), r2 = await run('relaxed', 2);
    assert.deepEqual(r2, r1);
    close(r1, p1, 1e-4, 1e-5 * Math.sqrt(K), 'relaxed vs plain gemm');
    // the fused rounding shows: the builds are really different code
    assert.ok(r1.some((v, i) => v !== p1[i]), 'relaxed and plain gemm agree bit for bit: is madd fused?');
  });
});
