// Fused bias + activation over rows × n (the js reference of assembly/bias-act.ts).
import { ActKind } from '../opcodes.js';
import type { F32 } from '../backend.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erfc(x) to ~1.1e-7 relative (Chebyshev fit of erfc(z)·e^{z²} in t = 1/(1 + z/2), Numerical
 * Recipes' erfcc); the wasm kernel evaluates the same formula in float32.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** gelu(z) = z·Φ(z) = z/2 · erfc(−z/√2) (exact, not the tanh approximation). */
export function gelu(z: number): number {
  return 0.5 * z * erfc(-z * SQRT1_2);
}

/** gelu'(z) = Φ(z) + z·φ(z). */
export function geluGrad(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** out[r, j] = act(x[r, j] + bias[j]). out may alias x. */
export function biasAct(rows: number, n: number, x: F32, bias: F32, act: ActKind, out: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let j = 0; j < n; j++) {
      const z = Math.fround(x[o + j]! + bias[j]!);
      out[o + j] = act === ActKind.Relu ? (z > 0 ? z : 0) : act === ActKind.Gelu ? gelu(z) : z;
    }
  }
}

/**
 * dx (+)= dy · act'(x + bias) (if dx is given; accumulate adds) and dBias += Σ_rows of the same
 * (if given). relu' is 0 at 0, as in PyTorch.
 */
export function biasActBackward(rows: number, n: number, x: F32, bias: F32, act: ActKind, dy: F32, dx: F32 | null, accumulate: boolean, dBias: F32 | null): void {
  const col = dBias !== null ? new Float64Array(n) : null;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let j = 0; j < n; j++) {
      const z = Math.fround(x[o + j]! + bias[j]!);
      const g = act === ActKind.Relu ? (z > 0 ? dy[o + j]! : 0) : act === ActKind.Gelu ? dy[o + j]! * geluGrad(z) : dy[o + j]!;
      if (dx !== null) dx[o + j] = accumulate ? dx[o + j]! + g : g;
      if (col !== null) col[j] += g;
    }
  }
  if (dBias !== null) for (let j = 0; j < n; j++) dBias[j] = dBias[j]! + col![j]!;
}
