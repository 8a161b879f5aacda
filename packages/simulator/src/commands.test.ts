import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CertificateAuthority } from '@wardstream/pki';
import { parseFlags, UsageError } from './args.js';
import { checkCommand, historyTimeRange } from './check-command.js';
import type { HistoryEvent } from './history.js';
import { runSimulation, SimulationError } from './run-simulation.js';
import { simulateCommand, simulateOptions } from './simulate-command.js';
import { DEFAULT_SIMULATION_OPTIONS, simulationProblems } from './simulation-options.js';

const dir = await mkdtemp(join(tmpdir(), 'wardstream-cmd-'));
after(() => rm(dir, { recursive: true, force: true }));

function capture(): {
  out: string[];
  err: string[];
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } };
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
  };
}

test('simulate --help documents every option and the scenarios', async () => {
  const c = capture();
  assert.equal(await simulateCommand(['--help'], c.io), 0);
  const help = c.out.join('');
  for (const flag of [
    '--devices',
    '--rate',
    '--duration',
    '--count',
    '--scenario',
    '--mqtt-url',
    '--protocol',
    '--history',
    '--seed',
    '--waveforms',
    '--tls-cert',
    '--device-prefix',
    '--admit',
    '--ward',
    '--token',
  ]) {
    assert.ok(help.includes(flag), flag);
  }
  assert.match(
    help,
    /stable, deteriorating, arrhythmia, dropout, clock-skew, duplicates, out-of-order, malformed, reboot/,
  );
});

test('a bad simulate command line is one clear line and exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--devices', 'ten'], /--devices must be a number, not "ten"/],
    [['--duration', '5', '--count', '10'], /--duration or --count, not both/],
    [['--protocol', '3'], /--protocol must be one of 4, 5/],
    [['--frobnicate'], /unknown option --frobnicate/],
    [['--tls-cert', 'a.pem'], /needs --tls-cert, --tls-key and --tls-ca \(missing --tls-key, --tls-ca\)/],
    [
      ['--tls-cert', '/nonexistent/c', '--tls-key', '/nonexistent/k', '--tls-ca', '/nonexistent/ca'],
      /cannot read --tls-cert/,
    ],
    [['--devices'], /--devices needs a value/],
    [['--admit'], /--admit needs a value/],
    [['--admit', '--ward', 'icu-3'], /--admit needs a value/],
    [['--ward', 'icu-3'], /--ward only applies with --admit API_URL/],
    [['--admit', '127.0.0.1:8080'], /--admit: the API URL "127.0.0.1:8080" is not an http:\/\/ or https:\/\/ URL/],
    [['--admit', 'http://127.0.0.1:8080', '--ward', 'ward 3'], /--admit: the ward "ward 3" is not a valid id/],
    [['--data-dir', join(dir, 'no-platform')], /--data-dir: cannot open the platform's CA in .*no-platform-keys\/ca/],
    [['--data-dir', 'd', '--tls-dir', 't'], /give --data-dir \(or --key-dir\) or --tls-dir or --tls-cert\/--tls-key/],
    [['--data-dir', 'd', '--key-dir', 'k'], /give --data-dir or --key-dir, not both/],
    [['--key-dir', join(dir, 'no-keys')], /--key-dir: cannot open the platform's CA in .*no-keys\/ca/],
  ];
  for (const [argv, message] of cases) {
    const c = capture();
    assert.equal(await simulateCommand(argv, c.io), 2, argv.join(' '));
    assert.equal(c.err.length, 1);
    assert.match(c.err[0] ?? '', message);
    assert.match(c.err[0] ?? '', /^wardstream simulate: .*\(see --help\)\n$/);
  }
});

test('options that cannot work together are refused before anything connects, all at once', async () => {
  const c = capture();
  const argv = ['--scenario', 'stable:2,sepsis:1', '--no-history', '--quiet'];
  assert.equal(await simulateCommand(argv, c.io), 1);
  assert.match(c.err.join(''), /^wardstream simulate: unknown scenario "sepsis"/);
  const problems = simulationProblems({
    ...DEFAULT_SIMULATION_OPTIONS,
    mqttUrl: 'http://x',
    ratePerS: 10,
    deviceRatePerS: 1,
    devicePrefix: 'bad/prefix',
    tls: { cert: '', key: '', ca: '' },
  });
  assert.equal(problems.length, 4, problems.join('\n'));
  await assert.rejects(
    runSimulation({ devices: 0 }),
    (e: unknown) => e instanceof SimulationError && e.code === 'config',
  );
});

test('simulate flags become simulation options', async () => {
  const flags = parseFlags(
    [
      '--devices=20',
      '--rate',
      '200',
      '--scenario',
      'stable:16,deteriorating:4',
      '--protocol',
      '5',
      '--skew',
      '1970',
      '--deteriorate-over',
      '120',
      '--waveforms',
      '--no-history',
    ],
    {
      devices: 'string',
      rate: 'string',
      scenario: 'string',
      protocol: 'string',
      skew: 'string',
      'deteriorate-over': 'string',
      waveforms: 'boolean',
      'no-history': 'boolean',
    },
  );
  const o = await simulateOptions(flags);
  assert.equal(o.devices, 20);
  assert.equal(o.ratePerS, 200);
  assert.equal(o.protocolVersion, 5);
  assert.equal(o.durationMs, 60_000);
  assert.equal(o.historyPath, undefined);
  assert.equal(o.waveforms, true);
  assert.equal(o.scenarioSettings.clockSkew, '1970');
  assert.equal(o.scenarioSettings.deteriorationDurationMs, 120_000);
  assert.throws(() => parseFlags(['--x', '1', '--x', '2'], { x: 'string' }), UsageError);
  assert.throws(() => parseFlags(['stray'], {}), /unexpected argument "stray"/);
});

test('check: usage errors, an unreadable history, and an unreachable API are one line each', async () => {
  const usage = capture();
  assert.equal(await checkCommand([], usage.io), 2);
  assert.match(usage.err.join(''), /--history FILE is required/);

  const help = capture();
  assert.equal(await checkCommand(['--help'], help.io), 0);
  assert.match(help.out.join(''), /GET \/api\/v1\/devices\/\{id\}\/readings/);

  const missing = capture();
  assert.equal(await checkCommand(['--history', join(dir, 'none.jsonl')], missing.io), 1);
  assert.match(missing.err.join(''), /^wardstream check: .*ENOENT/);

  const path = join(dir, 'h.jsonl');
  const event: HistoryEvent = { deviceId: 'sim-0001', boot: 'b', seq: 1, event: 'sent', at: 1, ts: 5 };
  await writeFile(path, JSON.stringify(event) + '\n');
  const down = capture();
  assert.equal(await checkCommand(['--history', path, '--api', 'http://127.0.0.1:1'], down.io), 1);
  assert.match(
    down.err.join(''),
    /^wardstream check: GET http:\/\/127\.0\.0\.1:1\/api\/v1\/devices\/sim-0001\/readings\?from=1970-01-01T00%3A00%3A00\.005Z&to=.*&limit=10000 failed/,
  );
});

test('the checked time range covers every event time the devices reported, skewed clocks included', () => {
  const sent = (ts: number): HistoryEvent => ({
    deviceId: 'd',
    boot: 'b',
    seq: 1,
    event: 'sent',
    at: 1_764_000_000_000,
    ts,
  });
  assert.deepEqual(historyTimeRange([sent(1_764_000_000_000), sent(12_000), sent(1_764_003_600_000)]), {
    fromAt: 12_000,
    toAt: 1_764_003_600_001,
  });
  assert.deepEqual(historyTimeRange([{ deviceId: 'd', boot: 'b', seq: 1, event: 'sent', at: 10 }]), {
    fromAt: 0,
    toAt: 10 + 86_400_000,
  });
});

test('--data-dir issues each simulated device a certificate from the platform CA before connecting', async () => {
  const dataDir = join(dir, 'platform-data');
  const ca = await CertificateAuthority.openOrCreate(join(`${dataDir}-keys`, 'ca'));
  const c = capture();
  const argv = ['--data-dir', dataDir, '--devices', '2', '--device-prefix', 'sim-tls-', '--duration', '1'];
  const unreachable = ['--mqtt-url', 'mqtts://127.0.0.1:1', '--connect-timeout', '0.5', '--no-history', '--quiet'];
  assert.equal(await simulateCommand([...argv, ...unreachable], c.io), 1, 'nothing listens on port 1');
  assert.match(c.err.join(''), /simulate: issued 2 device certificate\(s\) from .*platform-data-keys\/ca/);
  assert.deepEqual(
    ca
      .list()
      .filter((cert) => cert.kind === 'device')
      .map((cert) => cert.subject)
      .sort(),
    ['sim-tls-0001', 'sim-tls-0002'],
  );
});
