/** The log cannot accept appends now; `cause` says why (ENOSPC, EIO, lost quorum…). */
export class LogUnavailableError extends Error {
  readonly code = 'LOG_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogUnavailableError';
  }
}

/** Stored bytes failed their checksum or framing: the log refuses to serve them. */
export class LogCorruptionError extends Error {
  readonly code = 'LOG_CORRUPT';
  constructor(
    message: string,
    readonly partition: number,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LogCorruptionError';
  }
}

/** The log was used after `close()`. */
export class LogClosedError extends Error {
  readonly code = 'LOG_CLOSED';
  constructor() {
    super('the telemetry log is closed');
    this.name = 'LogClosedError';
  }
}
