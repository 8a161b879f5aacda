import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyResponse, describeSendError, retryAfterMs, retryDelayMs } from './retry-schedule.js';
import { DEFAULT_WEBHOOK_POLICY as POLICY } from './webhook-target.js';

const NOW = Date.UTC(2025, 2, 1, 8, 0, 0);
const HALF = (): number => 0.5;
const ALMOST_ONE = (): number => 0.999_999;

void describe('retry schedule', () => {
  void it('backs off exponentially with full jitter, bounded by maxBackoffMs', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 9, 10, 50, 5000].map((attempts) => retryDelayMs(POLICY, attempts, ALMOST_ONE)),
      [999, 1999, 3999, 7999, 255_999, 299_999, 299_999, 299_999],
    );
    assert.equal(retryDelayMs(POLICY, 3, HALF), 2000);
    assert.equal(
      retryDelayMs(POLICY, 3, () => 0),
      0,
    );
  });

  void it('classifies 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      assert.deepEqual(classifyResponse(POLICY, 1, HALF, status, null, NOW), { kind: 'delivered', status });
    }
  });

  void it('retries 408, 429 and 5xx with back-off, honouring Retry-After up to maxBackoffMs', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) {
      assert.deepEqual(classifyResponse(POLICY, 2, HALF, status, null, NOW), {
        kind: 'failed',
        error: `HTTP ${status}`,
        retryInMs: 1000,
        permanent: false,
      });
    }
    const retryIn = (header: string): number => {
      const outcome = classifyResponse(POLICY, 1, HALF, 503, header, NOW);
      return outcome.kind === 'failed' ? outcome.retryInMs : -1;
    };
    assert.equal(retryIn('0'), 0);
    assert.equal(retryIn('7'), 7000);
    assert.equal(retryIn('86400'), POLICY.maxBackoffMs);
    assert.equal(retryIn(new Date(NOW + 12_000).toUTCString()), 12_000);
    assert.equal(retryIn('soon'), 500, 'unreadable: the jittered back-off');
  });

  void it('treats other 4xx and 3xx as a permanent failure, retried at maxBackoffMs', () => {
    for (const status of [301, 302, 400, 401, 403, 404, 410, 413, 422]) {
      assert.deepEqual(classifyResponse(POLICY, 1, HALF, status, '1', NOW), {
        kind: 'failed',
        error: `HTTP ${status}`,
        retryInMs: POLICY.maxBackoffMs,
        permanent: true,
      });
    }
  });

  void it('reads Retry-After as seconds or an HTTP-date', () => {
    assert.equal(retryAfterMs(null, NOW), null);
    assert.equal(retryAfterMs(' 3 ', NOW), 3000);
    assert.equal(retryAfterMs(new Date(NOW - 5000).toUTCString(), NOW), 0);
    assert.equal(retryAfterMs('-1', NOW), null);
  });

  void it('describes send errors in one line, with fetch’s cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.equal(
      describeSendError(new TypeError('fetch failed', { cause }), 5000),
      'fetch failed: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9',
    );
    assert.equal(describeSendError(new DOMException('timed out', 'TimeoutError'), 5000), 'no response within 5000 ms');
    assert.equal(describeSendError('odd', 5000), 'odd');
  });
});
