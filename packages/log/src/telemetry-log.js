/**
 * The telemetry log port: a durable, partitioned, ordered log of ingest records between the
 * gateway and the processor (DESIGN 1, 3.4). Adapters: `FileTelemetryLog` (embedded, this
 * package), JetStream (scaled out). Every adapter passes `describeTelemetryLogContract`.
 */
export {};
//# sourceMappingURL=telemetry-log.js.map