import assert from 'node:assert/strict';
import type { AppendOutcome, AppendRequest, LogEntry, TelemetryLog } from '../telemetry-log.js';

interface RequestShape {
  readonly boot?: string;
  readonly key?: string;
  readonly contentHash?: number;
}

/** A record of `deviceId`, keyed by a patient of its own unless `key` is given. */
export function request(deviceId: string, seq: number, shape: RequestShape = {}): AppendRequest {
  const boot = shape.boot ?? 'b1';
  return {
    key: shape.key ?? `patient-${deviceId}`,
    deviceId,
    boot,
    seq,
    contentHash: shape.contentHash ?? seq * 7919 + 17,
    payload: new TextEncoder().encode(`${deviceId}/${boot}/${seq}`),
  };
}

/** `count` records of each of `devices` devices, interleaved device by device. */
export function interleaved(devices: number, count: number, firstSeq = 1): AppendRequest[] {
  const requests: AppendRequest[] = [];
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    for (let d = 0; d < devices; d++) requests.push(request(`dev-${d}`, seq));
  }
  return requests;
}

/** Every partition of `log`, at `offset`. */
export function allPartitions(log: TelemetryLog, offset = 0): Map<number, number> {
  return new Map(Array.from({ length: log.partitionCount }, (_, p) => [p, offset]));
}

/** Everything readable now, partition by partition in offset order. */
export async function readAll(log: TelemetryLog): Promise<LogEntry[]> {
  const from = allPartitions(log);
  const entries: LogEntry[] = [];
  for (;;) {
    const batch = await log.fetch(from, { maxRecords: 500, maxWaitMs: 0 });
    if (batch.length === 0) break;
    for (const entry of batch) {
      entries.push(entry);
      from.set(entry.partition, entry.offset + 1);
    }
  }
  return entries.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The idempotency key of a request or entry, for comparisons. */
export const keyOf = (r: { deviceId: string; boot: string; seq: number }): string => `${r.deviceId}|${r.boot}|${r.seq}`;

/** A payload as text (the test payloads are UTF-8). */
export const decode = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/** Asserts that `outcome` is `appended` and returns where. */
export function appended(outcome: AppendOutcome | undefined): { partition: number; offset: number } {
  assert.equal(outcome?.kind, 'appended');
  return { partition: outcome.partition, offset: outcome.offset };
}
