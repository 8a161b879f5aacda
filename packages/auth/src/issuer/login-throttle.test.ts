import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginThrottle } from './login-throttle.js';

const T0 = Date.UTC(2026, 0, 5, 8);
const MINUTE = 60_000;

/** One failed attempt, begun and ended as the issuer does; the refusal when it may not begin. */
function failOnce(throttle: LoginThrottle, username: string, now: number) {
  const refusal = throttle.begin(username, now);
  if (refusal === undefined) throttle.fail(username, now);
  return refusal;
}

describe('LoginThrottle', () => {
  it('locks a username after 5 failures in the window, for 15 minutes', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 5; i++) assert.equal(failOnce(throttle, 'nurse.jones', T0), undefined);
    assert.deepEqual(throttle.begin('nurse.jones', T0 + MINUTE), { kind: 'locked', until: T0 + 15 * MINUTE });
    assert.equal(throttle.begin('nurse.jones', T0 + 15 * MINUTE), undefined);
  });

  it('keeps a lock however many other usernames fail: failing with others cannot push it out', () => {
    const throttle = new LoginThrottle({ maxTracked: 3 });
    for (let i = 0; i < 5; i++) failOnce(throttle, 'victim', T0);
    const locked = { kind: 'locked', until: T0 + 15 * MINUTE };
    assert.deepEqual(throttle.begin('victim', T0), locked);
    // Many more usernames than places, each failing once: the oldest of them give way, the lock stays.
    for (let i = 0; i < 50; i++) assert.equal(failOnce(throttle, `guess-${i}`, T0 + i), undefined);
    assert.equal(throttle.tracked, 3);
    assert.deepEqual(throttle.begin('victim', T0 + MINUTE), locked);
  });

  it('never evicts a username with an attempt under way', () => {
    const throttle = new LoginThrottle({ maxTracked: 2 });
    assert.equal(throttle.begin('slow', T0), undefined);
    for (let i = 0; i < 10; i++) failOnce(throttle, `guess-${i}`, T0);
    // The slow attempt's failure still counts: it held its place while under way.
    for (let i = 0; i < 4; i++) failOnce(throttle, 'slow', T0);
    assert.equal(throttle.fail('slow', T0), true);
  });

  it('refuses untracked usernames (fail closed) when every place is locked or busy, until one frees', () => {
    const throttle = new LoginThrottle({ maxTracked: 2 });
    for (let i = 0; i < 5; i++) failOnce(throttle, 'victim', T0);
    assert.equal(throttle.begin('slow', T0), undefined);
    assert.deepEqual(throttle.begin('newcomer', T0), { kind: 'full' });
    assert.deepEqual(throttle.begin('another', T0), { kind: 'full' });
    assert.deepEqual(throttle.begin('victim', T0), { kind: 'locked', until: T0 + 15 * MINUTE });
    assert.equal(throttle.tracked, 2);
    // A tracked username still may try; an ended attempt frees its place.
    assert.equal(throttle.begin('slow', T0), undefined);
    throttle.abandon('slow');
    throttle.abandon('slow');
    assert.equal(throttle.begin('newcomer', T0), undefined);
    // An expired lock is no longer held.
    throttle.abandon('newcomer');
    assert.equal(throttle.begin('third', T0 + 15 * MINUTE), undefined);
    assert.equal(throttle.begin('victim', T0 + 15 * MINUTE), undefined);
  });

  it('gives way first to idle entries, then to the oldest with failures only', () => {
    const throttle = new LoginThrottle({ maxTracked: 3 });
    failOnce(throttle, 'a', T0);
    failOnce(throttle, 'b', T0 + 1);
    assert.equal(throttle.begin('idle', T0 + 2), undefined);
    throttle.abandon('idle');
    failOnce(throttle, 'c', T0 + 3);
    // 'idle' is not the oldest, but it holds nothing: it goes, and 'a' keeps its failure.
    for (let i = 0; i < 4; i++) failOnce(throttle, 'a', T0 + 4);
    assert.deepEqual(throttle.begin('a', T0 + 5), { kind: 'locked', until: T0 + 4 + 15 * MINUTE });
  });
});
