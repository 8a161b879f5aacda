/** Discards everything; for tests and tools. */
export const NO_PROCESSOR_METRICS = {
    batch: () => undefined,
    storedLatency: () => undefined,
    lag: () => undefined,
};
//# sourceMappingURL=metrics.js.map