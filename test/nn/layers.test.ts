import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, fromArray, intTensor, tidy } from '../../src/tensor/index.js';
import { Dropout, Embedding, Linear, Module, Rnn } from '../../src/nn/index.js';
import { assertClose, gradcheck } from '../helpers/gradcheck.js';

test('Module: dotted names in registration order, merged namespaces, train/eval propagate', () => {
  const rng = new Rng(1);
  const m = new Module();
  m.registerModule('proj', new Linear(2, 3, rng));
  const rnn = m.registerModule('', new Rnn('lstm', 3, 2, { layers: 1, bidirectional: true }, rng));
  assert.deepEqual(m.namedParameters().map(([n, t]) => `${n}[${t.shape.join(',')}]`), [
    'proj.weight[2,3]', 'proj.bias[3]',
    'layers.0.fwd.weight_ih[3,8]', 'layers.0.fwd.weight_hh[2,8]', 'layers.0.fwd.bias[8]',
    'layers.0.bwd.weight_ih[3,8]', 'layers.0.bwd.weight_hh[2,8]', 'layers.0.bwd.bias[8]',
  ]);
  m.eval();
  assert.equal(rnn.training, false);
  assert.equal(rnn.layers[0]!.bwd!.training, false);
  m.train();
  assert.equal(rnn.layers[0]!.fwd.training, true);
  assert.throws(() => m.registerModule('proj', new Module()), /already used/);
});

test('Module.loadNamedParameters: copies by name, rejects missing, unknown and mis-sized tensors', () => {
  const a = new Linear(2, 2, new Rng(1));
  const b = new Linear(2, 2, new Rng(2));
  b.loadNamedParameters(new Map(a.namedParameters().map(([n, t]) => [n, Float32Array.from(t.data as Float32Array)])));
  assert.deepEqual(b.weight.toArray(), a.weight.toArray());
  assert.throws(() => b.loadNamedParameters({ weight: new Float32Array(4) }), /'bias' is missing/);
  assert.throws(() => b.loadNamedParameters({ weight: new Float32Array(4), bias: new Float32Array(2), extra: new Float32Array(1) }), /unknown tensor 'extra'/);
  assert.throws(() => b.loadNamedParameters({ weight: new Float32Array(3), bias: new Float32Array(2) }), /has 3 values, expected 4/);
});

test('Linear: x·W + b on any leading shape, gradient checked', () => {
  const lin = new Linear(3, 2, new Rng(1));
  (lin.weight.data as Float32Array).set([1, 2, 3, 4, 5, 6]);
  (lin.bias!.data as Float32Array).set([0.5, -0.5]);
  tidy(() => {
    const y = lin.forward(fromArray([1, 0, -1, 2, 1, 0], [1, 2, 3]));
    assert.deepEqual(y.shape, [1, 2, 2]);
    // [1,0,-1]·W = [1−5, 2−6] = [−4, −4]; [2,1,0]·W = [2+3, 4+4] = [5, 8]; plus b
    assert.deepEqual(y.toArray(), [-3.5, -4.5, 5.5, 7.5]);
  });
  assert.throws(() => tidy(() => lin.forward(fromArray([1, 2], [1, 2]))), /Linear: input has shape \[1, 2\], expected \[\*, 3\]/);
  gradcheck((x) => lin.forward(x), [{ shape: [4, 3] }]);
});

test('Embedding: rows by id; Dropout: identity in eval mode', () => {
  const e = new Embedding(4, 2, new Rng(1));
  (e.weight.data as Float32Array).set([0, 0, 1, 1, 2, 2, 3, 3]);
  tidy(() => assert.deepEqual(e.forward(intTensor([3, 1], [2])).toArray(), [3, 3, 1, 1]));
  const d = new Dropout(0.5, new Rng(1));
  d.eval();
  tidy(() => {
    const x = fromArray([1, 2, 3, 4]);
    assert.equal(d.forward(x), x);
    d.train();
    const y = d.forward(x).toArray();
    assert.ok(y.every((v, i) => v === 0 || Math.abs(v - 2 * (i + 1)) < 1e-6), 'kept values are scaled by 1/(1−p)');
  });
  assertClose([1], [1]);
});
