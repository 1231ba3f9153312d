/** The error codes of the API (contract: the `error.code` field of every error response). */
export type ApiErrorCode = 'bad_request' | 'too_large' | 'not_found' | 'method_not_allowed' | 'overloaded' | 'internal' | 'unavailable';

/**
 * A request the server refuses: the HTTP status, the API code and one line naming the field or
 * limit, plus any headers the status needs (Allow for 405, Retry-After for 429).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, 'bad_request', message);
export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);

/** The JSON body of an error response. */
export function errorBody(code: ApiErrorCode, message: string): { error: { code: ApiErrorCode; message: string } } {
  return { error: { code, message } };
}
