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

/** Why a file could not be read or written, in words a user can act on (from a Node error's code). */
export function fileErrorReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a folder, not a file';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    case 'EEXIST': return 'a file of that name exists';
    case 'EIO': return 'input/output error';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'read-only file system';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    default: return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  }
}
