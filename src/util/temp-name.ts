/**
 * The names of the temporary files of atomic writes (`.<file>.<pid>.<n>.tmp`, beside the file),
 * described once so the writer and the code that cleans up after a kill agree.
 */
export function atomicTempName(file: string, pid: number, n: number): string {
  return `.${file}.${pid}.${n}.tmp`;
}

/** Whether `name` (a file name, no folder) is one of our temporary names. */
export function isAtomicTempName(name: string): boolean {
  return /^\..+\.\d+\.\d+\.tmp$/.test(name);
}
