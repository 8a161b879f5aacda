import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from './wait.js';

test('waitUntil says what ended the wait', async () => {
  assert.equal(
    await waitUntil((done) => {
      queueMicrotask(done);
    }, 60_000),
    'done',
  );
  assert.equal(await waitUntil(() => undefined, 1), 'timeout');
  const controller = new AbortController();
  const waiting = waitUntil(() => undefined, 60_000, controller.signal);
  controller.abort();
  assert.equal(await waiting, 'aborted');
  assert.equal(await waitUntil(() => undefined, 60_000, controller.signal), 'aborted');
});
