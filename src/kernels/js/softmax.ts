import type { F32, I32 } from '../backend.js';

export function softmax(rows: number, n: number, x: F32, out: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j]! > mx) mx = x[o + j]!;
    let s = 0;
    for (let j = 0; j < n; j++) { const e = Math.exp(x[o + j]! - mx); out[o + j] = e; s += e; }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) out[o + j] = out[o + j]! * inv;
  }
}

export function logSoftmax(rows: number, n: number, x: F32, out: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j]! > mx) mx = x[o + j]!;
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[o + j]! - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < n; j++) out[o + j] = x[o + j]! - lse;
  }
}

/** dx (+)= y ⊙ (dy − Σ dy⊙y) */
export function softmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += dy[o + j]! * y[o + j]!;
    for (let j = 0; j < n; j++) {
      const d = y[o + j]! * (dy[o + j]! - dot);
      dx[o + j] = accumulate ? dx[o + j]! + d : d;
    }
  }
}

/** dx (+)= dy − exp(y) · Σ dy, y = logSoftmax(x) */
export function logSoftmaxBackward(rows: number, n: number, y: F32, dy: F32, dx: F32, accumulate: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += dy[o + j]!;
    for (let j = 0; j < n; j++) {
      const d = dy[o + j]! - Math.exp(y[o + j]!) * s;
      dx[o + j] = accumulate ? dx[o + j]! + d : d;
    }
  }
}

/**
 * Row loss = −Σ_j q_j log p_j with q = (1 − ε)·onehot(t) + ε/V (PyTorch's label_smoothing).
 * Ignored rows get loss 0 (their probs row is still written, and unused).
 */
export function softmaxCrossEntropy(rows: number, V: number, logits: F32, targets: I32, ignoreIndex: number, smoothing: number, lossRows: F32, probs: F32 | null): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    const t = targets[r]!;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) if (logits[o + j]! > mx) mx = logits[o + j]!;
    let s = 0;
    let sumX = 0;
    for (let j = 0; j < V; j++) { const x = logits[o + j]!; s += Math.exp(x - mx); sumX += x; }
    const lse = mx + Math.log(s);
    if (probs !== null) for (let j = 0; j < V; j++) probs[o + j] = Math.exp(logits[o + j]! - lse);
    if (t === ignoreIndex) { lossRows[r] = 0; continue; }
    // −(1 − ε)·logp_t − (ε/V)·Σ_j logp_j, with logp_j = x_j − lse
    const loss = -(1 - smoothing) * (logits[o + t]! - lse) - (smoothing / V) * (sumX - V * lse);
    lossRows[r] = loss;
    total += loss;
  }
  return total;
}

export function softmaxCrossEntropyBackward(rows: number, V: number, probs: F32, targets: I32, ignoreIndex: number, smoothing: number, scale: number, dlogits: F32, accumulate: boolean): void {
  const off = smoothing / V;
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    const t = targets[r]!;
    if (t === ignoreIndex) {
      if (!accumulate) for (let j = 0; j < V; j++) dlogits[o + j] = 0;
      continue;
    }
    for (let j = 0; j < V; j++) {
      const q = (j === t ? 1 - smoothing : 0) + off;
      const d = scale * (probs[o + j]! - q);
      dlogits[o + j] = accumulate ? dlogits[o + j]! + d : d;
    }
  }
}
