import { Tensor, zeros, type Shape } from './tensor.js';
import type { Rng } from './rng.js';

/** Fills t in place with U(−a, a). */
export function uniformInit(t: Tensor, a: number, rng: Rng): Tensor {
  const v = t.f32;
  for (let i = 0; i < t.size; i++) v[i] = (2 * rng.uniform() - 1) * a;
  return t;
}

/** Fills t in place with N(0, std²). */
export function normalInit(t: Tensor, std: number, rng: Rng): Tensor {
  const v = t.f32;
  for (let i = 0; i < t.size; i++) v[i] = rng.normal() * std;
  return t;
}

/** Glorot/Xavier uniform: U(−a, a), a = √(6 / (fanIn + fanOut)); for [out, in] (or [in, out]) matrices. */
export function xavierUniform(t: Tensor, rng: Rng): Tensor {
  const s = t.shape;
  let fanIn: number;
  let fanOut: number;
  if (s.length < 2) {
    fanIn = fanOut = s[0] ?? 1;
  } else {
    let receptive = 1;
    for (let i = 2; i < s.length; i++) receptive *= s[i]!;
    fanIn = s[1]! * receptive;
    fanOut = s[0]! * receptive;
  }
  return uniformInit(t, Math.sqrt(6 / (fanIn + fanOut)), rng);
}

export function zerosInit(t: Tensor): Tensor {
  t.f32.fill(0, 0, t.size);
  return t;
}

/**
 * A trainable, persistent tensor (scopes never dispose it). `init` fills it: a function such as
 * `(t) => xavierUniform(t, rng)`, or a constant.
 */
export function parameter(shape: Shape, init: ((t: Tensor) => unknown) | number = 0): Tensor {
  const t = zeros(shape.slice(), true).keep();
  if (typeof init === 'number') {
    if (init !== 0) t.f32.fill(init, 0, t.size);
  } else {
    init(t);
  }
  return t;
}
