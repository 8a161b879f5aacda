import { TEST_NOW } from './harness.js';
import { telemetry } from './mqtt-test-client.js';

/** Each bad-input class of the issue (schema, unknown code, unknown unit, oversize, missing seq) and its reason. */
export const BAD_INPUTS: readonly { name: string; payload: unknown; reason: string }[] = [
  { name: 'schema violation', payload: telemetry(101, { readings: 'lots' }), reason: 'schema' },
  {
    name: 'unknown code',
    payload: telemetry(102, { readings: [{ code: 'MDC_NOT_A_CODE', value: 1, unit: '%' }] }),
    reason: 'unknown-code',
  },
  {
    name: 'unknown unit',
    payload: telemetry(103, { readings: [{ code: 'spo2', value: 97, unit: 'parsec' }] }),
    reason: 'unknown-unit',
  },
  {
    name: 'payload over the size limit',
    payload: telemetry(104, { pad: 'x'.repeat(70_000) }),
    reason: 'payload-too-large',
  },
  { name: 'missing seq', payload: { boot: 'b1', ts: TEST_NOW, readings: [] }, reason: 'missing-seq' },
];
