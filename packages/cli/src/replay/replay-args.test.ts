import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '@wardstream/simulator';
import { main } from '../cli.js';
import { defaultDeviceId, parseReplayArgs, type ReplayArgs } from './replay-args.js';

async function parse(...argv: string[]): Promise<ReplayArgs> {
  const args = await parseReplayArgs(['--record', 'rec/100', ...argv]);
  assert.notEqual(args, 'help');
  return args as ReplayArgs;
}

async function refuses(argv: string[], message: RegExp): Promise<void> {
  await assert.rejects(parseReplayArgs(argv), (err: unknown) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, message);
    return true;
  });
}

describe('wardstream replay: arguments', () => {
  it('has defaults for everything but the record', async () => {
    const args = await parse();
    assert.equal(args.record, 'rec/100');
    assert.equal(args.deviceId, undefined);
    assert.equal(args.mqttUrl, 'mqtt://127.0.0.1:1884');
    assert.equal(args.protocolVersion, 5);
    assert.equal(args.speed, 1);
    assert.equal(args.chunkMs, 250);
    assert.equal(args.chunkMsExplicit, false);
    assert.equal(args.startAt, 'now');
    assert.equal(args.offsetS, 0);
    assert.equal(args.durationS, undefined);
    assert.equal(args.loop, false);
    assert.equal(args.maxPayloadBytes, 65_536);
    assert.equal(args.admit, undefined);
  });

  it('reads speed, chunk, channels, map, start, section and admission', async () => {
    const args = await parse(
      '--speed=max',
      '--chunk-ms',
      '500',
      '--channels',
      'MLII, V5',
      '--map',
      'V5=ecg_i',
      '--start-at',
      '2026-11-25T08:00:00Z',
      '--offset',
      '60',
      '--duration',
      '20',
      '--loop',
      '--url',
      'mqtt://10.0.0.5:1884',
      '--patient',
      'pt-100',
      '--api',
      'http://127.0.0.1:8080',
      '--device',
      'bed-7',
    );
    assert.equal(args.speed, 'max');
    assert.deepEqual([args.chunkMs, args.chunkMsExplicit], [500, true]);
    assert.deepEqual(args.channels, ['MLII', 'V5']);
    assert.deepEqual([...(args.map ?? [])], [['V5', 'ecg_i']]);
    assert.equal(args.startAt, Date.UTC(2026, 10, 25, 8));
    assert.deepEqual([args.offsetS, args.durationS, args.loop], [60, 20, true]);
    assert.equal(args.mqttUrl, 'mqtt://10.0.0.5:1884');
    assert.deepEqual(args.admit, { apiUrl: 'http://127.0.0.1:8080', wardId: 'sim-ward', patientId: 'pt-100' });
    assert.equal(args.deviceId, 'bed-7');
    assert.equal((await parse('--speed', '10', '--start-at', '1764057600000')).speed, 10);
    assert.equal((await parse('--start-at', '1764057600000')).startAt, 1_764_057_600_000);
  });

  it('refuses bad command lines, naming the option and what to do', async () => {
    await refuses([], /--record PATH is required/);
    await refuses(['--record', 'r', '--speed', 'fast'], /--speed must be a positive number .* or max, not "fast"/);
    await refuses(['--record', 'r', '--speed', '0'], /--speed must be a positive number/);
    await refuses(['--record', 'r', '--chunk-ms', '0'], /--chunk-ms must be more than 0/);
    await refuses(['--record', 'r', '--start-at', 'yesterday'], /--start-at must be now, ISO-8601/);
    await refuses(['--record', 'r', '--patient', 'pt-1'], /--patient needs --api URL/);
    await refuses(['--record', 'r', '--api', 'http://x'], /--api only applies with --patient ID/);
    await refuses(
      ['--record', 'r', '--patient', 'pt 1', '--api', 'http://x'],
      /--patient "pt 1" is not a valid patient id/,
    );
    await refuses(
      ['--record', 'r', '--patient', 'p', '--api', 'ftp://x'],
      /--api: the API URL "ftp:\/\/x" is not an http/,
    );
    await refuses(['--record', 'r', '--device', 'bed 7'], /--device "bed 7" is not a valid device id/);
    await refuses(['--record', 'r', '--map', 'V5'], /--map: "V5" is not NAME=CODE/);
    await refuses(['--record', 'r', '--channels', 'II,'], /--channels: an empty channel name/);
    await refuses(['--record', 'r', '--url', 'mqtt://a', '--mqtt-url', 'mqtt://b'], /not both/);
    await refuses(['--record', 'r', '--mqtt-url', 'http://a'], /unsupported scheme http:/);
    await refuses(['--record', 'r', '--protocol', '3'], /--protocol must be 4 \(MQTT 3.1.1\) or 5/);
    await refuses(['--record', 'r', '--tls-cert', 'c.pem'], /mutual TLS needs --tls-cert, --tls-key and --tls-ca/);
    await refuses(['--record', 'r', '--bogus'], /unknown option --bogus/);
    await refuses(['--record', 'r', '--max-inflight', '0'], /--max-inflight must be at least 1/);
  });

  it('names a device after the record', () => {
    assert.equal(defaultDeviceId('100'), 'replay-100');
    assert.equal(defaultDeviceId('bidmc 01 Signals'), 'replay-bidmc-01-Signals');
  });

  it('prints its help, and answers a usage error with exit 2 and one line on stderr', async () => {
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
    };
    assert.equal(await main(['replay', '--help'], io), 0);
    assert.match(out.stdout, /Usage: wardstream replay --record PATH/);
    assert.match(out.stdout, /--speed X\|max/);
    assert.equal(await main(['replay', '--record', 'r', '--speed', 'warp'], io), 2);
    assert.match(out.stderr, /^wardstream replay: --speed must be .* \(see --help\)\n$/);
    out.stderr = '';
    assert.equal(await main(['replay', '--record', '/nonexistent/rec.csv'], io), 2);
    assert.match(out.stderr, /^wardstream replay: cannot read \/nonexistent\/rec.csv: ENOENT/);
    out.stdout = '';
    assert.equal(await main(['--help'], io), 0);
    assert.match(out.stdout, /replay {4}/);
  });
});
