import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LocalIssuer } from '@wardstream/auth';
import { readReferenceBeats, readWfdbRecord } from '@wardstream/ecg';
import { parseConfig, SILENT_LOGGER, startEmbedded } from '@wardstream/platform';
import type { DeviceTransport, PublishAnswer, TransportFactory } from '@wardstream/simulator';
import { main } from '../cli.js';
import { freePort } from '../testing/platform-process.js';
import { replayCommand } from './replay-command.js';

const MITDB_100 = fileURLToPath(new URL('../../../ecg/test-data/mitdb/100.hea', import.meta.url));

interface Output {
  stdout: string;
  stderr: string;
}

function capture(): { out: Output; io: Parameters<typeof main>[1] } {
  const out: Output = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
    },
  };
}

/** An in-memory transport: connects at once and answers each publish with `answer(seq)`. */
function fakeTransport(answer: (seq: number) => PublishAnswer, sent: number[] = []): TransportFactory {
  return ({ listener }) => {
    setImmediate(() => listener.onConnect());
    const transport: DeviceTransport = {
      publish(payload, onAnswer) {
        const seq = (JSON.parse(new TextDecoder().decode(payload)) as { seq: number }).seq;
        sent.push(seq);
        setImmediate(() => onAnswer(answer(seq)));
      },
      close: () => Promise.resolve(),
    };
    return transport;
  };
}

interface SegmentJson {
  readonly startAt: number;
  readonly fsHz: number;
  readonly samples: number[];
  readonly seq: number;
}

describe('wardstream replay', () => {
  it(
    'replays 20 s of MIT-BIH 100 into the embedded platform at full speed: every sample stored once, exactly',
    { timeout: 60_000 },
    async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'ws-replay-'));
      const parsed = parseConfig(
        ['--data-dir', dir, '--http-port', String(await freePort()), '--mqtt-port', String(await freePort())],
        {},
      );
      assert.ok(parsed.ok);
      const platform = await startEmbedded(parsed.config, { logger: SILENT_LOGGER });
      t.after(async () => {
        await platform.stop();
        await rm(dir, { recursive: true, force: true });
      });
      const apiUrl = `http://127.0.0.1:${platform.httpPort}`;
      // The device's certificate from the platform's CA, the files `wardstream certs issue` writes.
      const issued = await platform.ca!.issueDevice('replay-100');
      const creds = { cert: join(dir, 'replay-100.crt'), key: join(dir, 'replay-100.key'), ca: join(dir, 'ca.crt') };
      await writeFile(creds.cert, issued.certificatePem);
      await writeFile(creds.key, issued.keyPem, { mode: 0o600 });
      await writeFile(creds.ca, platform.ca!.certificatePem);
      const { tokens } = parsed.config;
      const token = await LocalIssuer.open({
        keyDir: parsed.config.keyDir,
        issuer: tokens.issuer,
        audience: tokens.audience,
      }).sign({ sub: 'replay-test', roles: ['service'], wards: [] }, 600);
      const auth = { headers: { authorization: `Bearer ${token}` } };
      const start = Math.floor(Date.now() / 1000) * 1000;
      const { out, io } = capture();
      const argv = [
        'replay',
        '--record',
        MITDB_100,
        '--duration',
        '20',
        '--speed',
        'max',
        '--mqtt-url',
        `mqtts://127.0.0.1:${platform.mqttPort}`,
        '--tls-cert',
        creds.cert,
        '--tls-key',
        creds.key,
        '--tls-ca',
        creds.ca,
        '--token',
        token,
        '--device',
        'replay-100',
        '--patient',
        'pt-100',
        '--api',
        apiUrl,
        '--start-at',
        String(start),
        '--quiet',
      ];
      assert.equal(await main(argv, io), 0, out.stderr);
      assert.match(out.stderr, /replay: skipping V5: no waveform code in the catalogue/);
      assert.match(out.stderr, /device replay-100 admitted to patient pt-100 \(registered on ward sim-ward\)/);
      assert.match(
        out.stdout,
        /^replay: 80 of 80 messages acknowledged \(0 refused, 0 unanswered\), 7200 samples × 1 channel/,
      );

      // PUBACK means durable in the log; the store has it a moment later.
      const window = `code=ecg_ii&from=${start}&to=${start + 20_000}`;
      const read = async (path: string): Promise<SegmentJson[]> => {
        const res = await fetch(`${apiUrl}${path}`, auth);
        assert.equal(res.status, 200, path);
        return ((await res.json()) as { waveforms: SegmentJson[] }).waveforms;
      };
      let segments: SegmentJson[] = [];
      for (let tries = 0; tries < 200; tries++) {
        segments = await read(`/api/v1/devices/replay-100/waveforms?${window}`);
        if (segments.reduce((n, s) => n + s.samples.length, 0) >= 7_200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const record = await readWfdbRecord(MITDB_100);
      const expected = Array.from(record.channels[0]!.physical.subarray(0, 7_200));
      assert.deepEqual(
        segments.flatMap((s) => s.samples),
        expected,
      );
      assert.deepEqual(
        segments.map((s) => s.seq),
        Array.from({ length: 80 }, (_, i) => i + 1),
      );
      segments.forEach((s, i) => {
        assert.equal(s.fsHz, 360);
        assert.equal(s.startAt, start + i * 250, 'contiguous: 90 samples at 360 Hz are 250 ms');
      });
      const byPatient = await read(`/api/v1/patients/pt-100/waveforms?${window}`);
      assert.equal(byPatient.length, 80, 'the readings belong to the admitted patient');
      const overview = await fetch(`${apiUrl}/api/v1/patients/pt-100/waveforms?${window}&points=200`, auth);
      const envelope = ((await overview.json()) as { envelopes: { buckets: { max: number; count: number }[] }[] })
        .envelopes[0]!;
      assert.equal(
        envelope.buckets.reduce((n, b) => n + b.count, 0),
        7_200,
      );
      assert.equal(Math.max(...envelope.buckets.map((b) => b.max)), Math.max(...expected));

      // The clinical service analysed the lead: beats of the windows it has confirmed (5, 10, 15 s)
      // are the reference beats of record 100 in [0, 15 s), each within 150 ms; heart rate stored.
      interface EcgWindowJson {
        readonly at: string;
        readonly heartRateBpm: number | null;
        readonly beatsAt: number[];
      }
      let windows: EcgWindowJson[] = [];
      for (let tries = 0; tries < 200 && windows.length < 3; tries++) {
        const res = await fetch(`${apiUrl}/api/v1/patients/pt-100/ecg?from=${start}&to=${start + 20_000}`, auth);
        windows = ((await res.json()) as { windows: EcgWindowJson[] }).windows;
        if (windows.length < 3) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(
        windows.map((w) => Date.parse(w.at) - start),
        [5_000, 10_000, 15_000],
      );
      const reference = (await readReferenceBeats(MITDB_100.replace('.hea', '_all.csv'))).filter((b) => b < 15 * 360);
      const detected = windows.flatMap((w) => w.beatsAt.map((t) => ((t - start) * 360) / 1000));
      assert.equal(detected.length, reference.length);
      detected.forEach((d, i) => assert.ok(Math.abs(d - reference[i]!) <= 54, `beat ${i}: ${d} vs ${reference[i]}`));
      for (const w of windows.slice(1))
        assert.ok(w.heartRateBpm! > 60 && w.heartRateBpm! < 90, `heart rate ${w.heartRateBpm}`);
      const metrics = await (await fetch(`${apiUrl}/metrics`, auth)).text();
      assert.match(metrics, new RegExp(`wardstream_ecg_beats_total ${detected.length}\\b`));

      // The same device for another patient: refused before anything is sent.
      const again = capture();
      const other = argv.map((a) => (a === 'pt-100' ? 'pt-200' : a));
      assert.equal(await main(other, again.io), 1);
      assert.match(
        again.out.stderr,
        /device replay-100 is already bound to patient pt-100, not pt-200: discharge it first/,
      );
    },
  );

  it('stops at the first refused message and names the platform’s reason (exit 1)', async () => {
    const { out, io } = capture();
    const sent: number[] = [];
    const refuseFourth = (seq: number): PublishAnswer =>
      seq === 4 ? { kind: 'rejected', reason: 'waveforms[0]: unknown-unit "mV"', reasonCode: 0x99 } : { kind: 'acked' };
    const argv = ['--record', MITDB_100, '--duration', '5', '--speed', 'max', '--max-inflight', '1', '--quiet'];
    const code = await replayCommand(argv, io, {
      openTransport: fakeTransport(refuseFourth, sent),
      signal: new AbortController().signal,
    });
    assert.equal(code, 1);
    assert.deepEqual(sent, [1, 2, 3, 4]);
    assert.match(out.stdout, /^replay: 3 of 4 messages acknowledged \(1 refused, 0 unanswered\), 270 samples/);
    assert.match(
      out.stderr,
      /wardstream replay: message seq 4 was refused: waveforms\[0\]: unknown-unit "mV" \(reason code 0x99\)\n$/,
    );
  });

  it('fails with exit 1 naming the endpoint and the error when it cannot connect', async () => {
    const { out, io } = capture();
    const url = `mqtt://127.0.0.1:${await freePort()}`;
    const argv = ['--record', MITDB_100, '--duration', '1', '--mqtt-url', url, '--connect-timeout', '0.5', '--quiet'];
    assert.equal(await replayCommand(argv, io, { signal: new AbortController().signal }), 1);
    assert.match(out.stderr, new RegExp(`cannot connect to ${url} within 0.5 s: .*ECONNREFUSED`));
    assert.match(out.stdout, /^replay: 0 of 0 messages acknowledged/);
  });

  it('stops cleanly on Ctrl-C: what was sent is acknowledged, the summary says interrupted (exit 0)', async () => {
    const { out, io } = capture();
    const stop = new AbortController();
    const acked = (): PublishAnswer => {
      stop.abort();
      return { kind: 'acked' };
    };
    // Real time: the first chunk is due after 250 ms, the whole record after 30 minutes.
    const argv = ['--record', MITDB_100, '--quiet'];
    assert.equal(await replayCommand(argv, io, { openTransport: fakeTransport(acked), signal: stop.signal }), 0);
    assert.match(
      out.stdout,
      /^replay: 1 of 1 messages acknowledged \(0 refused, 0 unanswered\), 90 samples .*, interrupted\n$/,
    );
  });
});
