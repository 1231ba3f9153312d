import type { F32 } from '../backend.js';

export function layerNorm(rows: number, n: number, x: F32, gamma: F32, beta: F32, eps: number, out: F32, mean: F32, rstd: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += x[o + j]!;
    const mu = s / n;
    let v = 0;
    for (let j = 0; j < n; j++) { const d = x[o + j]! - mu; v += d * d; }
    const rs = 1 / Math.sqrt(v / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < n; j++) out[o + j] = (x[o + j]! - mu) * rs * gamma[j]! + beta[j]!;
  }
}

/**
 * Writes dx (overwrites) and ADDS into dGamma and dBeta (parameters are shared across rows and
 * calls, so their gradients accumulate).
 */
export function layerNormBackward(rows: number, n: number, x: F32, gamma: F32, mean: F32, rstd: F32, dy: F32, dx: F32, dGamma: F32, dBeta: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    // dxhat = dy·γ; dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat))
    let sd = 0;
    let sdx = 0;
    for (let j = 0; j < n; j++) {
      const xh = (x[o + j]! - mu) * rs;
      const g = dy[o + j]!;
      const dxh = g * gamma[j]!;
      sd += dxh;
      sdx += dxh * xh;
      dGamma[j] = dGamma[j]! + g * xh;
      dBeta[j] = dBeta[j]! + g;
    }
    sd /= n;
    sdx /= n;
    for (let j = 0; j < n; j++) {
      const xh = (x[o + j]! - mu) * rs;
      dx[o + j] = rs * (dy[o + j]! * gamma[j]! - sd - xh * sdx);
    }
  }
}
