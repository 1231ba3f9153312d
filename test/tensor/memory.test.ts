// A training step inside tidy() releases everything it made: 10,000 steps of a tiny
// embedding → LSTM (3 steps) → linear → crossEntropy → Adam model must not grow the heap or the
// backend's live bytes, and must leave the tape empty after every step.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as T from '../../src/tensor/index.js';
import { JsBackend } from '../../src/kernels/js/index.js';
import { testBackends } from '../helpers/backends.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const backends = await testBackends();
const STEPS = 10_000;
const CHECK = 1_000;

for (const bk of backends) {
  describe(`memory on ${bk.name}`, () => {
    before(async () => T.setBackend(await bk.make()));
    after(() => T.setBackend(new JsBackend()));

    it(`${STEPS} training steps do not grow memory`, () => {
      const rng = new T.Rng(11);
      const [V, D, H, B, S] = [12, 6, 5, 4, 3];
      const emb = T.parameter([V, D], (t) => T.uniformInit(t, 0.1, rng));
      const wx = T.parameter([D, 4 * H], (t) => T.xavierUniform(t, rng));
      const wh = T.parameter([H, 4 * H], (t) => T.xavierUniform(t, rng));
      const bg = T.parameter([4 * H]);
      const wo = T.parameter([H, V], (t) => T.xavierUniform(t, rng));
      const bo = T.parameter([V]);
      const params = [emb, wx, wh, bg, wo, bo];
      const opt = new T.Adam(params, { lr: 0.01 });
      const idv = Array.from({ length: S * B }, (_, i) => 1 + ((i * 7) % (V - 1)));
      const tgv = Array.from({ length: B }, (_, i) => 1 + ((i * 5) % (V - 1)));

      const step = (): number => T.tidy(() => {
        const x = T.embedding(emb, T.intTensor(idv, [S, B])); // [S, B, D]
        let h = T.zeros([B, H]);
        let c = T.zeros([B, H]);
        for (let t = 0; t < S; t++) {
          const gates = T.add(T.add(T.matmul(T.index(x, t), wx), T.matmul(h, wh)), bg);
          ({ h, c } = T.lstmCell(gates, c));
        }
        const loss = T.crossEntropy(T.add(T.matmul(h, wo), bo), T.intTensor(tgv), { smoothing: 0.1 });
        loss.backward();
        T.clipGradNorm(params, 5);
        opt.step();
        opt.zeroGrad();
        return loss.item();
      });

      let heapAt = 0;
      let statsAt: ReturnType<ReturnType<typeof T.backend>['memoryStats']> | undefined;
      let first = 0;
      let last = 0;
      for (let i = 1; i <= STEPS; i++) {
        last = step();
        if (i === 1) first = last;
        assert.equal(T.tapeLength(), 0);
        if (i === CHECK) {
          gc();
          heapAt = process.memoryUsage().heapUsed;
          statsAt = { ...T.backend().memoryStats() };
        }
      }
      gc();
      const heapEnd = process.memoryUsage().heapUsed;
      const statsEnd = { ...T.backend().memoryStats() };
      assert.ok(statsAt, 'memory stats were sampled at the checkpoint');
      assert.equal(statsEnd.liveBytes, statsAt.liveBytes, `backend live bytes grew from ${statsAt.liveBytes} to ${statsEnd.liveBytes}`);
      // the whole picture (live, pooled, reserved) is steady, not just what is live
      assert.deepEqual(statsEnd, statsAt, `backend memory stats changed between step ${CHECK} and ${STEPS}`);
      assert.ok(heapEnd - heapAt < 1 << 20, `heap grew by ${heapEnd - heapAt} bytes between step ${CHECK} and ${STEPS}`);
      assert.ok(last < first * 0.5, `the model should learn its one batch (loss ${first} → ${last})`);
      for (const p of params) p.dispose();
      opt.dispose();
    });
  });
}
