import { backend, isGradEnabled, record } from '../engine.js';
import { Tensor, shapeStr, stridesOf, shapeSize, type Shape, type DType } from '../tensor.js';
import type { F32 } from '../../kernels/backend.js';

/** Entry check: t is a live tensor of dtype `dtype` (and rank `rank`, if given). */
export function checkTensor(op: string, name: string, t: Tensor, dtype: DType | null = 'f32', rank?: number | readonly number[]): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor`);
  if (t.disposed) throw new Error(`${op}: ${name} ${shapeStr(t.shape)} was disposed (used outside the tidy() scope that made it?)`);
  if (dtype !== null && t.dtype !== dtype) throw new TypeError(`${op}: ${name} must be ${dtype}, got ${t.dtype} of shape ${shapeStr(t.shape)}`);
  if (rank !== undefined) {
    const ranks = typeof rank === 'number' ? [rank] : rank;
    if (!ranks.includes(t.rank)) throw new Error(`${op}: ${name} must have rank ${ranks.join(' or ')}, got shape ${shapeStr(t.shape)}`);
  }
}

/** Normalises a possibly negative axis into [0, rank). */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws `op: cannot broadcast [..] and [..]`. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const R = Math.max(a.length, b.length);
  const out = new Array<number>(R);
  for (let i = 0; i < R; i++) {
    const da = a[a.length - R + i] ?? 1;
    const db = b[b.length - R + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`${op}: cannot broadcast ${shapeStr(a)} and ${shapeStr(b)}`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read an operand of shape `s` as if it had shape `outShape` (0 on broadcast axes). */
export function broadcastStrides(s: Shape, outShape: Shape): number[] {
  const R = outShape.length;
  const own = stridesOf(s);
  const st = new Array<number>(R);
  for (let i = 0; i < R; i++) {
    const j = s.length - R + i;
    st[i] = j < 0 || s[j] === 1 ? 0 : own[j]!;
  }
  return st;
}

/** A scratch f32 buffer owned by the backend; give it back with `release`. */
export function tmpF32(n: number, zero = false): F32 {
  return backend().allocF32(n, zero);
}

export function release(a: F32): void {
  backend().free(a);
}

/**
 * Adds a gradient into t.grad through a kernel with an `accumulate` flag: the first gradient is
 * written into a fresh (unzeroed) buffer, later ones add.
 */
export function accGrad(t: Tensor, write: (dst: F32, accumulate: boolean) => void): void {
  if (t.grad === null) {
    t.grad = backend().allocF32(t.size);
    write(t.grad, false);
  } else {
    write(t.grad, true);
  }
}

/**
 * For kernels that only overwrite their gradient output: writes straight into a fresh t.grad, or
 * into a zeroed temporary that is then added to an existing one.
 */
export function writeGrad(t: Tensor, write: (dst: F32) => void): void {
  const b = backend();
  if (t.grad === null) {
    t.grad = b.allocF32(t.size, true);
    write(t.grad);
  } else {
    const tmp = b.allocF32(t.size, true);
    write(tmp);
    b.axpy(t.size, 1, tmp, t.grad);
    b.free(tmp);
  }
}

/**
 * Adds `full` (a gradient of shape `fullShape`) into t.grad, summing over the axes t was broadcast
 * along. `full` is a temporary the caller hands over: it becomes t.grad when it can, else is freed.
 */
export function accBroadcastGrad(t: Tensor, full: F32, fullShape: Shape): void {
  const b = backend();
  if (sameShape(t.shape, fullShape) || t.size === shapeSize(fullShape)) {
    if (t.grad === null) { t.grad = full; return; }
    b.axpy(t.size, 1, full, t.grad);
  } else {
    accGrad(t, (dst, acc) => sumToShape(full, fullShape, t.shape, dst, acc));
  }
  b.free(full);
}

/**
 * dst (+)= g summed down to `target` (g's shape `gShape` must be a broadcast of target). Runs of
 * adjacent reduced axes are merged, so the common cases (bias, scalar, one axis) are one reduceSum.
 */
export function sumToShape(g: F32, gShape: Shape, target: Shape, dst: F32, accumulate: boolean): void {
  const b = backend();
  const R = gShape.length;
  // blocks of merged axes: [size, reduced]
  const blocks: Array<[number, boolean]> = [];
  for (let i = 0; i < R; i++) {
    const j = target.length - R + i;
    const td = j < 0 ? 1 : target[j]!;
    const gd = gShape[i]!;
    if (gd === 1) continue;
    const reduced = td === 1;
    const last = blocks[blocks.length - 1];
    if (last && last[1] === reduced) last[0] *= gd;
    else blocks.push([gd, reduced]);
  }
  const nReduced = blocks.filter((x) => x[1]).length;
  const total = shapeSize(gShape);
  if (nReduced === 0) {
    if (accumulate) b.axpy(total, 1, g, dst);
    else b.copy(g, dst, total);
    return;
  }
  let cur = g;
  let curBlocks = blocks;
  let done = 0;
  while (done < nReduced) {
    const k = curBlocks.findIndex((x) => x[1]);
    let outer = 1;
    for (let i = 0; i < k; i++) outer *= curBlocks[i]![0];
    let inner = 1;
    for (let i = k + 1; i < curBlocks.length; i++) inner *= curBlocks[i]![0];
    const lastOne = done === nReduced - 1;
    const next = lastOne ? dst : b.allocF32(outer * inner);
    b.reduceSum(outer, curBlocks[k]![0], inner, cur, next, lastOne ? accumulate : false);
    if (cur !== g) b.free(cur);
    cur = next;
    curBlocks = curBlocks.filter((_, i) => i !== k);
    done++;
  }
}

/**
 * Creates the outputs of a multi-output op (all f32) and records ONE tape node that runs when any
 * of them received a gradient. backward reads each output's grad (null when it got none).
 */
export function multiOutput(shapes: readonly Shape[], inputs: readonly Tensor[], backward: (outs: Tensor[]) => void): Tensor[] {
  const needsGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const b = backend();
  const outs = shapes.map((s) => new Tensor(s, b.allocF32(shapeSize(s)), 'f32', needsGrad));
  if (needsGrad) {
    record({
      out: { get grad() { for (const o of outs) if (o.grad !== null) return o.grad; return null; } },
      backward: () => backward(outs),
    });
  }
  return outs;
}

/** A non-differentiable tensor of either dtype (the int32 path of the shape ops). */
export function rawTensor(shape: Shape, dtype: DType): Tensor {
  const b = backend();
  const n = shapeSize(shape);
  return new Tensor(shape, dtype === 'f32' ? b.allocF32(n) : b.allocI32(n), dtype);
}
