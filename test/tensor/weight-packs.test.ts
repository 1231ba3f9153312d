/**
 * Decoding reuses each weight's packed copy for the whole decode (src/tensor/ops/weight-packs.ts):
 * the products are bit-identical to unpacked ones, the packs are freed when the decode ends, and
 * nothing is cached while gradients are on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backend, clearTape, tidy, fromArray, inference, linear, matmul, noGrad, parameter, Rng, setBackend, withPackedWeights, type Tensor } from '../../src/tensor/index.js';
import { advance, releaseState, scoreStep } from '../../src/decode/memory.js';
import { BOS_ID, type SourceBatch } from '../../src/decode/scorer.js';
import { buildModel, type Seq2SeqModel } from '../../src/models/index.js';
import { digitPairs, tokenBatch, DIGIT_VOCAB } from '../models/helpers.js';
import { testBackends, type BackendCase } from '../helpers/backends.js';

function randomTensor(rng: Rng, shape: number[], asParameter: boolean): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => rng.uniform() * 2 - 1);
  if (!asParameter) return fromArray(v, shape);
  const p = parameter(shape);
  p.f32.set(v);
  return p;
}

const backends = await testBackends();

/** Runs fn with the backend bc makes, then puts the previous one back. */
async function onBackend(bc: BackendCase, fn: () => void): Promise<void> {
  const prev = backend();
  setBackend(await bc.make());
  try {
    fn();
  } finally {
    setBackend(prev);
  }
}

for (const bc of backends) {
  test(`${bc.name}: matmul and linear with a weight give the same bits inside a decode scope, and the scope frees its packs`, () => onBackend(bc, () => {
    const rng = new Rng(3);
    // K beyond one KC block (256) and N not a multiple of the 8-wide panels
    for (const [K, N] of [[37, 29], [300, 45], [8, 8]] as const) {
      const W = randomTensor(rng, [K, N], true);
      const Wt = randomTensor(rng, [N, K], true);
      const bias = randomTensor(rng, [N], true);
      for (const M of [1, 4, 5, 7, 13, 64]) {
        const x = randomTensor(rng, [M, K], false);
        const plain = tidy(() => noGrad(() => [matmul(x, W).toArray(), matmul(x, Wt, false, true).toArray(), linear(x, W, bias).toArray()]));
        const before = backend().memoryStats().liveBytes;
        const scoped = tidy(() => inference(() => {
          // twice: the second call reads the pack the first one made
          const first = [matmul(x, W).toArray(), matmul(x, Wt, false, true).toArray(), linear(x, W, bias).toArray()];
          const again = [matmul(x, W).toArray(), matmul(x, Wt, false, true).toArray(), linear(x, W, bias).toArray()];
          assert.deepEqual(again, first);
          return first;
        }));
        assert.deepEqual(scoped, plain, `K ${K} N ${N} M ${M}`);
        assert.equal(backend().memoryStats().liveBytes, before, `packs freed (K ${K} N ${N} M ${M})`);
      }
    }
  }));
}

test('wasm: a decode scope holds one pack per weight while it runs, and none with gradients on', async (t) => {
  const wasm = backends.find((b) => b.name === 'wasm threads=1');
  if (!wasm) { t.skip('no wasm backend'); return; }
  await onBackend(wasm, () => {
    const rng = new Rng(4);
    const W = randomTensor(rng, [40, 24], true);
    const x = randomTensor(rng, [10, 40], false);
    const live = (): number => backend().memoryStats().liveBytes;
    const output = 10 * 24 * 4, pack = 40 * 24 * 4;
    let first = 0, second = 0;
    withPackedWeights(() => noGrad(() => {
      const l0 = live();
      const out0 = matmul(x, W); // the output, then the pack
      const l1 = live();
      const out1 = matmul(x, W); // the pack is reused: only the output is new
      first = l1 - l0;
      second = live() - l1;
      out0.dispose();
      out1.dispose();
    }));
    assert.ok(first >= output + pack, `the first product packs W (grew ${first} bytes)`);
    assert.ok(second >= output && second < output + pack, `the second product allocates only its output (grew ${second} bytes)`);
    // gradients on inside the scope: a plain gemm, nothing kept
    const base = live();
    withPackedWeights(() => {
      const y = matmul(x, W);
      y.dispose();
      assert.equal(live(), base);
    });
    clearTape();
  });
});

/** Encodes, repeats every sentence's state `beam` times, then runs `steps` decoder steps on fixed tokens: every step's log-probabilities and attention. */
function decodeSteps(model: Seq2SeqModel, batch: SourceBatch, beam: number, steps: number): { logProbs: number[][]; attention: (number[] | null)[] } {
  const logProbs: number[][] = [];
  const attention: (number[] | null)[] = [];
  const rows = Int32Array.from({ length: batch.B * beam }, (_, r) => Math.floor(r / beam));
  let state = advance<object>(null, () => model.selectState(model.startState(model.encode(batch.src, batch.srcLen, batch.B, batch.S)), rows));
  for (let t = 0; t < steps; t++) {
    const prev = Int32Array.from({ length: rows.length }, (_, r) => (t === 0 ? BOS_ID : 4 + ((r + t) % 9)));
    const r = scoreStep(model, state, prev);
    logProbs.push(Array.from(r.logProbs));
    attention.push(r.attention ? Array.from(r.attention) : null);
    state = r.state;
  }
  releaseState(state, null);
  return { logProbs, attention };
}

test('wasm: decoder steps inside the scope give the same bits as outside (RNN attention kinds, Transformer), and the scope frees its packs', async (t) => {
  const wasm = backends.find((b) => b.name === 'wasm threads=2');
  if (!wasm) { t.skip('no wasm backend'); return; }
  await onBackend(wasm, () => {
    const models: [string, Seq2SeqModel][] = [
      ...(['none', 'general', 'bahdanau'] as const).map((attention): [string, Seq2SeqModel] =>
        [`lstm ${attention}`, buildModel({ srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 8, hidden: 24, attention, arch: 'lstm', layers: 2 }, new Rng(5))]),
      ['transformer', buildModel({ arch: 'transformer', srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 16, heads: 2, ffn: 24, layers: 2, dropout: 0 }, new Rng(5))],
    ];
    // 12 sentences × beam 5 = 60 rows a step: the packed path
    const batch = tokenBatch(digitPairs(new Rng(7), 12, 'copy', 2, 9));
    for (const [name, model] of models) {
      model.eval();
      const live = (): number => backend().memoryStats().liveBytes;
      const l0 = live();
      const [want, plainHeld] = noGrad(() => [decodeSteps(model, batch, 5, 4), live() - l0] as const);
      const [got, scopedHeld] = inference(() => [decodeSteps(model, batch, 5, 4), live() - l0] as const);
      assert.deepEqual(got, want, name);
      assert.ok(scopedHeld > plainHeld, `${name}: the weights were packed (held ${scopedHeld} bytes at the end, ${plainHeld} without the scope)`);
      assert.equal(live(), l0, `${name}: the scope freed its packs`);
      assert.ok(got.logProbs[3]!.length === 60 * DIGIT_VOCAB, name);
    }
  });
});
