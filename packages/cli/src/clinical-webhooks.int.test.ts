import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verifyWebhookSignature } from '@wardstream/alerts';
import { connectAsync, type MqttClient } from 'mqtt';
import { freePort, PlatformProcess } from './testing/platform-process.js';
import { WebhookReceiver } from './testing/webhook-receiver.js';

const SECRET = 'wh-secret-0123456789abcdefghijkl';
const TARGET = 'ward-pager';
const PATIENT = 'wh-pt-0001';
const DEVICE = 'wh-bed-0001';
const TOPIC = `wardstream/v1/devices/${DEVICE}/telemetry`;
const TACHYCARDIA = 'ecg.extreme-tachycardia';
const WEBHOOK_FAILING = 'technical.webhook-failing';

interface AlarmJson {
  readonly id: string;
  readonly ruleId: string;
  readonly state: string;
}
interface AlarmEventJson {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
}
interface ComponentJson {
  readonly status: string;
  readonly detail?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Alarms reach a webhook receiver signed, exactly once, across a receiver that fails at first and
 * across restarts of the platform (docs/WEBHOOKS.md; ADR 0004 "routing after storing"): a real
 * `wardstream up` with `--webhooks`, telemetry over MQTT, an acknowledgement over the API.
 */
describe('alert webhooks end to end (wardstream up, MQTT, a local receiver)', () => {
  it(
    'delivers every alarm event once, signed, after the receiver recovers, and never again after restarts',
    { timeout: 60_000 },
    async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'ws-webhooks-'));
      const receiver = await WebhookReceiver.start(1);
      const targetsPath = join(dir, 'webhooks.json');
      await writeFile(
        targetsPath,
        JSON.stringify([{ id: TARGET, kind: 'json', url: receiver.url('/hook'), secret: SECRET, minPriority: 'low' }]),
      );
      const platform = new PlatformProcess(join(dir, 'data'), await freePort(), await freePort(), [
        '--webhooks',
        targetsPath,
      ]);
      // Tokens from the platform's own issuer: a service (ADT feed, reads) and a nurse of the ward (acks).
      const tokens = { service: '', nurse: '' };
      const api = async <T>(
        method: string,
        path: string,
        body?: unknown,
        as: keyof typeof tokens = 'service',
      ): Promise<T> => {
        const res = await fetch(`${platform.apiUrl}${path}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[as]}` },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
        return JSON.parse(text) as T;
      };
      const alarms = async () => (await api<{ alarms: AlarmJson[] }>('GET', '/api/v1/alarms?limit=1000')).alarms;
      const alarmOf = async (ruleId: string) => (await alarms()).find((a) => a.ruleId === ruleId);
      /** Every stored alarm event, by alarm, from the API. */
      const storedEvents = async () => {
        const out = new Map<string, { alarm: AlarmJson; events: AlarmEventJson[] }>();
        for (const a of await alarms()) {
          out.set(a.id, await api<{ alarm: AlarmJson; events: AlarmEventJson[] }>('GET', `/api/v1/alarms/${a.id}`));
        }
        return out;
      };
      const webhooksHealth = async () => {
        const res = await fetch(`${platform.apiUrl}/readyz`);
        return ((await res.json()) as { components: Record<string, ComponentJson> }).components['webhooks'];
      };

      let keepalive: NodeJS.Timeout | undefined;
      let device: MqttClient | undefined;
      try {
        // The receiver fails until the platform reports the target failing (observable, not timed).
        receiver.failing = true;
        await platform.start();
        tokens.service = await platform.token();
        tokens.nurse = await platform.token({ sub: 'nurse.test', roles: ['nurse'], wards: ['wh-ward'] });
        await api('POST', '/api/v1/patients', { id: PATIENT, wardId: 'wh-ward' });
        await api('POST', '/api/v1/devices', { id: DEVICE });
        await api('POST', '/api/v1/bindings', { deviceId: DEVICE, patientId: PATIENT, from: 0 });

        const mqtt = await connectAsync(platform.mqttUrl, {
          ...(await platform.deviceTls([DEVICE]))(DEVICE),
          rejectUnauthorized: true,
          clientId: DEVICE,
          protocolVersion: 5,
          reconnectPeriod: 0,
          connectTimeout: 5_000,
        });
        device = mqtt;
        const mqttErrors: Error[] = [];
        mqtt.on('error', (err) => mqttErrors.push(err));
        let seq = 0;
        const publish = (heartRateBpm: number, ts: number) =>
          mqtt.publishAsync(
            TOPIC,
            JSON.stringify({
              seq: ++seq,
              boot: 'b1',
              ts,
              readings: [{ code: 'MDC_ECG_HEART_RATE', value: heartRateBpm, unit: '/min' }],
            }),
            { qos: 1 },
          );

        // 12 s of HR 150 at 1 Hz, the last reading a second ago (event time): the default extreme
        // tachycardia rule (≥ 141 /min held 10 s, latching, high priority) raises an alarm.
        const base = Date.now();
        for (let i = 0; i < 12; i++) await publish(150, base - 12_000 + i * 1_000);
        await waitFor('the tachycardia alarm', async () => (await alarmOf(TACHYCARDIA)) !== undefined, 10_000);
        const tachycardia = (await alarmOf(TACHYCARDIA))!;
        await api('POST', `/api/v1/alarms/${tachycardia.id}/acknowledge`, { by: 'nurse.test' }, 'nurse');

        // Normal values in real time, 1 Hz: the condition clears after its 10 s clear delay and the
        // acknowledged alarm resolves. They also keep the device from going stale until the restarts.
        keepalive = setInterval(() => {
          publish(80, Date.now()).catch((err: unknown) => mqttErrors.push(err as Error));
        }, 1_000);

        // Five failed attempts in a row (Retry-After 1 s) and the target is reported failing.
        await waitFor(
          '/readyz to show the webhooks degraded',
          async () => (await webhooksHealth())?.status === 'degraded',
          20_000,
        );
        const degraded = await webhooksHealth();
        t.diagnostic(`while failing: webhooks ${degraded?.status ?? '?'}: ${degraded?.detail ?? ''}`);
        const failedBeforeRecovery = receiver.requests.length;
        receiver.failing = false;

        await waitFor(
          'the tachycardia alarm to resolve',
          async () => (await alarmOf(TACHYCARDIA))?.state === 'resolved',
          25_000,
        );
        await waitFor(
          'the webhook-failing alarm to resolve',
          async () => (await alarmOf(WEBHOOK_FAILING))?.state === 'resolved',
          10_000,
        );
        await waitFor(
          'every stored event answered 2xx',
          async () => {
            const delivered = new Set(receiver.delivered());
            return [...(await storedEvents()).values()].every(({ events }) => events.every((e) => delivered.has(e.id)));
          },
          20_000,
        );
        assert.equal((await webhooksHealth())?.status, 'ok', 'the webhooks component recovered');

        const stored = await storedEvents();
        const storedIds = [...stored.values()].flatMap(({ events }) => events.map((e) => e.id));
        const delivered = receiver.delivered();
        const failed = receiver.requests.filter((r) => r.status >= 300);
        t.diagnostic(
          `before restarts: ${stored.size} alarms (${[...stored.values()].map(({ alarm, events }) => `${alarm.ruleId}: ${events.map((e) => e.type).join(',')}`).join('; ')}), ` +
            `${storedIds.length} events stored; receiver: ${receiver.requests.length} requests, ${failed.length} answered 503 ` +
            `(${new Set(failed.map((r) => r.eventId)).size} distinct ids), ${delivered.length} answered 200 (${new Set(delivered).size} distinct ids)`,
        );

        // The alarms we caused, with the lifecycle we drove.
        const history = (ruleId: string) =>
          [...stored.values()].find(({ alarm }) => alarm.ruleId === ruleId)?.events.map((e) => e.type);
        assert.deepEqual(history(TACHYCARDIA), ['raised', 'acknowledged', 'resolved']);
        assert.deepEqual(history(WEBHOOK_FAILING), ['raised', 'resolved']);
        // Every request signed with the target's secret over the raw body, and a wrong secret does not verify.
        const nowS = Date.now() / 1000;
        for (const r of receiver.requests) {
          assert.ok(
            verifyWebhookSignature(SECRET, r.signature ?? '', r.rawBody, nowS),
            `signature of ${r.eventId ?? '?'}`,
          );
          assert.ok(!verifyWebhookSignature(`${SECRET}x`, r.signature ?? '', r.rawBody, nowS));
          const body = JSON.parse(r.rawBody) as { id: string; seq: number };
          assert.equal(r.eventId, body.id, 'x-wardstream-event-id names the body');
          assert.equal(r.idempotencyKey, body.id, 'idempotency-key is the event id');
        }
        // Exactly once: the ids answered 2xx are the stored events, none twice.
        assert.deepEqual([...new Set(delivered)].sort(), [...storedIds].sort());
        assert.equal(delivered.length, new Set(delivered).size, 'no event id answered 2xx twice');
        // Retries: at least five refused attempts, every refused id later delivered under the same id.
        assert.ok(failedBeforeRecovery >= 5 && failed.length >= 5, `only ${failed.length} refused attempts`);
        for (const r of failed)
          assert.ok(delivered.includes(r.eventId ?? '?'), `refused ${r.eventId ?? '?'} never delivered`);
        // In order per alarm: an acknowledgement never overtakes its raise.
        const seqs = new Map<string, number[]>();
        for (const r of receiver.requests.filter((x) => x.status < 300)) {
          const body = JSON.parse(r.rawBody) as { seq: number; alarm: { id: string } };
          seqs.set(body.alarm.id, [...(seqs.get(body.alarm.id) ?? []), body.seq]);
        }
        for (const [id, s] of seqs)
          assert.deepEqual(
            s,
            [...s].sort((x, y) => x - y),
            `delivery order of ${id}`,
          );

        // Restarts: a clean stop (SIGINT; `wardstream up` handles SIGTERM the same way), then kill -9.
        // Each start routes the last 10 minutes' events again; the outbox must refuse every one.
        clearInterval(keepalive);
        keepalive = undefined;
        await mqtt.endAsync();
        device = undefined;
        const requestsBefore = receiver.requests.length;
        for (const stop of ['interrupt', 'kill'] as const) {
          if (stop === 'interrupt') assert.equal(await platform.interrupt(), 0, platform.log.slice(-4000));
          else await platform.kill();
          await platform.start();
          await waitFor('/readyz after the restart', async () => (await webhooksHealth())?.status === 'ok', 10_000);
          await sleep(3_000);
          assert.equal(
            receiver.requests.length,
            requestsBefore,
            `after ${stop} and restart the receiver got requests again: ${receiver.requests
              .slice(requestsBefore)
              .map((r) => r.eventId ?? '?')
              .join(', ')}`,
          );
        }
        const after = await storedEvents();
        assert.deepEqual(
          [...after.values()].flatMap(({ events }) => events.map((e) => e.id)).sort(),
          [...storedIds].sort(),
          'the restarts stored no alarm event',
        );
        t.diagnostic(
          `after 2 restarts: ${receiver.requests.length - requestsBefore} more requests; mqtt errors ${mqttErrors.length}`,
        );
      } finally {
        if (keepalive !== undefined) clearInterval(keepalive);
        await device?.endAsync(true).catch(() => undefined);
        await platform.interrupt().catch(() => undefined);
        await receiver.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
