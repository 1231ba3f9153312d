/**
 * One attention, three paths: Attention.forwardAll (all queries at once), Attention.step (one query
 * at a time) and the fused decoder op (decoderSequence, through Decoder.run — pinned to the step
 * path in test/models/fused-decoder.test.ts) run the same AttentionCore. Here the step and
 * all-steps paths are pinned to each other and to the formulas written out from primitives.
 */
import { test } from 'node:test';
import {
  MASKED_SCORE, Rng, add, bmm, concat, fromArray, intTensor, matmul, maskedFill, reshape, slice, softmax, tanh, tidy, transpose, type Tensor,
} from '../../src/tensor/index.js';
import { Attention } from '../../src/nn/index.js';
import { assertClose } from '../helpers/gradcheck.js';

function rand(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1), shape);
}

/** score, mask, softmax, context and h̃ written out from primitive ops: q [B, T, H] → h̃ [B·T, H]. */
function formula(att: Attention, q: Tensor, mem: Tensor, mask: Tensor): { out: Tensor; alpha: Tensor } {
  const [B, T, H] = q.shape as [number, number, number];
  const S = mem.shape[1]!;
  let scores: Tensor;
  if (att.kind === 'bahdanau') {
    const keys = reshape(matmul(reshape(mem, [B * S, att.memorySize]), att.W_1!), [B, 1, S, H]);
    const e = tanh(add(keys, reshape(matmul(reshape(q, [B * T, H]), att.W_2!), [B, T, 1, H])));
    scores = reshape(matmul(reshape(e, [B * T * S, H]), att.v!), [B, T, S]);
  } else {
    const keys = att.kind === 'dot' ? mem : reshape(matmul(reshape(mem, [B * S, att.memorySize]), att.W_a!), [B, S, H]);
    scores = bmm(q, keys, false, true);
  }
  const alpha = softmax(maskedFill(scores, mask, MASKED_SCORE), -1);
  const ctx = bmm(alpha, mem);
  return { out: tanh(matmul(reshape(concat([ctx, q], 2), [B * T, att.memorySize + H]), att.W_c)), alpha };
}

for (const kind of ['dot', 'general', 'bahdanau'] as const) {
  test(`Attention(${kind}): step, forwardAll and the written-out formula agree`, () => tidy(() => {
    const rng = new Rng(8);
    const B = 3, T = 4, S = 5, H = 6, Hm = kind === 'dot' ? 6 : 7;
    const att = new Attention(kind, Hm, H, rng);
    const q = rand([B, T, H], rng);
    const mem = rand([B, S, Hm], rng);
    const mask = intTensor(Array.from({ length: B * S }, (_, i) => (i % S >= S - (i / S | 0) ? 1 : 0)), [B, 1, S]);
    const keys = att.keys(mem);
    const all = att.forwardAll(q, mem, keys, mask);
    const ref = formula(att, q, mem, mask);
    assertClose(all.out.toArray(), ref.out.toArray(), 1e-6, 1e-5, 'forwardAll h̃');
    assertClose(all.alpha.toArray(), ref.alpha.toArray(), 1e-6, 1e-5, 'forwardAll α');
    // step t on query t: h̃ rows b·T + t of forwardAll, α row (b, t)
    const qt = transpose(q, 0, 1); // [T, B, H]
    const allOut = all.out.toArray(), allAlpha = all.alpha.toArray();
    for (let t = 0; t < T; t++) {
      const s = att.step(reshape(slice(qt, 0, t, t + 1), [B, H]), mem, keys, mask);
      const so = s.out.toArray(), sa = s.alpha.toArray();
      for (let b = 0; b < B; b++) {
        assertClose(so.slice(b * H, (b + 1) * H), allOut.slice((b * T + t) * H, (b * T + t + 1) * H), 1e-7, 1e-6, `step ${t} h̃ row ${b}`);
        assertClose(sa.slice(b * S, (b + 1) * S), allAlpha.slice((b * T + t) * S, (b * T + t + 1) * S), 1e-7, 1e-6, `step ${t} α row ${b}`);
      }
    }
  }));
}
