// The tape, grad mode and memory scopes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

describe('autograd engine', () => {
  it('tidy disposes intermediates and keeps the result and parameters', () => {
    const w = T.parameter([2], 1);
    let inner: T.Tensor | null = null;
    const out = T.tidy(() => {
      inner = T.mul(w, T.fromArray([2, 3]));
      return T.sum(inner);
    });
    assert.equal(inner!.disposed, true);
    assert.equal(out.disposed, false);
    assert.equal(out.item(), 5);
    assert.equal(w.disposed, false);
    assert.equal(T.tapeLength(), 0);
  });

  it('nested tidy hands its result to the enclosing scope', () => {
    let kept: T.Tensor | null = null;
    T.tidy(() => {
      kept = T.tidy(() => T.tanh(T.zeros([2])));
      assert.equal(kept.disposed, false);
      return 0;
    });
    assert.equal(kept!.disposed, true);
  });

  it('tidy returns objects and arrays of tensors', () => {
    const { h, c } = T.tidy(() => T.lstmCell(T.zeros([1, 4]), T.zeros([1, 1])));
    const [a, b] = T.tidy(() => T.split(T.zeros([4]), [1, 3], 0));
    assert.ok(!h.disposed && !c.disposed && !a!.disposed && !b!.disposed);
  });

  it('backward runs once and clears the tape; gradients accumulate across backward calls', () => {
    const w = T.parameter([3], (t) => t.f32.set([1, 2, 3]));
    T.tidy(() => T.sum(T.square(w)).backward());
    assert.equal(T.tapeLength(), 0);
    assert.deepEqual(Array.from(w.grad!), [2, 4, 6]);
    T.tidy(() => T.sum(w).backward());
    assert.deepEqual(Array.from(w.grad!), [3, 5, 7]);
    w.zeroGrad();
    assert.deepEqual(Array.from(w.grad!), [0, 0, 0]);
  });

  it('noGrad records nothing and outputs do not require grad', () => {
    const w = T.parameter([3], 1);
    const y = T.noGrad(() => T.tanh(T.mul(w, w)));
    assert.equal(y.requiresGrad, false);
    assert.equal(T.tapeLength(), 0);
    assert.equal(T.isGradEnabled(), true);
  });

  it('detach cuts the tape', () => {
    const w = T.parameter([2], 1);
    T.tidy(() => {
      const d = T.detach(T.mul(w, w));
      assert.equal(d.requiresGrad, false);
      T.sum(T.add(T.mul(d, w), w)).backward(); // d(d·w + w)/dw with d constant = d + 1 = 2
      return 0;
    });
    assert.deepEqual(Array.from(w.grad!), [2, 2]);
  });

  it('ops on tensors without requiresGrad record nothing', () => {
    T.tidy(() => {
      T.matmul(T.zeros([2, 2]), T.zeros([2, 2]));
      assert.equal(T.tapeLength(), 0);
      return 0;
    });
  });

  it('a nested tidy inside a recording step keeps what the pending backward needs', () => {
    const w = T.parameter([2], (t) => t.f32.set([1, 2]));
    let inner: T.Tensor | null = null;
    T.tidy(() => {
      const loss = T.tidy(() => {
        inner = T.tanh(w);
        return T.sum(T.square(inner));
      });
      assert.equal(inner!.disposed, false);
      loss.backward();
      return 0;
    });
    assert.equal(inner!.disposed, true);
    // d/dw Σ tanh(w)² = 2·tanh(w)·(1 − tanh²(w))
    const expected = [1, 2].map((x) => 2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2));
    assert.ok(Array.from(w.grad!).every((g, i) => Math.abs(g - expected[i]!) < 1e-6));
    // without grad recording, the nested scope frees at once
    T.tidy(() => {
      T.noGrad(() => T.tidy(() => { inner = T.tanh(w); return 0; }));
      assert.equal(inner!.disposed, true);
      return 0;
    });
  });

  it('a throwing step still releases its tensors and the tape', () => {
    let made: T.Tensor | null = null;
    const w = T.parameter([2], 1);
    assert.throws(() => T.tidy(() => {
      made = T.mul(w, w);
      throw new Error('boom');
    }), /boom/);
    assert.equal(made!.disposed, true);
    assert.equal(T.tapeLength(), 0);
  });

  it('multi-output nodes run when only one output gets a gradient', () => {
    const g = T.parameter([1, 4], (t) => t.f32.set([0.1, 0.2, 0.3, 0.4]));
    const c0 = T.parameter([1, 1], 0.5);
    T.tidy(() => T.sum(T.lstmCell(g, c0).c).backward());
    assert.ok(g.grad !== null && Array.from(g.grad).some((x) => x !== 0));
    assert.ok(c0.grad !== null && c0.grad[0] !== 0);
  });
});
