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
