/** The log cannot accept appends now; `cause` says why (ENOSPC, EIO, lost quorum…). */
export class LogUnavailableError extends Error {
    code = 'LOG_UNAVAILABLE';
    constructor(message, options) {
        super(message, options);
        this.name = 'LogUnavailableError';
    }
}
/** Stored bytes failed their checksum or framing: the log refuses to serve them. */
export class LogCorruptionError extends Error {
    partition;
    offset;
    code = 'LOG_CORRUPT';
    constructor(message, partition, offset, options) {
        super(message, options);
        this.partition = partition;
        this.offset = offset;
        this.name = 'LogCorruptionError';
    }
}
/** The log was used after `close()`. */
export class LogClosedError extends Error {
    code = 'LOG_CLOSED';
    constructor() {
        super('the telemetry log is closed');
        this.name = 'LogClosedError';
    }
}
//# sourceMappingURL=errors.js.map