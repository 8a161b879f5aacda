import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkDelivery,
  fetchStoredReadings,
  formatDeliveryReport,
  MemoryHistory,
  runSimulation,
  type SimulationSummary,
} from '@wardstream/simulator';
import { freePort, PlatformProcess } from './testing/platform-process.js';

const KILLS = 4;
const RUN_BETWEEN_KILLS_MS = 1_500;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function post(url: string, token: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
}

/**
 * The embedded crash test of issue 2 and RELIABILITY.md: simulated devices publish QoS 1 at a
 * steady rate while `wardstream up` is killed with SIGKILL several times and restarted. Afterwards
 * every reading whose PUBACK a device received is stored exactly once, checked against the
 * simulator's own record of acknowledged (deviceId, boot, seq).
 */
describe('crash test: kill -9 of the embedded platform under load', () => {
  it('loses nothing acknowledged and stores nothing twice', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ws-crash-'));
    const platform = new PlatformProcess(dataDir, await freePort(), await freePort(), ['--flush-interval-ms', '300']);
    try {
      await platform.start();
      const token = await platform.token();
      const deviceIds = ['crash5-', 'crash4-'].flatMap((prefix) =>
        Array.from({ length: 6 }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`),
      );
      const tls = await platform.deviceTls(deviceIds);
      // Half the fleet is admitted to patients (log partitioned by patient), half stays unassigned.
      for (let i = 1; i <= 3; i++) {
        const n = String(i).padStart(4, '0');
        await post(`${platform.apiUrl}/api/v1/patients`, token, { id: `crash-pt-${n}`, wardId: 'crash-ward' });
        await post(`${platform.apiUrl}/api/v1/devices`, token, { id: `crash5-${n}` });
        await post(`${platform.apiUrl}/api/v1/bindings`, token, {
          deviceId: `crash5-${n}`,
          patientId: `crash-pt-${n}`,
          from: 0,
        });
      }

      const history = new MemoryHistory();
      const stop = new AbortController();
      const fleet = (prefix: string, protocolVersion: 4 | 5, scenario: string): Promise<SimulationSummary> =>
        runSimulation(
          {
            mqttUrl: platform.mqttUrl,
            tls,
            protocolVersion,
            devices: 6,
            scenario,
            ratePerS: 150,
            devicePrefix: prefix,
            seed: prefix,
            drainTimeoutMs: 20_000,
            backoff: { minMs: 100, maxMs: 500 },
          },
          { history, signal: stop.signal },
        );
      const runs = Promise.all([
        fleet('crash5-', 5, 'stable:3,reboot:1,duplicates:1,out-of-order:1'),
        fleet('crash4-', 4, 'stable:4,reboot:1,duplicates:1'),
      ]);

      for (let k = 0; k < KILLS; k++) {
        await sleep(RUN_BETWEEN_KILLS_MS);
        await platform.kill();
        await sleep(200);
        await platform.start();
      }
      await sleep(RUN_BETWEEN_KILLS_MS);
      stop.abort();
      const summaries = await runs;

      // A clean stop drains the log into the store; the next start serves what was stored.
      assert.equal(await platform.interrupt(), 0, platform.log.slice(-4000));
      await platform.start();
      const seen = [...new Set(history.events.map((e) => e.deviceId))].sort();
      const stored = await fetchStoredReadings({
        apiUrl: platform.apiUrl,
        token,
        deviceIds: seen,
        fromAt: 0,
        toAt: Date.now() + 86_400_000,
        timeFormat: 'ms',
      });
      const result = checkDelivery(history.events, stored.readings);
      const report = formatDeliveryReport(result);
      t.diagnostic(`after ${KILLS} kills:\n${report}`);

      assert.equal(platform.starts, KILLS + 2);
      assert.ok(
        summaries.every((s) => s.stats.disconnects >= KILLS),
        `every fleet saw the kills: ${JSON.stringify(summaries.map((s) => s.stats))}`,
      );
      assert.ok(result.acknowledged >= 1_000, `too few acknowledged messages to mean anything:\n${report}`);
      assert.equal(result.lost.total, 0, report);
      assert.equal(result.duplicates.total, 0, report);
      assert.equal(result.unexpected.total, 0, report);
      assert.equal(result.rejectedStored.total, 0, report);
    } finally {
      await platform.interrupt().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
