import { backend, record, isGradEnabled, track, untrack, runBackward, type Disposable } from './engine.js';

export type DType = 'f32' | 'i32';
export type Shape = readonly number[];

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * A dense, contiguous, row-major array of float32 values or int32 ids whose storage the current
 * backend owns (for wasm: its linear memory). Float tensors may require gradients; `grad` is a
 * raw array of the same size, allocated on first use.
 */
export class Tensor implements Disposable {
  readonly shape: Shape;
  readonly size: number;
  readonly dtype: DType;
  data: Float32Array | Int32Array;
  requiresGrad: boolean;
  grad: Float32Array | null = null;
  disposed = false;
  /** Parameters and other long-lived tensors are not disposed by scopes. */
  persistent = false;

  constructor(shape: Shape, data: Float32Array | Int32Array, dtype: DType, requiresGrad = false) {
    this.shape = shape;
    this.size = shapeSize(shape);
    if (data.length < this.size) throw new Error(`Tensor: data of length ${data.length} is too short for shape ${shapeStr(shape)}`);
    this.data = data;
    this.dtype = dtype;
    this.requiresGrad = requiresGrad;
    track(this);
  }

  get f32(): Float32Array {
    if (this.dtype !== 'f32') throw new Error(`Tensor: expected a float32 tensor, got ${this.dtype} of shape ${shapeStr(this.shape)}`);
    return this.data as Float32Array;
  }

  get i32(): Int32Array {
    if (this.dtype !== 'i32') throw new Error(`Tensor: expected an int32 tensor, got ${this.dtype} of shape ${shapeStr(this.shape)}`);
    return this.data as Int32Array;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The gradient array, zero-filled on first use. */
  gradBuffer(): Float32Array {
    if (this.grad === null) this.grad = backend().allocF32(this.size, true);
    return this.grad;
  }

  zeroGrad(): void {
    if (this.grad !== null) backend().fill(this.grad, 0, this.size);
  }

  /** The scalar value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`Tensor.item: tensor has shape ${shapeStr(this.shape)}, not one element`);
    return this.data[0]!;
  }

  /** A plain JS copy of the values. */
  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.size));
  }

  /** Backpropagates from this scalar through the tape recorded since the last backward. */
  backward(): void {
    if (this.size !== 1) throw new Error(`Tensor.backward: loss must be a scalar, got shape ${shapeStr(this.shape)}`);
    const g = this.gradBuffer();
    g[0] = 1;
    runBackward();
  }

  /** Marks this tensor as long-lived: scopes will not dispose it. */
  keep(): this {
    this.persistent = true;
    untrack(this);
    return this;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const b = backend();
    b.free(this.data);
    if (this.grad !== null) b.free(this.grad);
    this.grad = null;
  }

  toString(): string {
    return `Tensor(${this.dtype}${shapeStr(this.shape)})`;
  }
}

// ---- constructors ------------------------------------------------------------------------------

export function empty(shape: Shape, requiresGrad = false): Tensor {
  return new Tensor(shape, backend().allocF32(shapeSize(shape)), 'f32', requiresGrad);
}

export function zeros(shape: Shape, requiresGrad = false): Tensor {
  return new Tensor(shape, backend().allocF32(shapeSize(shape), true), 'f32', requiresGrad);
}

export function full(shape: Shape, value: number, requiresGrad = false): Tensor {
  const t = empty(shape, requiresGrad);
  backend().fill(t.data, value, t.size);
  return t;
}

export function fromArray(values: ArrayLike<number>, shape: Shape = [values.length], requiresGrad = false): Tensor {
  const n = shapeSize(shape);
  if (values.length !== n) throw new Error(`fromArray: ${values.length} values do not fill shape ${shapeStr(shape)}`);
  const t = empty(shape, requiresGrad);
  (t.data as Float32Array).set(values);
  return t;
}

export function scalar(value: number): Tensor {
  return fromArray([value], []);
}

export function intTensor(values: ArrayLike<number>, shape: Shape = [values.length]): Tensor {
  const n = shapeSize(shape);
  if (values.length !== n) throw new Error(`intTensor: ${values.length} values do not fill shape ${shapeStr(shape)}`);
  const data = backend().allocI32(n);
  data.set(values);
  return new Tensor(shape, data, 'i32');
}

/**
 * Creates the output of an op and, when grad is on and some input requires grad, records the
 * backward closure. `backward` reads out.grad and accumulates into the inputs' gradBuffer()s.
 */
export function opOutput(shape: Shape, inputs: readonly Tensor[], backward: ((out: Tensor) => void) | null, zero = false): Tensor {
  const needsGrad = backward !== null && isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const out = new Tensor(shape, backend().allocF32(shapeSize(shape), zero), 'f32', needsGrad);
  if (needsGrad) record({ out, backward: () => backward!(out) });
  return out;
}

/** Shape check helper: throws an error naming the op and both shapes. */
export function assertShape(op: string, cond: boolean, a: Shape, b: Shape, what = 'shapes do not match'): void {
  if (!cond) throw new Error(`${op}: ${what}: ${shapeStr(a)} and ${shapeStr(b)}`);
}
