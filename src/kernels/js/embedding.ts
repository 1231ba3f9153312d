import type { F32, I32 } from '../backend.js';

export function gatherRows(n: number, dim: number, table: F32, ids: I32, out: F32): void {
  for (let i = 0; i < n; i++) {
    const src = ids[i]! * dim;
    const dst = i * dim;
    for (let j = 0; j < dim; j++) out[dst + j] = table[src + j]!;
  }
}

export function scatterAddRows(n: number, dim: number, g: F32, ids: I32, dTable: F32): void {
  for (let i = 0; i < n; i++) {
    const dst = ids[i]! * dim;
    const src = i * dim;
    for (let j = 0; j < dim; j++) dTable[dst + j] = dTable[dst + j]! + g[src + j]!;
  }
}
