import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AlarmEvent } from '@wardstream/clinical';
import { FileTelemetryLog } from '@wardstream/log';
import { AlertRouter } from './alert-router.js';
import { alarmFixture, alarmHistory } from './contract/fixtures.js';

describe('AlertRouter', () => {
  it('appends each event to the alerts topic once, also when re-routed with its keys in another order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-alerts-'));
    const log = await FileTelemetryLog.open({ dir, partitionCount: 1 });
    try {
      const failures: string[] = [];
      const live: string[] = [];
      const webhooks: string[] = [];
      const router = new AlertRouter({
        alertsLog: log,
        webhooks: { enqueue: (e) => webhooks.push(e.id) },
        live: (e) => live.push(e.id),
        onRouteFailed: (route, e, err) => failures.push(`${route} ${e.id} ${err.message}`),
      });
      const events = alarmHistory(alarmFixture(), ['raised', 'acknowledged', 'resolved']);
      for (const e of events) router.route(e, true);
      // After a restart the stored events are routed again; JSON from the store may order keys differently.
      for (const e of events) {
        const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(e).reverse()))) as AlarmEvent;
        router.route(reordered, false);
      }
      await router.settle();
      assert.deepEqual(failures, []);
      const entries = await log.fetch(new Map([[0, 0]]), { maxRecords: 100, maxWaitMs: 0 });
      assert.deepEqual(
        entries.map((x) => `${x.deviceId}/${x.seq}`),
        events.map((e) => `${e.alarmId}/${e.seq}`),
      );
      assert.deepEqual(
        entries.map((x) => (JSON.parse(new TextDecoder().decode(x.payload)) as AlarmEvent).id),
        events.map((e) => e.id),
      );
      assert.deepEqual(
        live,
        events.map((e) => e.id),
        'the live feed hears only of fresh events',
      );
      assert.equal(webhooks.length, 6, 'webhooks get every routing; their outbox refuses an id twice');
    } finally {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an alerts-topic failure without throwing (the event is stored and re-routed at start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-alerts-'));
    const log = await FileTelemetryLog.open({ dir, partitionCount: 1 });
    await log.close();
    const failures: string[] = [];
    const router = new AlertRouter({ alertsLog: log, onRouteFailed: (route, e) => failures.push(`${route} ${e.id}`) });
    const [raised] = alarmHistory(alarmFixture(), ['raised']);
    router.route(raised!, true);
    await router.settle();
    assert.deepEqual(failures, [`alerts-topic ${raised!.id}`]);
    rmSync(dir, { recursive: true, force: true });
  });
});
