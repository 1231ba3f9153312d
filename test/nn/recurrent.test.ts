/**
 * Recurrent layers over padded batches: padded steps change neither outputs nor final states, the
 * backward direction starts at each sequence's true end, and input gradients pass a
 * finite-difference check through the gathers that implement both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, embedding, fromArray, intTensor, mul, noGrad, sum, tidy, type Tensor } from '../../src/tensor/index.js';
import { Rnn, SequenceLayout, type CellKind } from '../../src/nn/index.js';
import { assertClose, gradcheck } from '../helpers/gradcheck.js';

const KINDS: CellKind[] = ['lstm', 'gru', 'rnn'];

function randomInput(rng: Rng, B: number, T: number, D: number): Float32Array {
  return Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
}

/** Row b's first `len` steps of x [B, T, D] as a [1, len, D] tensor. */
function rowPrefix(x: Float32Array, b: number, T: number, D: number, len: number, reverse = false): Tensor {
  const out = new Float32Array(len * D);
  for (let t = 0; t < len; t++) out.set(x.subarray((b * T + t) * D, (b * T + t + 1) * D), (reverse ? len - 1 - t : t) * D);
  return fromArray(out, [1, len, D]);
}

for (const kind of KINDS) {
  test(`Rnn(${kind}, 2 layers, bidirectional): each padded row equals that row run alone`, () => {
    const rng = new Rng(1);
    const B = 3, T = 5, D = 4, H = 3;
    const lengths = [5, 2, 3];
    const rnn = new Rnn(kind, D, H, { layers: 2, bidirectional: true }, rng);
    const x = randomInput(rng, B, T, D);
    noGrad(() => tidy(() => {
      const full = rnn.forward(fromArray(x, [B, T, D]), lengths);
      assert.deepEqual(full.output.shape, [B, T, 2 * H]);
      const out = full.output.toArray();
      for (let b = 0; b < B; b++) {
        const len = lengths[b]!;
        const alone = rnn.forward(rowPrefix(x, b, T, D, len), null);
        assertClose(out.slice(b * T * 2 * H, (b * T + len) * 2 * H), alone.output.toArray(), 1e-6, 1e-5, `row ${b} outputs`);
        // padded steps are zero
        assert.ok(out.slice((b * T + len) * 2 * H, (b + 1) * T * 2 * H).every((v) => v === 0), `row ${b}: padded outputs are zero`);
        for (let l = 0; l < 2; l++) {
          const fh = full.final[l]!.h.toArray().slice(b * 2 * H, (b + 1) * 2 * H);
          assertClose(fh, alone.final[l]!.h.toArray(), 1e-6, 1e-5, `row ${b} layer ${l} final h`);
          if (kind === 'lstm') {
            const fc = full.final[l]!.c!.toArray().slice(b * 2 * H, (b + 1) * 2 * H);
            assertClose(fc, alone.final[l]!.c!.toArray(), 1e-6, 1e-5, `row ${b} layer ${l} final c`);
          }
        }
      }
    }));
  });

  test(`Rnn(${kind}): the backward direction is the forward recurrence over each sequence reversed within its length`, () => {
    const rng = new Rng(2);
    const B = 2, T = 4, D = 3, H = 2;
    const lengths = [4, 2];
    const bi = new Rnn(kind, D, H, { bidirectional: true }, rng);
    const uni = new Rnn(kind, D, H, {}, rng);
    // give the unidirectional layer the backward cell's weights
    const src = bi.layers[0]!.bwd!.namedParameters();
    uni.layers[0]!.fwd.namedParameters().forEach(([, p], i) => (p.data as Float32Array).set(src[i]![1].data.subarray(0, p.size)));
    const x = randomInput(rng, B, T, D);
    noGrad(() => tidy(() => {
      const out = bi.forward(fromArray(x, [B, T, D]), lengths).output.toArray();
      for (let b = 0; b < B; b++) {
        const len = lengths[b]!;
        const rev = uni.forward(rowPrefix(x, b, T, D, len, true), null).output.toArray();
        for (let t = 0; t < len; t++) {
          const got = out.slice((b * T + t) * 2 * H + H, (b * T + t + 1) * 2 * H);
          assertClose(got, rev.slice((len - 1 - t) * H, (len - t) * H), 1e-6, 1e-5, `row ${b} step ${t} backward output`);
        }
      }
    }));
  });

  test(`Rnn(${kind}): input gradient with padding passes a finite-difference check`, () => {
    const rnn = new Rnn(kind, 3, 2, { layers: 2, bidirectional: true }, new Rng(3));
    gradcheck((x) => {
      const r = rnn.forward(x, [3, 1]);
      return [r.output, r.final[1]!.h];
    }, [{ shape: [2, 3, 3] }]);
  });
}

test('Rnn: inter-layer dropout is active only in training mode with gradients on', () => {
  const rnn = new Rnn('gru', 3, 4, { layers: 2, dropout: 0.5 }, new Rng(4));
  const x = randomInput(new Rng(5), 2, 3, 3);
  const run = (): number[] => tidy(() => rnn.forward(fromArray(x, [2, 3, 3])).output.toArray());
  rnn.train();
  const a = run();
  const b = run();
  assert.notDeepEqual(a, b, 'two training runs draw different masks');
  rnn.eval();
  assert.deepEqual(run(), run());
  rnn.train();
  assert.deepEqual(noGrad(run), noGrad(run), 'no dropout under noGrad');
});

for (const kind of ['lstm', 'gru'] as CellKind[]) {
  test(`Rnn(${kind}, 2 layers, bidirectional, padded): embedding-row input equals the looked-up rows`, () => {
    const V = 6, D = 4, H = 3, T = 5, B = 3;
    const rng = new Rng(11);
    const rnn = new Rnn(kind, D, H, { layers: 2, bidirectional: true }, rng);
    const table = fromArray(Array.from({ length: V * D }, () => 2 * rng.uniform() - 1), [V, D]);
    table.requiresGrad = true;
    const idv = Array.from({ length: T * B }, (_, i) => (i * 5 + 1) % 4); // 4 distinct ids of 15: repeated
    const params = [table, ...rnn.parameters()];
    const run = (embedded: boolean): { out: number[]; grads: number[][] } => tidy(() => {
      for (const p of params) p.zeroGrad();
      const ids = intTensor(idv, [T * B]);
      const layout = new SequenceLayout(T, B, [5, 2, 4]); // its index tensors belong to this scope
      const r = rnn.run(embedded ? { table, ids } : embedding(table, ids), layout, null);
      sum(mul(r.output, r.output)).backward();
      return { out: Array.from(r.output.f32.subarray(0, r.output.size)), grads: params.map((p) => Array.from(p.grad!.subarray(0, p.size))) };
    });
    const a = run(true);
    const b = run(false);
    assertClose(a.out, b.out, 1e-6);
    for (let i = 0; i < a.grads.length; i++) assertClose(a.grads[i]!, b.grads[i]!, 1e-5, 1e-4, `gradient ${i}`);
  });
}
