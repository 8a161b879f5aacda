import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFactory } from '../contract.js';
import type { AppendRequest, LogEntry, TelemetryLog } from '../telemetry-log.js';
import { FileTelemetryLog } from './file-telemetry-log.js';
import type { FileTelemetryLogOptions } from './options.js';

/** A factory over a fresh temporary directory; `cleanup` removes it. */
export interface TempLog extends LogFactory {
  readonly dir: string;
  open(overrides?: Partial<FileTelemetryLogOptions>): Promise<FileTelemetryLog>;
}

/** A log factory over a fresh directory under os.tmpdir(); `options` apply to every open. */
export async function tempLog(options: Partial<FileTelemetryLogOptions> = {}): Promise<TempLog> {
  const dir = await mkdtemp(join(tmpdir(), 'wardstream-log-'));
  return {
    dir,
    open: (overrides = {}) => FileTelemetryLog.open({ ...options, ...overrides, dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A record of `deviceId` with a 64-byte payload, partitioned by the device's id unless `key` is given. */
export function record(deviceId: string, seq: number, overrides: Partial<AppendRequest> = {}): AppendRequest {
  const boot = overrides.boot ?? 'b1';
  return {
    key: deviceId,
    deviceId,
    boot,
    seq,
    contentHash: seq * 31 + 7,
    payload: Buffer.from(`${deviceId}/${boot}/${seq}`.padEnd(64, '.')),
    ...overrides,
  };
}

/** Records `first` … `first + count - 1` of one device. */
export function records(deviceId: string, first: number, count: number): AppendRequest[] {
  return Array.from({ length: count }, (_, i) => record(deviceId, first + i));
}

/** The idempotency key of a request or entry, for comparisons. */
export const keyOf = (r: { deviceId: string; boot: string; seq: number }): string => `${r.deviceId}|${r.boot}|${r.seq}`;

/** Everything readable from `from` (default: every partition from 0). */
export async function readAll(log: TelemetryLog, from?: ReadonlyMap<number, number>): Promise<LogEntry[]> {
  const next = new Map(from ?? Array.from({ length: log.partitionCount }, (_, p) => [p, 0]));
  const entries: LogEntry[] = [];
  for (;;) {
    const batch = await log.fetch(next, { maxRecords: 1000, maxWaitMs: 0 });
    if (batch.length === 0) return entries;
    for (const entry of batch) {
      entries.push(entry);
      next.set(entry.partition, entry.offset + 1);
    }
  }
}

/** Polls `condition` every few ms; fails after `limitMs` (a bound against hangs, not a timing claim). */
export async function eventually(condition: () => boolean, limitMs = 20_000): Promise<void> {
  for (let waitedMs = 0; !condition(); waitedMs += 5) {
    if (waitedMs > limitMs) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
