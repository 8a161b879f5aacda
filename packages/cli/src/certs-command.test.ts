import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority, normalizeSerial } from '@wardstream/pki';
import { main } from './cli.js';
import { runCommand } from './testing/run-command.js';

const run = (argv: string[], env: Record<string, string> = {}) => runCommand(main, argv, { env });

test('wardstream certs: init, issue, server, list, revoke round trip on one CA directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-certs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const caDir = join(`${data}-keys`, 'ca');
  const where = ['--data-dir', data];

  const init = await run(['certs', 'init', ...where]);
  assert.equal(init.code, 0, init.stderr);
  const fingerprint = new X509Certificate(await readFile(join(caDir, 'ca.crt'))).fingerprint256;
  assert.match(init.stdout, /^certs: created a new certificate authority "CN=Wardstream device CA [0-9a-f]{6}"\n/);
  assert.ok(init.stdout.includes(`  certificate  ${join(caDir, 'ca.crt')}\n  sha256       ${fingerprint}\n`));
  const again = await run(['certs', 'init', '--key-dir', `${data}-keys`]);
  assert.match(again.stdout, /^certs: using the existing certificate authority/);
  assert.ok(again.stdout.includes(fingerprint));

  const out = join(dir, 'bed-4');
  const issued = await run(['certs', 'issue', 'bed-4.spo2', '--out', out, '--days', '30', ...where]);
  assert.equal(issued.code, 0, issued.stderr);
  const serial = /serial {3}([0-9A-F]+)\n/.exec(issued.stdout)?.[1] ?? '';
  const cert = new X509Certificate(await readFile(join(out, 'bed-4.spo2.crt')));
  assert.equal(cert.subject, 'CN=bed-4.spo2');
  assert.equal(normalizeSerial(cert.serialNumber), serial);
  assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(join(out, 'bed-4.spo2.key')))));
  assert.equal((await stat(join(out, 'bed-4.spo2.key'))).mode & 0o777, 0o600);
  assert.ok(cert.checkIssued(new X509Certificate(await readFile(join(out, 'ca.crt')))));
  assert.ok(issued.stdout.includes(`  expires  ${new Date(Date.parse(cert.validTo)).toISOString().slice(0, 19)}Z\n`));
  const twice = await run(['certs', 'issue', 'bed-4.spo2', '--out', out, ...where]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /bed-4\.spo2\.crt exists; choose another --out \(a key is never overwritten\)/);

  const server = await run([
    'certs',
    'server',
    '--host',
    '127.0.0.1',
    '--host',
    'mqtt.ward.example',
    '--out',
    join(dir, 'srv'),
    ...where,
  ]);
  assert.equal(server.code, 0, server.stderr);
  const serverCert = new X509Certificate(await readFile(join(dir, 'srv', 'server.crt')));
  assert.equal(serverCert.subjectAltName, 'IP Address:127.0.0.1, DNS:mqtt.ward.example');

  // an expired certificate, issued through the library, shows as such
  const now = Date.now();
  const ca = await CertificateAuthority.open(caDir);
  const old = await ca.issueDevice('pump-9', { notBefore: now - 10 * 86_400_000, notAfter: now - 86_400_000 });

  const revoked = await run(['certs', 'revoke', 'bed-4.spo2', '--reason', 'sensor replaced', ...where]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(
    revoked.stdout,
    new RegExp(`^certs: revoked ${serial} \\(device bed-4\\.spo2\\) at \\S+Z: sensor replaced\\n`),
  );
  assert.match(revoked.stdout, /takes effect on running platforms within 60 s\n$/);

  const table = await run(['certs', 'list', ...where]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^SERIAL +KIND +SUBJECT +NOT AFTER +STATE$/);
  assert.deepEqual(
    lines.slice(1).map((line) => line.split(/ +/).filter((_, i) => i !== 0 && i !== 3)),
    [
      ['device', 'bed-4.spo2', 'revoked'],
      ['server', '127.0.0.1', 'valid'],
      ['device', 'pump-9', 'expired'],
    ],
  );
  const json = await run(['certs', 'list', '--json', '--ca-dir', caDir]);
  const listed = JSON.parse(json.stdout) as { serial: string; state: string; revocationReason: string | null }[];
  assert.deepEqual(
    listed.map((c) => [c.serial, c.state, c.revocationReason]),
    [
      [serial, 'revoked', 'sensor replaced'],
      [normalizeSerial(serverCert.serialNumber), 'valid', null],
      [old.serial, 'expired', null],
    ],
  );
  // the environment names the same directory as the platform's does
  const viaEnv = await run(['certs', 'list', '--json'], { WARDSTREAM_DATA_DIR: data });
  assert.equal(viaEnv.stdout, json.stdout);
});

test('wardstream certs: usage errors exit 2 with what is wrong; CA refusals exit 1 with the reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-certs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = ['--ca-dir', join(dir, 'ca')];

  const cases: [string[], RegExp][] = [
    [['certs', 'sign', ...ca], /unknown subcommand "sign" \(expected init, issue, server, list, revoke\)/],
    [['certs', 'issue', ...ca], /issue needs a DEVICE_ID/],
    [['certs', 'issue', 'a', 'b', ...ca], /unexpected argument "b"/],
    [['certs', 'issue', 'pump-1', '--days', '0', ...ca], /--days: "0" must be a whole number of days/],
    [['certs', 'server', ...ca], /server needs at least one --host/],
    [['certs', 'revoke', 'pump-1', ...ca], /revoke needs --reason TEXT/],
    [['certs', 'list', '--colour', ...ca], /Unknown option '--colour'/],
  ];
  for (const [argv, message] of cases) {
    const result = await run(argv);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, message);
    assert.match(result.stderr, /Run "wardstream certs --help" for the options\.\n$/);
  }

  const missing = await run(['certs', 'issue', 'pump-1', ...ca]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^wardstream certs: no certificate authority in .*\/ca: the directory does not exist \(run "wardstream certs init"\)\n$/,
  );
  assert.equal((await run(['certs', 'init', ...ca])).code, 0);
  const badId = await run(['certs', 'issue', 'ward/1', '--out', join(dir, 'x'), ...ca]);
  assert.equal(badId.code, 1);
  assert.match(badId.stderr, /invalid device id "ward\/1"/);
  const unknown = await run(['certs', 'revoke', 'pump-404', '--reason', 'test', ...ca]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /this CA issued no certificate with serial or device id "pump-404"/);
  assert.equal((await run(['certs', '--help'])).code, 0);
});

test("wardstream certs with the hospital's CA files: it signs, the inventory and revocations stay in the CA directory", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-certs-hospital-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const hospital = await CertificateAuthority.openOrCreate(join(dir, 'hospital'), { commonName: 'Hospital PKI' });
  const files = ['--ca-cert', join(dir, 'hospital', 'ca.crt'), '--ca-key', join(dir, 'hospital', 'ca.key')];
  const caDir = join(dir, 'data-keys', 'ca');
  const out = join(dir, 'creds');
  const issued = await run(['certs', 'issue', 'pump-7', '--ca-dir', caDir, ...files, '--out', out]);
  assert.equal(issued.code, 0, issued.stderr);
  const cert = new X509Certificate(await readFile(join(out, 'pump-7.crt')));
  assert.ok(cert.checkIssued(new X509Certificate(hospital.certificatePem)), 'signed by the hospital CA');
  assert.equal(hospital.list().length, 0, "the hospital CA's own directory is not written");

  const revoked = await run([
    'certs',
    'revoke',
    'pump-7',
    '--reason',
    'returned to vendor',
    '--ca-dir',
    caDir,
    ...files,
  ]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const listed = await run(['certs', 'list', '--json', '--ca-dir', caDir, ...files]);
  const certs = JSON.parse(listed.stdout) as { subject: string; revokedAt: unknown }[];
  assert.deepEqual(
    certs.map((c) => [c.subject, c.revokedAt !== null]),
    [['pump-7', true]],
  );
  const half = await run(['certs', 'list', '--ca-dir', caDir, '--ca-cert', join(dir, 'hospital', 'ca.crt')]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--ca-cert and --ca-key go together/);
});
