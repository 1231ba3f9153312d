// Which build of the kernel module to load: `relaxed` (kernels-relaxed.wasm: relaxed SIMD, the
// gemm micro-kernel and the other multiply-add loops on one FMA instruction each) where the engine
// runs it, else `plain` (kernels.wasm: SIMD only). Both are built by scripts/build-wasm.mjs from
// the same sources; `madd` in assembly/simd.ts is the only place they differ.
import type { Platform } from '../../platform/index.js';
import { UserError } from '../../util/errors.js';
import { WA } from './wasm-api.js';

export type SimdVariant = 'relaxed' | 'plain';
/** What a caller may ask for: a variant, or `auto` (relaxed where it runs, else plain). */
export type SimdChoice = SimdVariant | 'auto';

/** The environment variable that overrides `auto` (docs/engine-kernels.md): plain, relaxed or auto. */
export const SIMD_ENV = 'S2S_WASM_SIMD';

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type section
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

let relaxedKnown: boolean | null = null;

/**
 * True when this engine compiles relaxed-SIMD modules. Where it does not, the platform may switch
 * the feature on (Node 20 has it behind a V8 flag; see platform/node.ts) and the probe is repeated.
 * The answer is kept: V8's feature flags are process-wide, so it does not change afterwards.
 */
export function relaxedSimdSupported(platform: Platform): boolean {
  if (relaxedKnown !== null) return relaxedKnown;
  let ok = WA.validate(RELAXED_PROBE);
  if (!ok && platform.enableRelaxedSimd?.() === true) ok = WA.validate(RELAXED_PROBE);
  relaxedKnown = ok;
  return ok;
}

function parseChoice(v: string, where: string): SimdChoice {
  if (v === 'auto' || v === 'relaxed' || v === 'plain') return v;
  throw new UserError(`${where}: '${v}' is not one of auto, relaxed, plain; set it to one of them (or unset it)`);
}

/**
 * The variant to load. An explicit `relaxed` or `plain` wins; `auto` (or nothing) defers to the
 * platform's S2S_WASM_SIMD setting, then to feature detection. Asking for `relaxed` where the
 * engine cannot run it is an error; `auto` falls back to plain.
 */
export function chooseVariant(platform: Platform, requested: SimdChoice = 'auto'): SimdVariant {
  let want = parseChoice(requested, 'wasm backend option simd');
  if (want === 'auto') {
    const env = platform.setting?.(SIMD_ENV);
    if (env !== undefined && env !== '') want = parseChoice(env, SIMD_ENV);
  }
  if (want === 'plain') return 'plain';
  const ok = relaxedSimdSupported(platform);
  if (want === 'relaxed' && !ok) {
    throw new UserError('relaxed-SIMD kernels requested, but this WebAssembly engine does not run relaxed SIMD (Chromium ≥ 114 and Node ≥ 20 do); ask for auto or plain');
  }
  return ok ? 'relaxed' : 'plain';
}
