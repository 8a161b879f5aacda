import { describe, it } from 'node:test';
import { appendCases } from './contract/append-cases.js';
import { durabilityCases } from './contract/durability-cases.js';
import { fetchCases } from './contract/fetch-cases.js';
import { idempotencyCases } from './contract/idempotency-cases.js';
import { withLog, type CaseRunner, type LogFactory } from './contract/session.js';

export type { LogFactory, Session, CaseRunner } from './contract/session.js';

/**
 * The contract of the `TelemetryLog` port (telemetry-log.ts), run by every adapter in one line:
 *
 *   describeTelemetryLogContract('FileTelemetryLog', () => tempLog());
 *
 * `makeFactory` is called once per test, for fresh storage. The cases cover outcomes in request
 * order, partitioning by key, contiguous offsets and per-partition order, duplicates, conflicts
 * and new boots, many concurrent appends, fetch (offsets, maxRecords, waiting, waking, aborting),
 * consumer commits and records across close and reopen, and appends after close. They use
 * node:test and assert no wall-clock timing (a missed wake-up fails by the test's timeout).
 */
export function describeTelemetryLogContract(name: string, makeFactory: () => Promise<LogFactory>): void {
  const test: CaseRunner = (title, body, options = {}) => {
    void it(title, options, () => withLog(makeFactory, body));
  };
  void describe(`${name} (TelemetryLog contract)`, () => {
    appendCases(test);
    idempotencyCases(test);
    fetchCases(test);
    durabilityCases(test);
  });
}
