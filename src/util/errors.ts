/**
 * A mistake the user can fix (bad flag, malformed input line, missing file). The CLI prints its
 * message as one line — what, where (file:line), what to do — and exits with code 2, no stack.
 */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The errors of a write that the user can fix (space, quota, a read-only or forbidden folder), and what each means. */
export const WRITE_ERROR_CODES: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/**
 * A write that failed for a reason the user can fix. `kept` says what became of the file (for an
 * atomic replace: the previous file is unchanged).
 */
export class WriteError extends UserError {
  constructor(readonly path: string, readonly code: string, kept = 'the previous file is unchanged') {
    const fix = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'free space' : "fix the folder's permissions or choose another folder";
    super(`${path}: ${WRITE_ERROR_CODES[code] ?? code} (${code}) while writing; ${kept}; ${fix} and rerun`);
    this.name = 'WriteError';
  }
}
