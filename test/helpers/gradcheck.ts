import assert from 'node:assert/strict';
import { Tensor, fromArray, tidy, noGrad, runBackward, Rng } from '../../src/tensor/index.js';

export interface InputSpec {
  shape: number[];
  /** Fixed values; otherwise uniform in [low, high]. */
  values?: ArrayLike<number>;
  low?: number;
  high?: number;
  /** Values within this distance of 0 are pushed away (for relu/abs/div kinks). */
  avoidZero?: number;
}

export interface GradcheckOptions {
  seed?: number;
  /** Finite-difference step (in float32 units of the input). */
  eps?: number;
  rtol?: number;
  atol?: number;
}

type Outputs = Tensor | Tensor[] | Record<string, Tensor>;

function outputList(o: Outputs): Tensor[] {
  if (o instanceof Tensor) return [o];
  if (Array.isArray(o)) return o;
  return Object.values(o);
}

/**
 * Finite-difference gradient check. Loss L = Σ_o Σ_i op(x)_o[i] · R_o[i] with a seeded random
 * projection R; analytic ∂L/∂x from the tape is compared with central differences
 * (L(x + ε) − L(x − ε)) / (x₊ − x₋) evaluated in float64 around the float32 inputs, where x₊, x₋
 * are the float32-rounded perturbed values. Every input's every element is checked.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Outputs, specs: InputSpec[], opts: GradcheckOptions = {}): void {
  const rng = new Rng(opts.seed ?? 1234);
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const data = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (s.values) {
      assert.equal(s.values.length, n, 'gradcheck: values do not fill the shape');
      v.set(s.values);
    } else {
      const lo = s.low ?? -1;
      const hi = s.high ?? 1;
      for (let i = 0; i < n; i++) {
        let x = lo + (hi - lo) * rng.uniform();
        if (s.avoidZero !== undefined && Math.abs(x) < s.avoidZero) x = x < 0 ? -s.avoidZero - Math.abs(x) : s.avoidZero + x;
        v[i] = x;
      }
    }
    return v;
  });

  let projections: Float64Array[] | null = null;
  const project = (outs: Tensor[]): number => {
    if (projections === null) {
      projections = outs.map((o) => Float64Array.from({ length: o.size }, () => rng.normal()));
    }
    let s = 0;
    outs.forEach((o, k) => {
      const r = projections![k]!;
      const d = o.f32;
      for (let i = 0; i < o.size; i++) s += d[i]! * r[i]!;
    });
    return s;
  };

  // analytic gradients
  const analytic = tidy(() => {
    const xs = data.map((d, i) => fromArray(d, specs[i]!.shape, true));
    const outs = outputList(fn(...xs));
    project(outs); // fixes R
    outs.forEach((o, k) => {
      if (!o.requiresGrad || xs.includes(o)) return;
      o.gradBuffer().set(Float32Array.from(projections![k]!));
    });
    runBackward();
    const grads = xs.map((x) => (x.grad ? Float64Array.from(x.grad) : new Float64Array(x.size)));
    // an op that returns its input unchanged (e.g. dropout in eval mode) passes R straight through
    outs.forEach((o, k) => {
      const i = xs.indexOf(o);
      if (i >= 0) projections![k]!.forEach((r, j) => { grads[i]![j]! += r; });
    });
    return grads;
  });

  const evalAt = (): number => noGrad(() => tidy(() => {
    const xs = data.map((d, i) => fromArray(d, specs[i]!.shape));
    return project(outputList(fn(...xs)));
  }));

  data.forEach((d, i) => {
    for (let j = 0; j < d.length; j++) {
      const x0 = d[j]!;
      d[j] = x0 + eps;
      const xp = d[j]!;
      const fp = evalAt();
      d[j] = x0 - eps;
      const xm = d[j]!;
      const fm = evalAt();
      d[j] = x0;
      const num = (fp - fm) / (xp - xm);
      const ana = analytic[i]![j]!;
      const tol = atol + rtol * Math.max(Math.abs(num), Math.abs(ana));
      if (!(Math.abs(num - ana) <= tol)) {
        assert.fail(`gradient of input ${i} ${JSON.stringify(specs[i]!.shape)} at element ${j} (x = ${x0}): analytic ${ana}, numeric ${num}`);
      }
    }
  });
}

/** Asserts two number lists agree elementwise within atol + rtol·|expected|. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}
