import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteClinicalStore } from '@wardstream/alerts';
import { IDENTITY_DB_FILE, SqliteIdentityStore, verifyChain, type ChainReport } from '@wardstream/auth';
import { CertificateAuthority } from '@wardstream/pki';
import { AUDIT_PUBLIC_KEY } from './audit-signer.js';
import { BREAK_GLASS_RULE } from './embedded.js';
import { createManufacturerPki, type ManufacturerPki } from './enrollment/testing-pki.js';
import { startE2ePlatform, waitFor, type E2ePlatform, type HttpAnswer } from './testing/e2e-platform.js';
import { postJsonMutualTls } from './testing/https-json.js';
import { connectAnswer, connectTlsDevice, vitals, type DeviceTls } from './testing/tls-device.js';

/** MQTT 5 reason codes [MQTT-5 3.2.2.2, 3.14.2.1]. */
const NOT_AUTHORIZED = 0x87;
const ADMINISTRATIVE_ACTION = 0x98;
/** The issue's promise for revocation of a live session; a guard against a hang, not a measurement. */
const REVOCATION_BOUND_MS = 60_000;
const DAY_MS = 86_400_000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function within<T>(what: string, promise: Promise<T>, boundMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), boundMs);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('trust end to end: devices over mutual TLS against the embedded platform', () => {
  let e2e: E2ePlatform;
  let manufacturers: ManufacturerPki;
  let service: string;
  let admin: string;
  const mqttPort = () => e2e.platform.mqttPort;
  const ca = () => e2e.platform.ca!;
  const refusals = (reason: string) => e2e.metric(service, 'wardstream_gateway_refusals_total', { reason });
  const securityEvents = (source: string, reason: string) =>
    e2e.metric(service, 'wardstream_security_events_total', { source, reason });
  const loggedRefusals = (reason: string) =>
    e2e.logs.filter(
      (l) => l.component === 'security' && l.message === 'device refused' && l.fields['reason'] === reason,
    );

  before(async () => {
    manufacturers = createManufacturerPki(['acme']);
    const policy = join(manufacturers.dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({ manufacturers: [{ name: 'acme', caPath: 'acme-ca.crt', deviceIdFrom: 'cn', prefix: 'acme-' }] }),
    );
    e2e = await startE2ePlatform(() => ['--enrollment-port', '0', '--enrollment-policy', policy]);
    service = await e2e.token({ sub: 'e2e-scraper', roles: ['service'], wards: [] });
    admin = await e2e.token({ sub: 'e2e-admin', roles: ['admin'], wards: [] });
  });
  after(async () => {
    await e2e.dispose();
    manufacturers.dispose();
  });

  it(
    'cuts a live session revoked by another process (DISCONNECT 0x98), refuses it after, and stores every acknowledged message once',
    { timeout: 90_000 },
    async (t) => {
      const issued = await ca().issueDevice('bedside-7');
      const tls: DeviceTls = { ca: ca().certificatePem, cert: issued.certificatePem, key: issued.keyPem };
      const device = await connectTlsDevice(mqttPort(), 'bedside-7', tls);
      const acked: number[] = [];
      const refusedAcks: number[] = [];
      let seq = 0;
      const publishOne = async (): Promise<boolean> => {
        seq += 1;
        const outcome = await device.publish(vitals(seq, Date.now()));
        if (outcome.kind === 'cut') return false;
        (outcome.reasonCode === 0 ? acked : refusedAcks).push(seq);
        return true;
      };
      for (let i = 0; i < 10; i++) assert.ok(await publishOne(), 'connected and acknowledged before the revocation');
      assert.deepEqual(acked, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

      // What `wardstream certs revoke bedside-7` does from another process: its own CA instance.
      const elsewhere = await CertificateAuthority.open(join(e2e.config.keyDir, 'ca'));
      const [revoked] = await elsewhere.revoke('bedside-7', 'monitor reported stolen');
      assert.equal(revoked?.serial, issued.serial);
      // The device keeps publishing, paced, until the platform cuts it.
      const publishing = (async () => {
        while (await publishOne()) await delay(20);
      })();
      await within('the revoked session to be closed', device.closed, REVOCATION_BOUND_MS);
      await publishing;
      assert.equal(device.disconnects.length, 1);
      const [cut] = device.disconnects;
      assert.ok(cut);
      assert.equal(cut.reasonCode, ADMINISTRATIVE_ACTION);
      assert.match(cut.reasonString ?? '', /revoked: monitor reported stolen/);
      assert.deepEqual(refusedAcks, [], 'every publish answered before the cut was accepted');

      const again = await connectAnswer(mqttPort(), 'bedside-7', tls);
      assert.equal(again.reasonCode, NOT_AUTHORIZED);
      assert.match(again.reasonString ?? '', /revoked/);

      // PUBACK means durable in the log; the store has every appended message a moment later. This is
      // the platform's first device, so the gateway's count is this device's.
      const appended = await e2e.metric(service, 'wardstream_gateway_messages_total', { outcome: 'stored' });
      await waitFor(
        'the processor to store every appended message',
        async () => (await e2e.metric(service, 'wardstream_processor_messages_total')) >= appended,
      );
      const perSeq = new Map<number, number>();
      let cursor: string | undefined;
      do {
        const page = await e2e.request(
          'GET',
          `/api/v1/devices/bedside-7/readings?from=0&to=${Date.now() + 60_000}&limit=10000${cursor === undefined ? '' : `&cursor=${cursor}`}`,
          { token: service },
        );
        assert.equal(page.status, 200, page.text);
        for (const r of page.body['readings'] as { seq: number }[]) perSeq.set(r.seq, (perSeq.get(r.seq) ?? 0) + 1);
        cursor = page.body['next'] as string | undefined;
      } while (cursor !== undefined);
      const lost = acked.filter((s) => !perSeq.has(s));
      const duplicated = [...perSeq].filter(([, readings]) => readings !== 2);
      assert.deepEqual(lost, [], 'lost: acknowledged but not stored');
      assert.deepEqual(duplicated, [], 'duplicates: a message stored more than once (2 readings each)');
      assert.equal(perSeq.size, appended, 'every message the gateway appended is stored, once');
      assert.ok(acked.length > 10, 'the device was still publishing when the revocation reached the platform');

      assert.ok((await refusals('certificate-revoked')) >= 2, 'the cut and the new connection');
      assert.ok((await securityEvents('mqtt', 'certificate-revoked')) >= 2);
      assert.ok(loggedRefusals('certificate-revoked').some((l) => l.fields['deviceId'] === 'bedside-7'));
      t.diagnostic(
        `acknowledged ${acked.length} (${acked.length - 10} after the revocation), appended ${appended}, stored ${perSeq.size}, ` +
          `refusals ${await refusals('certificate-revoked')}, security events ${await securityEvents('mqtt', 'certificate-revoked')}`,
      );
      await device.end();
    },
  );

  it(
    'refuses a certificate from a foreign CA, no certificate and an expired one: CONNACK 0x87, counted and logged',
    { timeout: 30_000 },
    async () => {
      const foreignCa = await CertificateAuthority.openOrCreate(join(e2e.root, 'foreign-ca'));
      const foreign = await foreignCa.issueDevice('bedside-8');
      const now = Date.now();
      const expired = await ca().issueDevice('bedside-9', { notBefore: now - 2 * DAY_MS, notAfter: now - DAY_MS });
      const cases = [
        ['certificate-untrusted', 'bedside-8', { cert: foreign.certificatePem, key: foreign.keyPem }],
        ['no-certificate', 'bedside-8', {}],
        ['certificate-expired', 'bedside-9', { cert: expired.certificatePem, key: expired.keyPem }],
      ] as const;
      for (const [reason, id, creds] of cases) {
        const counted = async () => [
          await refusals(reason),
          await securityEvents('mqtt', reason),
          loggedRefusals(reason).length,
        ];
        const before = await counted();
        const answer = await connectAnswer(mqttPort(), id, { ca: ca().certificatePem, ...creds });
        assert.equal(answer.reasonCode, NOT_AUTHORIZED, reason);
        assert.deepEqual(
          await counted(),
          before.map((n) => n + 1),
          `${reason}: refusal, security event, log line`,
        );
      }
    },
  );

  it(
    'enrolls a device zero-touch: refused device-not-approved while pending, publishes once an admin approves',
    { timeout: 30_000 },
    async () => {
      const bootstrap = manufacturers.bootstrap('acme', '/O=acme/CN=SN-0042');
      const onDevice = manufacturers.deviceCsr('/CN=SN-0042');
      const port = e2e.platform.enrollmentPort!;
      const enrolled = await postJsonMutualTls(
        port,
        '/enroll/v1',
        { csr: onDevice.csr },
        { ca: ca().certificatePem, ...bootstrap },
      );
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      assert.equal(enrolled.body['deviceId'], 'acme-SN-0042');
      assert.equal(enrolled.body['status'], 'pending');
      const tls: DeviceTls = {
        ca: enrolled.body['caCertificate'] as string,
        cert: enrolled.body['certificate'] as string,
        key: onDevice.key,
      };
      assert.equal(tls.ca, ca().certificatePem);

      const pending = await connectAnswer(mqttPort(), 'acme-SN-0042', tls);
      assert.equal(pending.reasonCode, NOT_AUTHORIZED);
      assert.match(pending.reasonString ?? '', /not approved/);
      assert.equal(await refusals('device-not-approved'), 1);
      assert.equal(await securityEvents('mqtt', 'device-not-approved'), 1);

      const nurse = await e2e.token({ sub: 'nurse-x', roles: ['nurse'], wards: ['ward-a'] });
      const byNurse = await e2e.request('POST', '/api/v1/devices/acme-SN-0042/approve', { token: nurse, body: {} });
      assert.equal(byNurse.status, 403, 'only an admin decides');
      const approved = await e2e.request('POST', '/api/v1/devices/acme-SN-0042/approve', {
        token: admin,
        body: { reason: 'installed in ICU bay 4' },
      });
      assert.equal(approved.status, 200, approved.text);

      const device = await connectTlsDevice(mqttPort(), 'acme-SN-0042', tls);
      assert.deepEqual(await device.publish(vitals(1, Date.now())), { kind: 'acked', reasonCode: 0 });
      await device.end();
      assert.equal(await refusals('device-not-approved'), 1, 'not refused once approved');
    },
  );
});

/** One request of the people tests, and the access audit record it must leave. */
interface Expected {
  readonly actor: string;
  readonly method: string;
  readonly path: string;
  readonly outcome: 'allowed' | 'denied' | 'unauthenticated';
  readonly severity: 'normal' | 'high';
}

describe('trust end to end: people — bearer tokens, wards, break-glass, the audit trail, the first admin', () => {
  let e2e: E2ePlatform;
  const expected: Expected[] = [];
  /** A request whose access audit record is expected; `outcome` follows from the status asserted. */
  const audited = async (
    who: { sub: string; token?: string },
    method: string,
    path: string,
    options: { body?: unknown; severity?: 'high' } = {},
  ): Promise<HttpAnswer> => {
    const res = await e2e.request(method, path, {
      ...(who.token === undefined ? {} : { token: who.token }),
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const outcome = res.status === 401 ? 'unauthenticated' : res.status === 403 ? 'denied' : 'allowed';
    expected.push({ actor: who.sub, method, path, outcome, severity: options.severity ?? 'normal' });
    return res;
  };

  before(async () => {
    e2e = await startE2ePlatform();
  });
  after(async () => {
    await e2e.dispose();
  });

  it(
    'answers by role and ward, opens one patient to an admin by break-glass, notifies, and audits each access in an intact chain',
    { timeout: 30_000 },
    async (t) => {
      const store = e2e.platform.clinical.store;
      const startSeq = store.audit({ afterSeq: 0, limit: 1_000 }).at(-1)?.seq ?? 0;
      const person = async (sub: string, role: string, wards: string[]) => ({
        sub,
        token: await e2e.token({ sub, roles: [role], wards }),
      });
      const admin = await person('e2e-admin', 'admin', []);
      const nurse = await person('nurse-a', 'nurse', ['ward-a']);
      const service = await person('e2e-integration', 'service', []);
      const anonymous = { sub: 'anonymous' };

      for (const [id, wardId] of [
        ['pt-a', 'ward-a'],
        ['pt-b', 'ward-b'],
      ]) {
        assert.equal((await audited(admin, 'POST', '/api/v1/patients', { body: { id, wardId } })).status, 201);
      }
      assert.equal((await audited(anonymous, 'GET', '/api/v1/patients')).status, 401);
      const list = await audited(nurse, 'GET', '/api/v1/patients');
      assert.deepEqual(
        (list.body['patients'] as { id: string }[]).map((p) => p.id),
        ['pt-a'],
        'a nurse lists her wards only',
      );
      assert.equal((await audited(nurse, 'GET', '/api/v1/patients/pt-a')).status, 200);
      assert.equal((await audited(nurse, 'GET', '/api/v1/patients/pt-b')).status, 403);
      assert.equal((await audited(admin, 'GET', '/api/v1/patients/pt-b')).status, 403);

      const reason = 'patient collapsed, ward B physician unreachable';
      const glass = await audited(admin, 'POST', '/api/v1/break-glass', {
        body: { patientId: 'pt-b', reason, minutes: 5 },
        severity: 'high',
      });
      assert.equal(glass.status, 201, glass.text);
      const read = await audited(admin, 'GET', '/api/v1/patients/pt-b', { severity: 'high' });
      assert.equal(read.status, 200);
      assert.equal(read.body['wardId'], 'ward-b');
      assert.equal((await audited(admin, 'GET', '/api/v1/patients/pt-a')).status, 403, 'the grant is for pt-b only');

      // The notification is a technical alarm without a patient: a service (integration) sees it.
      let notice: Record<string, unknown> | undefined;
      await waitFor('the break-glass notification', async () => {
        const alarms = await audited(service, 'GET', '/api/v1/alarms?open=true');
        assert.equal(alarms.status, 200);
        notice = (alarms.body['alarms'] as Record<string, unknown>[]).find((a) => a['ruleId'] === BREAK_GLASS_RULE);
        return notice !== undefined;
      });
      assert.ok(notice);
      assert.equal(notice['state'], 'active');
      assert.match(
        String(notice['message']),
        /Break-glass access to patient pt-b by e2e-admin until .*: patient collapsed/,
      );
      assert.deepEqual((notice['details'] as { grant?: unknown }).grant, glass.body['id']);

      const trail = await audited(admin, 'GET', `/api/v1/audit?action=access.&after=${startSeq}&limit=1000`);
      assert.equal(trail.status, 200);
      const entries = trail.body['entries'] as {
        actor: string;
        action: string;
        details: {
          object: { method: string; path: string };
          outcome: string;
          severity: string;
          justification?: string;
        };
      }[];
      assert.deepEqual(
        entries.map((e) => ({
          actor: e.actor,
          method: e.details.object.method,
          path: e.details.object.path,
          outcome: e.details.outcome,
          severity: e.details.severity,
        })),
        expected.map((x) => ({ ...x, path: x.path.split('?')[0] })),
        'one access record per request, in order, with its outcome',
      );
      const granted = entries.find((e) => e.action === 'access.break-glass');
      assert.equal(granted?.details.justification, reason);

      // `wardstream audit verify`: the hash chain and the signed checkpoints hold.
      const publicKey = createPublicKey(readFileSync(join(e2e.config.auditKeyDir, AUDIT_PUBLIC_KEY)));
      const report = verifyChain(store.auditChain(), store.auditCheckpoints(), publicKey);
      assert.ok(report.ok, JSON.stringify(report));
      assert.ok(report.lastSeq >= startSeq + expected.length);
      t.diagnostic(
        `${entries.length} access records for ${expected.length} requests; chain of ${report.records} entries, ${report.checkpoints} signed checkpoints`,
      );
    },
  );

  it(
    'lets the first admin, created in the identity store while the platform runs, sign in and manage users',
    { timeout: 30_000 },
    async () => {
      const identity = SqliteIdentityStore.open({ path: join(e2e.config.dataDir, IDENTITY_DB_FILE) });
      try {
        await identity.createUser({ username: 'first-admin', role: 'admin', password: 'a long first passphrase' });
      } finally {
        identity.close();
      }
      const signIn = (password: string) =>
        fetch(`${e2e.apiUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', username: 'first-admin', password }).toString(),
        });
      const wrong = await signIn('not the passphrase');
      assert.equal(wrong.status, 400);
      assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');
      const res = await signIn('a long first passphrase');
      assert.equal(res.status, 200);
      const { access_token: token, token_type: type } = (await res.json()) as {
        access_token: string;
        token_type: string;
      };
      assert.equal(type.toLowerCase(), 'bearer');

      const users = await e2e.request('GET', '/api/v1/users', { token });
      assert.equal(users.status, 200, users.text);
      assert.deepEqual(
        (users.body['users'] as { username: string; role: string }[]).map((u) => [u.username, u.role]),
        [['first-admin', 'admin']],
      );
      assert.equal((await e2e.request('GET', '/api/v1/users')).status, 401);
      assert.equal((await e2e.request('GET', '/api/v1/patients/pt-a', { token })).status, 403, 'no patient data');
    },
  );

  it('describes the identity and enrollment routes in its OpenAPI document, since it serves them', async () => {
    const doc = await e2e.request('GET', '/api/v1/openapi.json');
    assert.equal(doc.status, 200);
    const paths = Object.keys(doc.body['paths'] as Record<string, unknown>);
    for (const path of [
      '/.well-known/openid-configuration',
      '/oauth/jwks.json',
      '/oauth/token',
      '/api/v1/users',
      '/api/v1/users/{username}',
      '/api/v1/clients',
      '/api/v1/devices/{deviceId}/approve',
      '/api/v1/devices/{deviceId}/reject',
      '/api/v1/enrollments',
    ]) {
      assert.ok(paths.includes(path), path);
    }
  });

  it('leaves, once stopped, a trail that `wardstream audit verify` finds intact', { timeout: 30_000 }, async () => {
    await e2e.stop();
    const report = verifyStoppedTrail(e2e);
    assert.ok(report.ok, JSON.stringify(report));
    assert.ok(report.records >= 12, 'the records of the requests above');
  });

  // A run shorter than the signer's 60 s interval must still leave a checkpoint: the one signed at stop,
  // after the clinical service's last write and before its store closes.
  it('signs the head of the audit trail at stop', { timeout: 30_000 }, async () => {
    await e2e.stop();
    const report = verifyStoppedTrail(e2e);
    assert.ok(report.ok, JSON.stringify(report));
    assert.ok(report.checkpoints >= 1, 'a checkpoint signed at stop');
    assert.deepEqual(
      e2e.logs.filter((l) => l.component === 'audit' && l.level !== 'info').map((l) => l.fields['error']),
      [],
    );
  });
});

/** What `wardstream audit verify --data-dir DIR` does (packages/cli/src/audit-command.ts), on a stopped platform. */
function verifyStoppedTrail(e2e: E2ePlatform): ChainReport {
  const publicKey = createPublicKey(readFileSync(join(e2e.config.auditKeyDir, AUDIT_PUBLIC_KEY)));
  const store = SqliteClinicalStore.open({ path: join(e2e.config.dataDir, 'clinical.db') });
  try {
    return verifyChain(store.auditChain(), store.auditCheckpoints(), publicKey);
  } finally {
    store.close();
  }
}
