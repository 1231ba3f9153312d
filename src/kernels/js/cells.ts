import type { F32 } from '../backend.js';
import { sigmoid } from './elementwise.js';

/** LSTM cell; gates [B, 4H] in order i, f, g, o are overwritten with their activations. */
export function lstmCell(B: number, H: number, gates: F32, cPrev: F32, h: F32, c: F32): void {
  for (let b = 0; b < B; b++) {
    const g0 = b * 4 * H;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const ig = sigmoid(gates[g0 + j]!);
      const fg = sigmoid(gates[g0 + H + j]!);
      const gg = Math.tanh(gates[g0 + 2 * H + j]!);
      const og = sigmoid(gates[g0 + 3 * H + j]!);
      gates[g0 + j] = ig;
      gates[g0 + H + j] = fg;
      gates[g0 + 2 * H + j] = gg;
      gates[g0 + 3 * H + j] = og;
      const cn = fg * cPrev[s0 + j]! + ig * gg;
      c[s0 + j] = cn;
      h[s0 + j] = og * Math.tanh(cn);
    }
  }
}

export function lstmCellBackward(B: number, H: number, acts: F32, cPrev: F32, c: F32, dh: F32, dc: F32 | null, dGates: F32, dcPrev: F32, accumulate: boolean): void {
  for (let b = 0; b < B; b++) {
    const g0 = b * 4 * H;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const ig = acts[g0 + j]!;
      const fg = acts[g0 + H + j]!;
      const gg = acts[g0 + 2 * H + j]!;
      const og = acts[g0 + 3 * H + j]!;
      const tc = Math.tanh(c[s0 + j]!);
      const dhv = dh[s0 + j]!;
      const dct = (dc === null ? 0 : dc[s0 + j]!) + dhv * og * (1 - tc * tc);
      dGates[g0 + j] = dct * gg * ig * (1 - ig);
      dGates[g0 + H + j] = dct * cPrev[s0 + j]! * fg * (1 - fg);
      dGates[g0 + 2 * H + j] = dct * ig * (1 - gg * gg);
      dGates[g0 + 3 * H + j] = dhv * tc * og * (1 - og);
      const dcp = dct * fg;
      dcPrev[s0 + j] = accumulate ? dcPrev[s0 + j]! + dcp : dcp;
    }
  }
}

/** GRU cell (PyTorch): acts [B, 4H] receives r, z, n and hn (the hidden-side n pre-activation). */
export function gruCell(B: number, H: number, xg: F32, hg: F32, hPrev: F32, h: F32, acts: F32): void {
  for (let b = 0; b < B; b++) {
    const g0 = b * 3 * H;
    const a0 = b * 4 * H;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(xg[g0 + j]! + hg[g0 + j]!);
      const z = sigmoid(xg[g0 + H + j]! + hg[g0 + H + j]!);
      const hn = hg[g0 + 2 * H + j]!;
      const n = Math.tanh(xg[g0 + 2 * H + j]! + r * hn);
      acts[a0 + j] = r;
      acts[a0 + H + j] = z;
      acts[a0 + 2 * H + j] = n;
      acts[a0 + 3 * H + j] = hn;
      h[s0 + j] = (1 - z) * n + z * hPrev[s0 + j]!;
    }
  }
}

/** Writes dxg and dhg; dhPrev receives (accumulate: adds) only the direct path z ⊙ dh. */
export function gruCellBackward(B: number, H: number, acts: F32, hPrev: F32, dh: F32, dxg: F32, dhg: F32, dhPrev: F32, accumulate: boolean): void {
  for (let b = 0; b < B; b++) {
    const g0 = b * 3 * H;
    const a0 = b * 4 * H;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = acts[a0 + j]!;
      const z = acts[a0 + H + j]!;
      const n = acts[a0 + 2 * H + j]!;
      const hn = acts[a0 + 3 * H + j]!;
      const d = dh[s0 + j]!;
      const dnPre = d * (1 - z) * (1 - n * n);
      const dzPre = d * (hPrev[s0 + j]! - n) * z * (1 - z);
      const drPre = dnPre * hn * r * (1 - r);
      dxg[g0 + j] = drPre;
      dxg[g0 + H + j] = dzPre;
      dxg[g0 + 2 * H + j] = dnPre;
      dhg[g0 + j] = drPre;
      dhg[g0 + H + j] = dzPre;
      dhg[g0 + 2 * H + j] = dnPre * r;
      const dp = d * z;
      dhPrev[s0 + j] = accumulate ? dhPrev[s0 + j]! + dp : dp;
    }
  }
}
