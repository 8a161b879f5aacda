import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { BreakGlassGrant } from '@wardstream/api';
import { breakGlassNotifier, type ExternalAlarms } from './embedded.js';
import type { Logger } from './logger.js';

const grant = (expiresAt: number) =>
  ({
    id: 'g1',
    patientId: 'p1',
    subject: 'admin',
    roles: ['admin'],
    reason: 'arrest',
    expiresAt,
  }) as unknown as BreakGlassGrant;

function fakeEngine(endFails = false) {
  const calls: string[] = [];
  const engine: ExternalAlarms = {
    raiseExternal: (c) => {
      calls.push(`raise ${c.subject}`);
      return 'a1';
    },
    endExternal: (subject) => {
      if (endFails) throw new Error('engine closed');
      calls.push(`end ${subject}`);
    },
  };
  return { engine, calls };
}

describe('the break-glass notification', () => {
  it('ends with the grant, and not at all once closed (the engine may be closed)', async () => {
    const clock = { now: () => 1_000 };
    const open = fakeEngine();
    const live = breakGlassNotifier(() => open.engine, clock, { info() {}, warn() {}, error() {} });
    live.notify(grant(1_000));
    const closed = fakeEngine();
    const stopped = breakGlassNotifier(() => closed.engine, clock, { info() {}, warn() {}, error() {} });
    stopped.notify(grant(1_000));
    stopped.close();
    await sleep(20);
    assert.deepEqual(open.calls, ['raise break-glass:g1', 'end break-glass:g1']);
    assert.deepEqual(closed.calls, ['raise break-glass:g1']);
  });

  it('logs a failure to end it instead of throwing from a timer', async () => {
    const errors: string[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (_c, message) => errors.push(message) };
    const { engine } = fakeEngine(true);
    breakGlassNotifier(() => engine, { now: () => 0 }, logger).notify(grant(0));
    await sleep(20);
    assert.deepEqual(errors, ['could not end a break-glass notification']);
  });
});
