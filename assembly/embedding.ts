// Row gathers: gatherRows, scatterAddRows.
// Semantics are those of src/kernels/backend.ts (the js reference: src/kernels/js/, same file
// names); pointers are byte offsets into the shared linear memory.
import { axpyOne } from './reduce';
// ---- embedding ----

export function gatherRows(n: i32, dim: i32, table: usize, ids: usize, out: usize): void {
  const rowBytes = <usize>dim * 4;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    memory.copy(out + <usize>i * rowBytes, table + <usize>id * rowBytes, rowBytes);
  }
}

export function scatterAddRows(n: i32, dim: i32, g: usize, ids: usize, dTable: usize): void {
  const rowBytes = <usize>dim * 4;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    axpyOne(dim, g + <usize>i * rowBytes, dTable + <usize>id * rowBytes);
  }
}
