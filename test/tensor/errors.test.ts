// Bad input: errors name the op and the shapes involved.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

describe('op input validation', () => {
  it('broadcast mismatch names the op and both shapes', () => {
    assert.throws(() => T.add(T.zeros([2, 3]), T.zeros([4])), { message: 'add: cannot broadcast [2, 3] and [4]' });
    assert.throws(() => T.mul(T.zeros([3, 2]), T.zeros([2, 3])), { message: 'mul: cannot broadcast [3, 2] and [2, 3]' });
  });

  it('matmul and bmm name both shapes', () => {
    assert.throws(() => T.matmul(T.zeros([2, 3]), T.zeros([4, 5])), /^Error: matmul: inner dimensions do not match: \[2, 3\] and \[4, 5\]/);
    assert.throws(() => T.matmul(T.zeros([2, 3, 1]), T.zeros([4, 5])), /matmul: a must have rank 2, got shape \[2, 3, 1\]/);
    assert.throws(() => T.bmm(T.zeros([2, 3, 4]), T.zeros([3, 4, 5])), /bmm: batch sizes do not match: \[2, 3, 4\] and \[3, 4, 5\]/);
  });

  it('dtype checks', () => {
    assert.throws(() => T.tanh(T.intTensor([1, 2])), /tanh: a must be f32, got i32/);
    assert.throws(() => T.embedding(T.zeros([3, 2]), T.fromArray([0, 1])), /embedding: ids must be i32/);
    assert.throws(() => T.crossEntropy(T.zeros([2, 3]), T.fromArray([1, 2])), /crossEntropy: targets must be i32/);
  });

  it('shape op errors', () => {
    assert.throws(() => T.reshape(T.zeros([2, 3]), [4, -1]), /reshape: cannot reshape \[2, 3\] to \[4, -1\]/);
    assert.throws(() => T.concat([T.zeros([2, 3]), T.zeros([3, 3])], 1), /concat: shapes do not match along axis 1: \[2, 3\] and \[3, 3\]/);
    assert.throws(() => T.stack([T.zeros([2]), T.zeros([3])]), /stack: shapes do not match: \[2\] and \[3\]/);
    assert.throws(() => T.slice(T.zeros([2, 3]), 1, 2, 5), /slice: range \[2, 5\) is out of bounds for axis 1 of \[2, 3\]/);
    assert.throws(() => T.sum(T.zeros([2, 3]), 2), /sum: axis 2 is out of range for rank 2/);
    assert.throws(() => T.index(T.zeros([2, 3]), 2), /index: 2 is out of range for \[2, 3\]/);
  });

  it('fused op errors', () => {
    assert.throws(() => T.lstmCell(T.zeros([2, 7]), T.zeros([2, 2])), /lstmCell: gates must be \[B, 4H\] for cPrev \[B, H\]: \[2, 7\] and \[2, 2\]/);
    assert.throws(() => T.gruCell(T.zeros([2, 6]), T.zeros([2, 5]), T.zeros([2, 2])), /gruCell: hg must be \[B, 3H\] for hPrev \[B, H\]: \[2, 5\] and \[2, 2\]/);
    assert.throws(() => T.crossEntropy(T.zeros([2, 3]), T.intTensor([1])), /crossEntropy: targets do not match logits rows: \[2, 3\] and \[1\]/);
    assert.throws(() => T.crossEntropy(T.zeros([1, 3]), T.intTensor([3])), /crossEntropy: target 3 at row 0 is out of range/);
    assert.throws(() => T.embedding(T.zeros([3, 2]), T.intTensor([3])), /embedding: id 3 is out of range for table \[3, 2\]/);
    assert.throws(() => T.layerNorm(T.zeros([2, 3]), T.zeros([4]), T.zeros([3])), /layerNorm: gamma does not match the last axis: \[4\] and \[2, 3\]/);
    assert.throws(() => T.maskedFill(T.zeros([2, 3]), T.zeros([4]), 0), /maskedFill: cannot broadcast \[2, 3\] and \[4\]/);
    assert.throws(() => T.dropout(T.zeros([2]), 1, new T.Rng(1)), /dropout: p must be in \[0, 1\)/);
  });

  it('a disposed tensor is reported, not silently read', () => {
    const t = T.zeros([2]);
    t.dispose();
    assert.throws(() => T.tanh(t), /tanh: a \[2\] was disposed/);
  });
});
