import { backend } from '../engine.js';
import { shapeStr, type Tensor } from '../tensor.js';
import type { F32 } from '../../kernels/backend.js';
import { checkTensor, multiOutput, rawTensor, accGrad } from './util.js';
import { AttentionCore, attentionParamGrads, type AttentionArrays, type AttentionScore } from './attention-core.js';

export { MASKED_SCORE, type AttentionScore } from './attention-core.js';

export interface AttentionOpInputs {
  kind: AttentionScore;
  /** [B, Q, H]: Q queries per batch row. */
  query: Tensor;
  /** [B, S, Hm] */
  memory: Tensor;
  /** [B, S, H] (general: memory·W_a; bahdanau: memory·W_1; dot: the memory itself) */
  keys: Tensor;
  /** i32 [B, 1, S] (1 = padding) or null. */
  mask: Tensor | null;
  /** [Hm + H, H] */
  weightC: Tensor;
  /** bahdanau: W_2 [H, H] and v [H, 1]; null otherwise. */
  w2: Tensor | null;
  v: Tensor | null;
}

/**
 * Global attention of Q queries per batch row over the memory, as one op (the math is
 * AttentionCore's, which the fused decoder sequence op runs too):
 * → h̃ [B·Q, H] (batch-major rows b·Q + j) and α [B, Q, S].
 */
export function attention(a: AttentionOpInputs): { out: Tensor; alpha: Tensor } {
  const op = `attention(${a.kind})`;
  checkTensor(op, 'query', a.query, 'f32', 3);
  checkTensor(op, 'memory', a.memory, 'f32', 3);
  checkTensor(op, 'keys', a.keys, 'f32', 3);
  checkTensor(op, 'weightC', a.weightC, 'f32', 2);
  const [B, Q, H] = a.query.shape as [number, number, number];
  const [Bm, S, Hm] = a.memory.shape as [number, number, number];
  if (Bm !== B) throw new Error(`${op}: memory ${shapeStr(a.memory.shape)} does not match query ${shapeStr(a.query.shape)}`);
  if (a.keys.shape[0] !== B || a.keys.shape[1] !== S || a.keys.shape[2] !== H) throw new Error(`${op}: keys must be [${B}, ${S}, ${H}], got ${shapeStr(a.keys.shape)}`);
  if (a.weightC.shape[0] !== Hm + H || a.weightC.shape[1] !== H) throw new Error(`${op}: weightC must be [${Hm + H}, ${H}], got ${shapeStr(a.weightC.shape)}`);
  if (a.mask !== null) {
    checkTensor(op, 'mask', a.mask, null);
    if (a.mask.size !== B * S) throw new Error(`${op}: mask must be [${B}, 1, ${S}], got ${shapeStr(a.mask.shape)}`);
  }
  if (a.kind === 'bahdanau') {
    if (a.w2 === null || a.v === null) throw new Error(`${op}: needs w2 and v`);
    checkTensor(op, 'w2', a.w2, 'f32', 2);
    if (a.w2.shape[0] !== H || a.w2.shape[1] !== H) throw new Error(`${op}: w2 must be [${H}, ${H}], got ${shapeStr(a.w2.shape)}`);
    if (a.v.size !== H) throw new Error(`${op}: v must have ${H} values, got ${shapeStr(a.v.shape)}`);
  }
  const n = B * Q;
  const arrs: AttentionArrays = {
    kind: a.kind, B, S, H, Hm, memory: a.memory.f32, keys: a.keys.f32, mask: a.mask === null ? null : (a.mask.data as Int32Array),
    weightC: a.weightC.f32, w2: a.w2?.f32 ?? null, v: a.v?.f32 ?? null,
  };
  const ctx = rawTensor([n, Hm], 'f32');
  const e = a.kind === 'bahdanau' ? rawTensor([n * S, H], 'f32') : null;
  const inputs = [a.query, a.memory, a.keys, a.weightC];
  if (a.w2 !== null) inputs.push(a.w2);
  if (a.v !== null) inputs.push(a.v);
  const [out, alpha] = multiOutput([[n, H], [B, Q, S]], inputs, ([out, alpha]) => {
    const k = backend();
    const saved = { q: a.query.f32, y: out!.f32, ctx: ctx.f32, alpha: alpha!.f32, e: e?.f32 ?? null };
    const dY = out!.grad ?? k.allocF32(n * H, true);
    const g = {
      dPre: k.allocF32(n * H), dCtx: k.allocF32(n * Hm), dS: k.allocF32(n * S),
      dE: e === null ? null : k.allocF32(n * S * H), dQw: e === null ? null : k.allocF32(n * H),
    };
    const dq = k.allocF32(n * H);
    const core = new AttentionCore(arrs, Q, 1, 'backward');
    core.backward(saved, dY, dq, g, alpha!.grad);
    core.dispose();
    if (out!.grad === null) k.free(dY);
    const sink = (t: Tensor | null) => (t !== null && t.requiresGrad ? (w: (dst: F32, acc: boolean) => void) => accGrad(t, w) : null);
    attentionParamGrads(arrs, { J: Q, bStride: Q, jStride: 1 }, saved, g, {
      weightC: sink(a.weightC), memory: sink(a.memory), keys: sink(a.keys), w2: sink(a.w2), v: sink(a.v),
    });
    if (a.query.requiresGrad) accGrad(a.query, (dst, acc) => (acc ? k.axpy(n * H, 1, dq, dst) : k.copyRows(1, n * H, dq, 0, dst, 0, false)));
    for (const x of [dq, g.dPre, g.dCtx, g.dS, g.dE, g.dQw]) if (x !== null) k.free(x);
  }) as [Tensor, Tensor];
  const core = new AttentionCore(arrs, Q, 1, 'forward');
  core.forward({ q: a.query.f32, y: out.f32, ctx: ctx.f32, alpha: alpha.f32, e: e?.f32 ?? null });
  core.dispose();
  if (!out.requiresGrad) {
    ctx.dispose();
    e?.dispose();
  }
  return { out, alpha };
}
