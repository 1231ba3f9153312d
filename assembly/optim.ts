// Optimizer steps: Adam/AdamW (and its thread share).
// Semantics are those of src/kernels/backend.ts (the js reference: src/kernels/js/, same file
// names); pointers are byte offsets into the shared linear memory.
import { ld, st, ldi, ldv, stv, shareStart } from './simd';
// ---- optimizers ----

/**
 * Adam / AdamW. g' = g + wd·p unless decoupled; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
 * p −= lr·(m/bc1)/(√(v/bc2) + eps) (+ lr·wd·p when decoupled, from the pre-step p).
 */
export function adamStep(n: i32, param: usize, grad: usize, m: usize, v: usize, lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decoupled: bool, bc1: f64, bc2: f64): void {
  // f64 arithmetic (two lanes of f64x2), rounded once per stored value, as the js kernel does;
  // the bias corrections become multiplications by their reciprocals (≤ 1 ulp of f64 apart)
  const b1c = 1 - beta1, b2c = 1 - beta2;
  const vb1 = f64x2.splat(beta1), vb2 = f64x2.splat(beta2), vb1c = f64x2.splat(b1c), vb2c = f64x2.splat(b2c);
  // the reciprocals are used in both loops, so binaryen does not sink their divisions into the loop
  const r2 = 1 / bc2, stp = lr / bc1;
  const vr2 = f64x2.splat(r2), vst = f64x2.splat(stp), veps = f64x2.splat(eps);
  const vwd = f64x2.splat(weightDecay), vdec = f64x2.splat(1 - lr * weightDecay);
  const wd = weightDecay != 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    let p = f64x2.promote_low_f32x4(v128.load64_zero(param + o));
    let g = f64x2.promote_low_f32x4(v128.load64_zero(grad + o));
    if (wd) {
      if (decoupled) p = f64x2.mul(p, vdec);
      else g = f64x2.add(g, f64x2.mul(vwd, p));
    }
    const mi = f64x2.add(f64x2.mul(vb1, f64x2.promote_low_f32x4(v128.load64_zero(m + o))), f64x2.mul(vb1c, g));
    const vi = f64x2.add(f64x2.mul(vb2, f64x2.promote_low_f32x4(v128.load64_zero(v + o))), f64x2.mul(f64x2.mul(vb2c, g), g));
    v128.store64_lane(m + o, f32x4.demote_f64x2_zero(mi), 0);
    v128.store64_lane(v + o, f32x4.demote_f64x2_zero(vi), 0);
    const den = f64x2.add(f64x2.sqrt(f64x2.mul(vi, vr2)), veps);
    v128.store64_lane(param + o, f32x4.demote_f64x2_zero(f64x2.sub(p, f64x2.div(f64x2.mul(vst, mi), den))), 0);
  }
  for (; i < n; i++) {
    let p = <f64>ld(param, i);
    let g = <f64>ld(grad, i);
    if (weightDecay != 0) {
      if (decoupled) p -= lr * weightDecay * p;
      else g += weightDecay * p;
    }
    const mi = beta1 * <f64>ld(m, i) + b1c * g;
    const vi = beta2 * <f64>ld(v, i) + b2c * g * g;
    st(m, i, <f32>mi);
    st(v, i, <f32>vi);
    st(param, i, <f32>(p - stp * mi / (Math.sqrt(vi * r2) + eps)));
  }
}

/** Adam over [i0, i1) of the arrays: the share of one thread. */
export function adamStepPart(n: i32, param: usize, grad: usize, m: usize, v: usize, lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decoupled: bool, bc1: f64, bc2: f64, tid: i32, nth: i32): void {
  const per = ((n + nth - 1) / nth + 15) & ~15;
  const a = min(n, tid * per), b = min(n, a + per);
  if (b <= a) return;
  const o = <usize>a << 2;
  adamStep(b - a, param + o, grad + o, m + o, v + o, lr, beta1, beta2, eps, weightDecay, decoupled, bc1, bc2);
}
