import { backend } from '../engine.js';
import { type Tensor, opOutput, shapeSize, shapeStr, stridesOf, type Shape } from '../tensor.js';
import { checkTensor, normAxis, accGrad, rawTensor } from './util.js';

/** Output for a shape op: f32 outputs join the tape, i32 ones (ids) never need gradients. */
function shapeOutput(a: Tensor, shape: Shape, inputs: readonly Tensor[], backward: (out: Tensor) => void): Tensor {
  return a.dtype === 'f32' ? opOutput(shape, inputs, backward) : rawTensor(shape, 'i32');
}

/**
 * Same values, new shape (one dim may be -1). Copies the storage, so the result and `a` are
 * disposed independently (no shared buffers to reference-count).
 */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'a', a, null);
  const s = shape.slice();
  const infer = s.indexOf(-1);
  if (infer >= 0) {
    if (s.indexOf(-1, infer + 1) >= 0) throw new Error(`reshape: only one -1 allowed in ${shapeStr(shape)}`);
    const rest = shapeSize(s.filter((_, i) => i !== infer));
    if (rest === 0 || a.size % rest !== 0) throw new Error(`reshape: cannot reshape ${shapeStr(a.shape)} to ${shapeStr(shape)}`);
    s[infer] = a.size / rest;
  }
  if (s.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(s) !== a.size) {
    throw new Error(`reshape: cannot reshape ${shapeStr(a.shape)} to ${shapeStr(shape)}`);
  }
  const out = shapeOutput(a, s, [a], (out) => {
    const k = backend();
    accGrad(a, (dst, acc) => (acc ? k.axpy(a.size, 1, out.grad!, dst) : k.copyRows(1, a.size, out.grad!, 0, dst, 0, false)));
  });
  backend().copyRows(1, a.size, a.data, 0, out.data, 0, false);
  return out;
}

/** A copy of `a` that does not require gradients (cuts the tape, e.g. truncated BPTT). */
export function detach(a: Tensor): Tensor {
  checkTensor('detach', 'a', a, null);
  const out = rawTensor(a.shape.slice(), a.dtype);
  backend().copyRows(1, a.size, a.data, 0, out.data, 0, false);
  return out;
}

/** Reorders axes: out.shape[i] = a.shape[perm[i]]. */
export function permute(a: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', 'a', a, null);
  if (perm.length !== a.rank) throw new Error(`permute: permutation [${perm.join(', ')}] does not fit shape ${shapeStr(a.shape)}`);
  const p = perm.map((x) => normAxis('permute', x, a.rank));
  if (new Set(p).size !== p.length) throw new Error(`permute: [${perm.join(', ')}] is not a permutation`);
  const outShape = p.map((x) => a.shape[x]!);
  const aStrides = stridesOf(a.shape);
  const srcStrides = p.map((x) => aStrides[x]!);
  const outStrides = stridesOf(outShape);
  const out = shapeOutput(a, outShape, [a], (out) => {
    const k = backend();
    accGrad(a, (dst, acc) => k.copyStrided(outShape, out.grad!, outStrides, dst, srcStrides, acc));
  });
  backend().copyStrided(outShape, a.data, srcStrides, out.data, outStrides, false);
  return out;
}

/** Swaps two axes. */
export function transpose(a: Tensor, d0: number, d1: number): Tensor {
  checkTensor('transpose', 'a', a, null);
  const perm = a.shape.map((_, i) => i);
  const x = normAxis('transpose', d0, a.rank);
  const y = normAxis('transpose', d1, a.rank);
  perm[x] = y;
  perm[y] = x;
  return permute(a, perm);
}

/**
 * Joins tensors whose (virtual) shapes agree except along `axis`. `shapes` lets stack treat its
 * inputs as having a size-1 axis inserted, without reshaping them first.
 */
function concatCore(ts: readonly Tensor[], shapes: readonly Shape[], axis: number, outShape: number[]): Tensor {
  const outStrides = stridesOf(outShape);
  const offsets: number[] = [];
  let pos = 0;
  for (const s of shapes) {
    offsets.push(pos * outStrides[axis]!);
    pos += s[axis]!;
  }
  // every input is a [rows, n] block (its dims from `axis` on are contiguous in it and in out)
  const outRow = axis === 0 ? shapeSize(outShape) : outStrides[axis - 1]!;
  const blocks = shapes.map((s) => {
    const n = shapeSize(s.slice(axis));
    return { rows: n === 0 ? 0 : shapeSize(s) / n, n };
  });
  const out = shapeOutput(ts[0]!, outShape, ts, (out) => {
    const k = backend();
    const g = out.grad!;
    ts.forEach((t, i) => {
      if (!t.requiresGrad) return;
      const { rows, n } = blocks[i]!;
      accGrad(t, (dst, acc) => k.copyRows(rows, n, g.subarray(offsets[i]!), outRow, dst, n, acc));
    });
  });
  const k = backend();
  ts.forEach((t, i) => {
    const { rows, n } = blocks[i]!;
    k.copyRows(rows, n, t.data, n, out.data.subarray(offsets[i]!), outRow, false);
  });
  return out;
}

function checkList(op: string, ts: readonly Tensor[]): void {
  if (!Array.isArray(ts) || ts.length === 0) throw new Error(`${op}: needs a non-empty array of tensors`);
  ts.forEach((t, i) => checkTensor(op, `tensor ${i}`, t, null));
  const dt = ts[0]!.dtype;
  for (const t of ts) if (t.dtype !== dt) throw new TypeError(`${op}: mixed dtypes ${dt} and ${t.dtype}`);
}

/** Joins tensors along an existing axis; all other dims must agree. */
export function concat(ts: readonly Tensor[], axis: number): Tensor {
  checkList('concat', ts);
  const first = ts[0]!;
  const ax = normAxis('concat', axis, first.rank);
  const outShape = first.shape.slice();
  outShape[ax] = 0;
  for (const t of ts) {
    const ok = t.rank === first.rank && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!ok) throw new Error(`concat: shapes do not match along axis ${ax}: ${shapeStr(first.shape)} and ${shapeStr(t.shape)}`);
    outShape[ax] += t.shape[ax]!;
  }
  return concatCore(ts, ts.map((t) => t.shape), ax, outShape);
}

/** Joins same-shaped tensors along a new axis. */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  checkList('stack', ts);
  const first = ts[0]!;
  const ax = normAxis('stack', axis, first.rank + 1);
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new Error(`stack: shapes do not match: ${shapeStr(first.shape)} and ${shapeStr(t.shape)}`);
    }
  }
  const vshape = first.shape.slice();
  vshape.splice(ax, 0, 1);
  const outShape = first.shape.slice();
  outShape.splice(ax, 0, ts.length);
  return concatCore(ts, ts.map(() => vshape), ax, outShape);
}

/** Elements start ≤ i < end along `axis` (negative start/end count from the end). */
export function slice(a: Tensor, axis: number, start: number, end: number): Tensor {
  checkTensor('slice', 'a', a, null);
  const ax = normAxis('slice', axis, a.rank);
  const dim = a.shape[ax]!;
  const s = start < 0 ? start + dim : start;
  const e = end < 0 ? end + dim : end;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > dim || s > e) {
    throw new Error(`slice: range [${start}, ${end}) is out of bounds for axis ${ax} of ${shapeStr(a.shape)}`);
  }
  const outShape = a.shape.slice();
  outShape[ax] = e - s;
  const aStrides = stridesOf(a.shape);
  const offset = s * aStrides[ax]!;
  // a [rows, n] block of a's [rows, aRow] view
  const n = shapeSize(outShape.slice(ax));
  const rows = n === 0 ? 0 : shapeSize(outShape) / n;
  const aRow = ax === 0 ? a.size : aStrides[ax - 1]!;
  const out = shapeOutput(a, outShape, [a], (out) => {
    backend().copyRows(rows, n, out.grad!, n, a.gradBuffer().subarray(offset), aRow, true);
  });
  backend().copyRows(rows, n, a.data.subarray(offset), aRow, out.data, n, false);
  return out;
}

/** Splits along `axis` into pieces of the given sizes (which must add up to the axis length). */
export function split(a: Tensor, sizes: readonly number[], axis: number): Tensor[] {
  checkTensor('split', 'a', a, null);
  const ax = normAxis('split', axis, a.rank);
  const total = sizes.reduce((x, y) => x + y, 0);
  if (total !== a.shape[ax] || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`split: sizes [${sizes.join(', ')}] do not add up to axis ${ax} of ${shapeStr(a.shape)}`);
  }
  const out: Tensor[] = [];
  let pos = 0;
  for (const s of sizes) {
    out.push(slice(a, ax, pos, pos + s));
    pos += s;
  }
  return out;
}

/** a[i] along axis 0, removing that axis (e.g. time step i of a [T, B, H] tensor). */
export function index(a: Tensor, i: number): Tensor {
  checkTensor('index', 'a', a, null);
  if (a.rank === 0) throw new Error('index: cannot index a scalar');
  const n = a.shape[0]!;
  const j = i < 0 ? i + n : i;
  if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`index: ${i} is out of range for ${shapeStr(a.shape)}`);
  const outShape = a.shape.slice(1);
  const m = shapeSize(outShape);
  const out = shapeOutput(a, outShape, [a], (out) => {
    backend().axpy(m, 1, out.grad!, a.gradBuffer().subarray(j * m, (j + 1) * m));
  });
  backend().copyRows(1, m, a.data.subarray(j * m, (j + 1) * m), 0, out.data, 0, false);
  return out;
}

