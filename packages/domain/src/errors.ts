/**
 * The stable error codes of Wardstream. Infrastructure and request failures throw a
 * `WardstreamError` with one of these; the HTTP layer maps each to one status, exhaustively.
 */
export type ErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID_INPUT' | 'UNAVAILABLE' | 'CORRUPT' | 'CLOSED';

export class WardstreamError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WardstreamError';
  }
}
