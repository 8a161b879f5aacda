import { describe, it } from 'node:test';
import { alarmCases } from './contract/alarm-cases.js';
import { alarmQueryCases } from './contract/alarm-query-cases.js';
import { auditCases } from './contract/audit-cases.js';
import { durabilityCases } from './contract/durability-cases.js';
import { ruleCases } from './contract/rule-cases.js';
import { ecgCases, scoreCases } from './contract/score-cases.js';
import { withStore, type CaseRunner, type OpenClinicalStore, type ReopenClinicalStore } from './contract/session.js';

export type { CaseRunner, OpenClinicalStore, ReopenClinicalStore, Session } from './contract/session.js';
export {
  T0,
  MINUTE_MS,
  type EventFixtureOptions,
  alarmFixture,
  eventFixture,
  alarmHistory,
  scoreFixture,
  partialScoreFixture,
  chartedFixture,
  thresholdRuleFixture,
  bandRuleFixture,
} from './contract/fixtures.js';

/**
 * The contract of the `ClinicalStore` port (clinical-store.ts), run by every adapter in one line:
 *
 *   describeClinicalStoreContract('SqliteClinicalStore', () => SqliteClinicalStore.open({ path: ':memory:' }));
 *
 * `open` is called once per test and must give a store over fresh, empty storage; the suite closes
 * it at the end of the test. `reopen`, when given, opens again the storage of a store the suite has
 * closed: the durability case runs only then (it is skipped otherwise), and the round-trip cases
 * check their records again after a reopen. Cleaning the storage up is the caller's (e.g. an
 * `after()` hook removing a temporary directory).
 *
 * The cases cover alarm snapshots and their event history, idempotent events and late replays,
 * alarm queries (filters, order, limits), open alarms, events by time, scores (upsert, latest per
 * name, history), ECG metrics, charted observations, rule sets (versions, CONFLICT, scopes), the audit trail, the
 * checkpoint, durability across reopen, and the JSON round trip of every field. No case reads the
 * wall clock.
 */
export function describeClinicalStoreContract(
  name: string,
  open: OpenClinicalStore,
  reopen?: ReopenClinicalStore,
): void {
  const test: CaseRunner = (title, body, options = {}) => {
    const skip = options.needsReopen === true && reopen === undefined ? 'no reopen function given' : false;
    void it(title, { skip }, () => withStore(open, reopen, body));
  };
  void describe(`ClinicalStore contract: ${name}`, () => {
    alarmCases(test);
    alarmQueryCases(test);
    scoreCases(test);
    ecgCases(test);
    ruleCases(test);
    auditCases(test);
    durabilityCases(test);
  });
}
