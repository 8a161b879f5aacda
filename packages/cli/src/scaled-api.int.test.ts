import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalIssuer } from '@wardstream/auth';
import { deleteLog, LOCAL_TEST_NATS_URL, uniquePrefix } from '@wardstream/nats/testing';
import { freshTestSchema } from '@wardstream/pg/testing';
import { freePort } from '@wardstream/platform';
import { MemoryHistory, runSimulation } from '@wardstream/simulator';
import { RoleProcess } from './testing/role-process.js';

const ISSUER = 'https://idp.scaled-test.example';
const WARD = 'scaled-ward';
const PATIENT = 'scaled-pt-0001';
const DEVICE = 'scaled-0001';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The api role of the scaled-out shape against two processors and a gateway, each its own process,
 * on the local NATS and PostgreSQL, with tokens from an OIDC provider standing in for the
 * hospital's (its JWKS served over HTTP): registry writes, a patient's rules announced to the
 * processors, readings stored, an alarm raised by the processor's engine, and a nurse's
 * acknowledgement carried to the engine owning the patient's partition.
 */
void describe('the api role (scaled-out shape)', () => {
  void it('registers, stores, raises an alarm and acknowledges it through the partition owner', async () => {
    const schema = freshTestSchema();
    const prefix = uniquePrefix('WS_APITEST');
    const keyDir = await mkdtemp(join(tmpdir(), 'ws-scaled-api-'));
    const issuer = LocalIssuer.openOrCreate({ keyDir, issuer: ISSUER, audience: 'wardstream' });
    const jwks: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(issuer.jwks()));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const roles: RoleProcess[] = [];
    try {
      const env = {
        WARDSTREAM_NATS: LOCAL_TEST_NATS_URL,
        WARDSTREAM_POSTGRES: schema.connectionString,
        WARDSTREAM_PG_SCHEMA: schema.schema,
        WARDSTREAM_STREAM_PREFIX: prefix,
        WARDSTREAM_PARTITIONS: '4',
      };
      const [httpPort, mqttPort] = [await freePort(), await freePort()];
      // Two processors share the 4 partitions: a command must find the one owning the patient.
      const processors = ['a', 'b'].map(
        (m) =>
          new RoleProcess(
            `processor-${m}`,
            'processor',
            () => ['--health-port', '0', '--member-id', `api-test-${m}`, '--lease-ttl-ms', '3000'],
            env,
          ),
      );
      const gateway = new RoleProcess(
        'gateway',
        'gateway',
        () => [
          '--key-dir',
          join(keyDir, 'gw'),
          '--mqtt-port',
          '0',
          '--health-port',
          '0',
          '--dev-plaintext-mqtt-port',
          String(mqttPort),
        ],
        env,
      );
      const api = new RoleProcess(
        'api',
        'api',
        () => [
          '--http-port',
          String(httpPort),
          '--oidc-issuer',
          ISSUER,
          '--oidc-jwks-url',
          `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
        ],
        env,
      );
      roles.push(...processors, gateway, api);
      await Promise.all([...processors.map((p) => p.start()), gateway.start(), api.start()]);
      await until('both processors hold partitions', () =>
        Promise.resolve(processors.every((p) => p.log.includes('took a partition')) ? true : undefined),
      );
      // A few lease rounds for the hand-overs of the start to settle.
      await new Promise((resolve) => setTimeout(resolve, 3_000));

      const base = `http://127.0.0.1:${httpPort}/api/v1`;
      const token = (sub: string, roleNames: string[]) => issuer.sign({ sub, roles: roleNames, wards: [WARD] }, 900);
      const service = await token('integration', ['service', 'physician']);
      const nurse = await token('nurse-ada', ['nurse']);
      const call = async (method: string, path: string, bearer: string, body?: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
      };
      const ok = async (method: string, path: string, bearer: string, body?: unknown) => {
        const r = await call(method, path, bearer, body);
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.json)}\n${api.log.slice(-3000)}`);
        return r.json ?? {};
      };

      assert.equal((await call('GET', '/patients', 'not-a-token')).status, 401, 'tokens are checked');
      await ok('POST', '/patients', service, { id: PATIENT, wardId: WARD });
      await ok('POST', '/devices', service, { id: DEVICE });
      await ok('POST', '/bindings', service, { deviceId: DEVICE, patientId: PATIENT, from: 0 });
      const stop = new AbortController();
      const simulation = runSimulation(
        {
          mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
          protocolVersion: 5,
          devices: 1,
          scenario: 'stable',
          ratePerS: 4,
          devicePrefix: 'scaled-',
          seed: 'scaled-api',
          drainTimeoutMs: 10_000,
        },
        { history: new MemoryHistory(), signal: stop.signal },
      );
      // Data first, so the owner's engine has read the patient's rules (none) before they change:
      // the new rule reaches it by the announcement, not by a first lookup.
      await until('readings of the patient stored', async () => {
        const { json } = await call('GET', `/patients/${PATIENT}/readings/latest`, nurse);
        return JSON.stringify(json ?? {}).includes('MDC_ECG_HEART_RATE') ? true : undefined;
      });
      // A rule any heart rate meets: stored by the api, announced to the processors.
      await ok('PUT', `/patients/${PATIENT}/rules`, service, {
        by: 'integration',
        rules: [
          {
            ...{ kind: 'threshold', id: 'scaled-hr', label: 'Scaled HR', codes: ['MDC_ECG_HEART_RATE'] },
            ...{ direction: 'atOrAbove', limit: 1, hysteresis: 0, delayMs: 0, clearDelayMs: 0 },
            ...{ priority: 'high', latching: true, enabled: true, source: 'scaled api test' },
          },
        ],
      });
      const effective = await ok('GET', `/patients/${PATIENT}/rules/effective`, service);
      assert.ok(JSON.stringify(effective).includes('scaled-hr'), 'the effective rules include the patient’s');

      const alarm = await until('an alarm of the processor’s engine, read through the api', async () => {
        const { json } = await call('GET', `/patients/${PATIENT}/alarms`, nurse);
        const alarms = (json?.['alarms'] ?? []) as { id: string; ruleId: string; state: string }[];
        return alarms.find((a) => a.ruleId === 'scaled-hr');
      });
      stop.abort();
      await simulation;
      assert.equal(alarm.state, 'active');

      const acked = await ok('POST', `/alarms/${alarm.id}/acknowledge`, nurse, {
        by: 'nurse-ada',
        note: 'at the bedside',
      });
      const ackedAlarm = acked['alarm'] as { state: string; acknowledgedBy: string };
      assert.equal(ackedAlarm.state, 'acknowledged');
      assert.equal(ackedAlarm.acknowledgedBy, 'nurse-ada');
      const again = await call('POST', `/alarms/${alarm.id}/acknowledge`, nurse, { by: 'nurse-ada', note: 'twice' });
      assert.equal(
        again.status,
        409,
        'the engine refuses a second acknowledgement, and the refusal reaches the caller',
      );
      const unknown = await call('POST', '/alarms/no-such-alarm/acknowledge', nurse, { by: 'nurse-ada' });
      assert.equal(unknown.status, 404);

      // The burden counts the stored alarms against the monitored time in the engines' checkpoints
      // (saved every 2 s): the raised alarm, acknowledged above, over a monitored time above zero.
      let burden = await call('GET', '/alarm-burden', service);
      const monitored = () => Number(burden.json?.['monitoredPatientHours']);
      for (let i = 0; i < 20 && burden.status === 200 && !(monitored() > 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        burden = await call('GET', '/alarm-burden', service);
      }
      const shown = JSON.stringify(burden.json);
      assert.equal(burden.status, 200, shown);
      assert.ok(monitored() > 0, shown);
      assert.ok(Number(burden.json?.['raised']) >= 1, shown);
      assert.ok(Number(burden.json?.['acknowledged']) >= 1, shown);
    } finally {
      for (const role of roles.reverse()) await role.interrupt().catch(() => undefined);
      jwks.close();
      await deleteLog(prefix).catch(() => undefined);
      await schema.drop();
      await rm(keyDir, { recursive: true, force: true });
    }
  });
});
