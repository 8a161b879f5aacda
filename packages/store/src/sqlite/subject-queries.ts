import type { CanonicalReading, DeviceId } from '@wardstream/domain';
import type { StoredWaveform, Subject, UnassignedDevice, WaveformQuery } from '../reading-store.js';
import { compareKeys, type ReadingKey } from './cursor.js';
import { compareLatestRank } from './latest-rule.js';
import type { MemoryState } from './memory-state.js';
import type { Series, SeriesRegistry } from './series.js';
import { compareWaveforms, waveformOverlaps, type WaveformReader } from './waveform-table.js';

/**
 * The latest reading of each code of a subject (the port's rule, latest-rule.ts), from the
 * latest-per-series cache (kept on every write, rebuilt at open): of the series of one code (one
 * per device, or per patient for a device that moved), the latest that ranks first, then sorts
 * last in the port's order. Sorted by code.
 */
export function readLatest(registry: SeriesRegistry, subject: Subject): CanonicalReading[] {
  const best = new Map<string, Series>();
  for (const series of registry.forSubject(subject)) {
    if (!series.hasLatest) continue;
    const current = best.get(series.code);
    if (current === undefined || isLaterThan(series, current)) best.set(series.code, series);
  }
  return [...best.values()].map((s) => s.latest()).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

function isLaterThan(a: Series, b: Series): boolean {
  const rank = compareLatestRank(a.latestQuality, a.latestReceivedAt, b.latestQuality, b.latestReceivedAt);
  return rank !== 0 ? rank > 0 : compareKeys(latestKey(a), latestKey(b)) > 0;
}

function latestKey(s: Series): ReadingKey {
  return { observedAt: s.latestAt, deviceId: s.deviceId, code: s.code, boot: s.latestBoot, seq: s.latestSeq };
}

/**
 * Devices that sent readings while bound to no patient: per device, the readings stored with
 * patientId null and the latest observedAt among them. Sorted by deviceId.
 */
export function readUnassigned(registry: SeriesRegistry): UnassignedDevice[] {
  const byDevice = new Map<DeviceId, { readings: number; lastObservedAt: number }>();
  for (const series of registry.all()) {
    if (series.patientId !== null || series.count === 0) continue;
    const entry = byDevice.get(series.deviceId) ?? { readings: 0, lastObservedAt: -Infinity };
    entry.readings += series.count;
    entry.lastObservedAt = Math.max(entry.lastObservedAt, series.lastObservedAt);
    byDevice.set(series.deviceId, entry);
  }
  return [...byDevice.entries()]
    .map(([deviceId, e]) => ({ deviceId, readings: e.readings, lastObservedAt: e.lastObservedAt }))
    .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

/** Waveform segments with a sample in [fromAt, toAt), durable and in memory, in port order. */
export function readWaveforms(memory: MemoryState, reader: WaveformReader, query: WaveformQuery): StoredWaveform[] {
  if (!(query.fromAt < query.toAt)) return [];
  const out = reader.read(query);
  const matches = (w: StoredWaveform): boolean =>
    ('patientId' in query.subject ? w.patientId === query.subject.patientId : w.deviceId === query.subject.deviceId) &&
    (query.code === undefined || w.code === query.code) &&
    waveformOverlaps(w, query.fromAt, query.toAt);
  for (const w of memory.flushingWaveforms) if (matches(w)) out.push(copy(w));
  for (const w of memory.headWaveforms) if (matches(w)) out.push(copy(w));
  return out.sort(compareWaveforms);
}

/** Callers get their own arrays: the store's in-memory segments must not be altered through them. */
function copy(w: StoredWaveform): StoredWaveform {
  return { ...w, samples: w.samples.slice() };
}
