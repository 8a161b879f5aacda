import { afterEach, beforeEach, describe } from 'node:test';
import { aggregateCases } from './contract/aggregate-cases.js';
import { durabilityCases } from './contract/durability-cases.js';
import { idempotencyCases } from './contract/idempotency-cases.js';
import { latestCases } from './contract/latest-cases.js';
import { rangeCases } from './contract/range-cases.js';
import { summaryCases } from './contract/summary-cases.js';
import { writeReadCases } from './contract/write-read-cases.js';
import type { ContractContext, StoreFactory } from './contract/context.js';

export type { ContractContext, StoreFactory } from './contract/context.js';
export {
  T0,
  HR,
  SPO2,
  TEMP,
  RR,
  ECG,
  type TestReading,
  type TestRecordSpec,
  testRecord,
  checkpointAt,
  compareReadings,
  expectedReadings,
  readAllPages,
  readPatient,
  readDevice,
} from './contract/records.js';

/**
 * The reading-store contract (reading-store.ts), run by every adapter in one line:
 *
 *   describeReadingStoreContract('SqliteReadingStore', async () => factoryOverATempDir());
 *
 * `makeFactory` is called once per test, for fresh storage. The cases cover exact round trips,
 * idempotency per (deviceId, boot, seq), range bounds, order and paging, latest values (clock-skewed
 * readings passed over while a code has others), bucketed aggregates (readings flagged implausible
 * or artifact left out and counted), waveforms, unassigned devices, durability across reopen and
 * crash, and late data.
 * The tests use node:test and never assert wall-clock timings.
 */
export function describeReadingStoreContract(name: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`ReadingStore contract: ${name}`, () => {
    let factory: StoreFactory | undefined;
    beforeEach(async () => {
      factory = await makeFactory();
    });
    afterEach(async () => {
      await factory?.cleanup();
      factory = undefined;
    });
    const context: ContractContext = {
      factory: () => {
        if (factory === undefined) throw new Error('no store factory outside a test');
        return factory;
      },
      open: () => context.factory().open(),
    };
    writeReadCases(context);
    idempotencyCases(context);
    rangeCases(context);
    latestCases(context);
    aggregateCases(context);
    summaryCases(context);
    durabilityCases(context);
  });
}
