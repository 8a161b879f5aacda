import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkDelivery,
  fetchStoredReadings,
  formatDeliveryReport,
  MemoryHistory,
  runSimulation,
} from '@wardstream/simulator';
import { freePort, PlatformProcess } from './testing/platform-process.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readyz(apiUrl: string): Promise<{ status: number; detail: string }> {
  try {
    const res = await fetch(`${apiUrl}/readyz`);
    const body = (await res.json()) as { detail?: string };
    return { status: res.status, detail: body.detail ?? '' };
  } catch (err) {
    return { status: 0, detail: (err as Error).message };
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Writes zeros until the file system refuses (ENOSPC); returns the ballast's path. */
async function fillDisk(dir: string): Promise<string> {
  const path = join(dir, 'ballast');
  const file = await open(path, 'w');
  const block = Buffer.alloc(256 * 1024);
  try {
    for (;;) await file.write(block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await file.close().catch(() => undefined);
  }
  return path;
}

/**
 * RELIABILITY.md, disk full: the data directory is a small tmpfs that fills up under load. The
 * platform must stop acknowledging and say why (readyz, MQTT 5 DISCONNECT reason), never ack and
 * drop; when space returns it resumes by itself, and every acknowledged reading is stored once.
 * Needs root (it mounts a tmpfs); .ci/run runs it as root.
 */
describe('fault: disk full under load', () => {
  it('stops acking while the disk is full, resumes after, loses nothing acknowledged', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-diskfull-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dir], { stdio: 'pipe' });
    } catch (err) {
      await rmdir(dir);
      t.skip(`cannot mount a tmpfs here (needs root): ${(err as Error).message.split('\n')[0] ?? ''}`);
      return;
    }
    const dataDir = join(dir, 'data');
    const platform = new PlatformProcess(dataDir, await freePort(), await freePort(), ['--flush-interval-ms', '200']);
    const stop = new AbortController();
    try {
      await platform.start();
      const tls = await platform.deviceTls(
        ['full5-', 'full4-'].flatMap((prefix) =>
          Array.from({ length: 5 }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`),
        ),
      );
      const history = new MemoryHistory();
      const fleet = (prefix: string, protocolVersion: 4 | 5) =>
        runSimulation(
          {
            mqttUrl: platform.mqttUrl,
            tls,
            protocolVersion,
            devices: 5,
            scenario: 'stable',
            ratePerS: 100,
            devicePrefix: prefix,
            seed: prefix,
            drainTimeoutMs: 30_000,
            backoff: { minMs: 200, maxMs: 1_000 },
          },
          { history, signal: stop.signal },
        );
      const runs = Promise.all([fleet('full5-', 5), fleet('full4-', 4)]);
      await sleep(3_000);

      const ballast = await fillDisk(dir);
      await waitFor(
        'readyz to report the full disk',
        async () => (await readyz(platform.apiUrl)).status === 503,
        30_000,
      );
      const down = await readyz(platform.apiUrl);
      t.diagnostic(`while full: /readyz 503: ${down.detail}`);
      assert.match(down.detail, /ENOSPC|no space|disk full/i);
      const ackedWhileFull = history.events.filter((e) => e.event === 'acked').length;
      await sleep(3_000);
      const ackedLater = history.events.filter((e) => e.event === 'acked').length;
      assert.ok(
        ackedLater - ackedWhileFull < 50,
        `acks kept coming while the disk was full: ${ackedLater - ackedWhileFull}`,
      );

      await rm(ballast);
      try {
        await waitFor('readyz to recover', async () => (await readyz(platform.apiUrl)).status === 200, 90_000);
      } catch (err) {
        const last = await readyz(platform.apiUrl).catch((e: unknown) => ({ status: 0, detail: String(e) }));
        throw new Error(
          `${(err as Error).message}; last /readyz ${last.status}: ${last.detail}\n${platform.log.slice(-3000)}`,
        );
      }
      const ackedAtRecovery = history.events.filter((e) => e.event === 'acked').length;
      await sleep(4_000);
      stop.abort();
      await runs;
      assert.ok(
        history.events.filter((e) => e.event === 'acked').length > ackedAtRecovery + 100,
        'devices were acknowledged again after space returned',
      );

      assert.equal(await platform.interrupt(), 0, platform.log.slice(-4000));
      await platform.start();
      const stored = await fetchStoredReadings({
        apiUrl: platform.apiUrl,
        token: await platform.token(),
        deviceIds: [...new Set(history.events.map((e) => e.deviceId))],
        fromAt: 0,
        toAt: Date.now() + 86_400_000,
        timeFormat: 'ms',
      });
      const result = checkDelivery(history.events, stored.readings);
      const report = formatDeliveryReport(result);
      t.diagnostic(report);
      assert.ok(result.acknowledged >= 500, report);
      assert.equal(result.lost.total, 0, report);
      assert.equal(result.duplicates.total, 0, report);
      assert.equal(result.unexpected.total, 0, report);
    } finally {
      stop.abort(); // a failed assertion must not leave the fleets reconnecting (the file would never exit)
      await platform.interrupt().catch(() => undefined);
      execFileSync('umount', [dir]);
      await rmdir(dir);
    }
  });
});
