import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs } from './backoff.js';
import { parseErrorReport } from './error-report.js';
import { Random } from './random.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('errors-topic messages are read leniently', () => {
  assert.deepEqual(parseErrorReport(bytes('{"seq":17,"boot":"b7","reason":"unknown-code","detail":"readings[0]"}')), {
    seq: 17,
    boot: 'b7',
    reason: 'unknown-code',
    detail: 'readings[0]',
  });
  const gateway = '{"seq":null,"boot":null,"reason":"malformed-json","detail":"not JSON","problems":[],"at":1}';
  assert.deepEqual(parseErrorReport(bytes(gateway)), { reason: 'malformed-json', detail: 'not JSON' });
  assert.deepEqual(parseErrorReport(bytes('{"code":"malformed-json","message":"Unexpected end"}')), {
    reason: 'malformed-json',
    detail: 'Unexpected end',
  });
  assert.deepEqual(parseErrorReport(bytes('{"seq":"17","error":"schema"}')), { reason: 'schema' });
  assert.deepEqual(parseErrorReport(bytes('payload-too-large')), { reason: 'payload-too-large' });
});

test('reconnect waits grow exponentially, capped, with full jitter', () => {
  const random = new Random('backoff');
  const policy = { minMs: 100, maxMs: 2000 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(2000, 100 * 2 ** attempt);
    const waits = Array.from({ length: 200 }, () => backoffDelayMs(policy, attempt, random));
    assert.ok(
      waits.every((w) => w >= 100 && w <= ceiling),
      `attempt ${attempt}`,
    );
    if (attempt >= 3) assert.ok(new Set(waits).size > 50, 'jittered');
  }
});
