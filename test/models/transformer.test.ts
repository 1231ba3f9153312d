/**
 * The Transformer: parameter names, the incremental (key/value-cached) decoder against the full
 * teacher-forced forward, searches through the Scorer interface (beam 1 = greedy, padding is
 * invisible, memory stays flat), and a whole-model gradient check. Learning: transformer-learn.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, backend, logSoftmax, noGrad, tidy } from '../../src/tensor/index.js';
import { buildModel, Transformer, type TransformerConfig } from '../../src/models/index.js';
import { beamSearch, greedy, sample } from '../../src/decode/index.js';
import { DIGIT_VOCAB, digitPairs, tokenBatch } from './helpers.js';

type Cfg = Partial<TransformerConfig>;
const TINY: Cfg = { srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 16, heads: 4, ffn: 24, layers: 2, decoderLayers: 2, dropout: 0 };

/** A small untrained Transformer with large random weights: peaked, varied distributions. */
function randomTransformer(cfg: Cfg, seed: number): Transformer {
  const m = buildModel({ ...TINY, ...cfg, arch: 'transformer' }, new Rng(seed));
  const r = new Rng(seed + 100);
  for (const [name, p] of m.namedParameters()) {
    if (name.endsWith('layer_norm.weight')) continue;
    for (let i = 0; i < p.size; i++) p.data[i] = (r.uniform() * 2 - 1) * 0.6;
  }
  return m.eval();
}

test('Transformer parameter names and shapes follow fairseq (tied, pre-norm, sinusoidal)', () => {
  const m = buildModel({ arch: 'transformer', srcVocab: 10, tgtVocab: 12, emb: 8, heads: 2, ffn: 16, layers: 1, decoderLayers: 1 });
  const names = m.namedParameters().map(([n, t]) => `${n} [${t.shape.join(', ')}]`);
  const attn = (p: string): string[] => ['q_proj', 'k_proj', 'v_proj', 'out_proj'].flatMap((x) => [`${p}.${x}.weight [8, 8]`, `${p}.${x}.bias [8]`]);
  const norm = (p: string): string[] => [`${p}.weight [8]`, `${p}.bias [8]`];
  const ffn = (p: string): string[] => [`${p}.fc1.weight [8, 16]`, `${p}.fc1.bias [16]`, `${p}.fc2.weight [16, 8]`, `${p}.fc2.bias [8]`];
  assert.deepEqual(names, [
    'encoder.embed_tokens.weight [10, 8]',
    ...attn('encoder.layers.0.self_attn'), ...norm('encoder.layers.0.self_attn_layer_norm'), ...ffn('encoder.layers.0'), ...norm('encoder.layers.0.final_layer_norm'),
    ...norm('encoder.layer_norm'),
    'decoder.embed_tokens.weight [12, 8]',
    ...attn('decoder.layers.0.self_attn'), ...norm('decoder.layers.0.self_attn_layer_norm'),
    ...attn('decoder.layers.0.encoder_attn'), ...norm('decoder.layers.0.encoder_attn_layer_norm'),
    ...ffn('decoder.layers.0'), ...norm('decoder.layers.0.final_layer_norm'),
    ...norm('decoder.layer_norm'),
  ]);
  // untied, post-norm, learned positions, shared source/target table
  const u = buildModel({ arch: 'transformer', srcVocab: 12, tgtVocab: 12, emb: 8, heads: 2, ffn: 16, layers: 1, tieEmbeddings: false, postNorm: true, positions: 'learned', maxPositions: 20, shareEmbeddings: true });
  const un = u.namedParameters().map(([n]) => n);
  assert.ok(un.includes('encoder.embed_positions.weight') && un.includes('decoder.embed_positions.weight'));
  assert.ok(un.includes('decoder.output_projection.weight'));
  assert.ok(!un.includes('decoder.embed_tokens.weight'), 'shared: one table, the encoder\'s');
  assert.ok(!un.includes('encoder.layer_norm.weight') && !un.includes('decoder.layer_norm.weight'), 'post-norm: no final stack norms');
  assert.equal(u.decoder.table, u.encoder.embed_tokens.weight);
  assert.throws(() => buildModel({ arch: 'transformer', srcVocab: 10, tgtVocab: 12, shareEmbeddings: true }), /shareEmbeddings needs one vocabulary/);
  assert.throws(() => buildModel({ arch: 'transformer', srcVocab: 10, tgtVocab: 12, emb: 10, heads: 4 }), /divisible by heads/);
  assert.throws(() => buildModel({ arch: 'transformer', srcVocab: 10, tgtVocab: 12, hidden: 8 } as unknown as Cfg & { arch: 'transformer' }), /'hidden' is not a Transformer field/);
});

const VARIANTS: [string, Cfg][] = [
  ['pre-norm, sinusoidal, tied', {}],
  ['post-norm, learned positions, untied', { postNorm: true, positions: 'learned', maxPositions: 40, tieEmbeddings: false }],
  ['gelu, 1 encoder + 3 decoder layers', { activation: 'gelu', layers: 1, decoderLayers: 3 }],
];

for (const [what, cfg] of VARIANTS) {
  test(`incremental decoding equals the teacher-forced forward at every position (${what})`, () => {
    const model = randomTransformer(cfg, 3);
    const pairs = digitPairs(new Rng(4), 5, 'copy', 1, 7);
    const batch = tokenBatch(pairs);
    const { B, T } = batch;
    noGrad(() => tidy(() => {
      const full = logSoftmax(model.logits(batch), -1).f32; // rows b·T + t
      const V = DIGIT_VOCAB;
      let state = model.startState(model.encode(batch.src, batch.srcLen, B, batch.S));
      let worst = 0;
      for (let t = 0; t < T; t++) {
        const prev = Int32Array.from({ length: B }, (_, b) => batch.tgtIn[b * T + t]!);
        const r = model.step(state, prev);
        state = r.state;
        assert.equal(state.selfK[0]!.shape[1], t + 1, 'the cache grows by one position a step');
        const lp = r.logProbs.f32;
        for (let b = 0; b < B; b++) {
          if (batch.tgtOut[b * T + t] === 0) continue; // past this sentence's end
          for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(lp[b * V + v]! - full[(b * T + t) * V + v]!));
        }
        // attention: the last layer's cross-attention, heads averaged: rows sum to 1, no weight on padding
        for (let b = 0; b < B; b++) {
          let s = 0;
          for (let j = 0; j < batch.S; j++) {
            const a = r.attention[b * batch.S + j]!;
            if (j >= batch.srcLen[b]!) assert.ok(a < 1e-6, `padding attended: ${a}`);
            s += a;
          }
          assert.ok(Math.abs(s - 1) < 1e-4);
        }
      }
      assert.ok(worst < 1e-5, `largest difference ${worst}`);
    }));
  });
}

test('selectState reorders the caches with the rows', () => {
  const model = randomTransformer({}, 5);
  const batch = tokenBatch(digitPairs(new Rng(6), 3, 'reverse', 2, 6));
  noGrad(() => tidy(() => {
    let st = model.startState(model.encode(batch.src, batch.srcLen, batch.B, batch.S));
    st = model.step(st, new Int32Array(3).fill(2)).state;
    st = model.step(st, Int32Array.from([5, 6, 7])).state;
    const rows = Int32Array.from([2, 0, 0, 1]);
    const picked = model.step(model.selectState(st, rows), Int32Array.from([8, 9, 9, 4])).logProbs.f32;
    const whole = model.step(st, Int32Array.from([9, 4, 8])).logProbs.f32;
    const V = DIGIT_VOCAB;
    const expectRow = [2, 0, 0, 1];
    const tokenOf = [9, 4, 8];
    [8, 9, 9, 4].forEach((tok, i) => {
      const src = expectRow[i]!;
      if (tokenOf[src] !== tok) return; // only rows fed the same token as in `whole` are comparable
      for (let v = 0; v < V; v++) assert.ok(Math.abs(picked[i * V + v]! - whole[src * V + v]!) < 1e-6);
    });
  }));
});

test('Transformer: beam size 1 equals greedy; a batch decodes as each sentence alone; sampling runs', () => {
  const model = randomTransformer({}, 7);
  const pairs = digitPairs(new Rng(8), 8, 'copy', 1, 8);
  const batch = tokenBatch(pairs);
  const g = greedy(model, batch, { maxLenA: 1, maxLenB: 4, attention: true });
  const b1 = beamSearch(model, batch, { beam: 1, maxLenA: 1, maxLenB: 4, attention: true });
  g.forEach((h, i) => {
    assert.deepEqual(b1[i]![0]!.tokens, h.tokens, `sentence ${i}`);
    assert.ok(Math.abs(b1[i]![0]!.score - h.score) < 1e-9);
    assert.deepEqual(b1[i]![0]!.attention, h.attention);
  });
  const beam = beamSearch(model, batch, { beam: 4, nBest: 2, maxLenA: 1, maxLenB: 4 });
  pairs.forEach((p, i) => {
    const one = tokenBatch([p]);
    const g1 = greedy(model, one, { maxLenA: 1, maxLenB: 4 })[0]!;
    assert.deepEqual(g[i]!.tokens, g1.tokens, `sentence ${i} alone`);
    assert.ok(Math.abs(g[i]!.score - g1.score) < 1e-4);
    const b1one = beamSearch(model, one, { beam: 4, nBest: 2, maxLenA: 1, maxLenB: 4 })[0]!;
    assert.deepEqual(beam[i]!.map((h) => h.tokens), b1one.map((h) => h.tokens));
    b1one.forEach((h, k) => assert.ok(Math.abs(beam[i]![k]!.score - h.score) < 1e-4));
  });
  assert.ok(g.some((h) => h.tokens.length > 0));
  const s1 = sample(model, batch, { topK: 1, rng: new Rng(1), maxLenA: 1, maxLenB: 4 });
  assert.deepEqual(s1.map((h) => h.tokens), g.map((h) => h.tokens));
});

test('Transformer decoding frees every tensor it makes (memory stays flat)', () => {
  const model = randomTransformer({}, 9);
  const batch = tokenBatch(digitPairs(new Rng(12), 6, 'copy'));
  greedy(model, batch);
  beamSearch(model, batch, { beam: 3 });
  const before = backend().memoryStats().liveBytes;
  for (let i = 0; i < 2; i++) {
    greedy(model, batch);
    beamSearch(model, batch, { beam: 4, nBest: 2 });
    sample(model, batch, { rng: new Rng(i) });
  }
  assert.equal(backend().memoryStats().liveBytes, before);
});

test('learned positions: outputs end at the table\'s last row (EOS forced); a longer source is a UserError', () => {
  const model = randomTransformer({ positions: 'learned', maxPositions: 5 }, 11);
  const batch = tokenBatch(digitPairs(new Rng(13), 6, 'copy', 3, 5));
  for (const hyps of [greedy(model, batch, { maxLen: 50, attention: true }), beamSearch(model, batch, { beam: 3, maxLen: 50 }).map((h) => h[0]!)]) {
    for (const h of hyps) assert.ok(h.tokens.length <= 5, `${h.tokens.length} tokens`);
  }
  assert.throws(() => greedy(model, tokenBatch([{ src: [4, 5, 6, 7, 8, 9], tgt: [] }])), (e: Error) => e.name === 'UserError' && /longer than the model's 5 positions/.test(e.message));
});
