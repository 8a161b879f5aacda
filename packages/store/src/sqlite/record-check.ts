import { WardstreamError, type IngestRecord } from '@wardstream/domain';

/**
 * The preconditions a record must meet before the store takes it: the shape the gateway's
 * validation guarantees (finite numbers, non-negative safe-integer seq, positive sample rate).
 * The store checks them for a whole batch before changing anything, so a bad record rejects the
 * batch instead of leaving half of it written. It never corrects a value.
 */
export function checkRecords(records: readonly IngestRecord[]): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as IngestRecord;
    const problem = recordProblem(record);
    if (problem !== undefined) {
      throw new WardstreamError(
        'INVALID_INPUT',
        `record ${i} (${record.deviceId}/${record.boot}/${record.seq}): ${problem}`,
      );
    }
  }
}

function recordProblem(r: IngestRecord): string | undefined {
  if (typeof r.deviceId !== 'string' || r.deviceId === '') return 'deviceId must be a non-empty string';
  if (r.patientId !== null && (typeof r.patientId !== 'string' || r.patientId === '')) {
    return 'patientId must be null or a non-empty string';
  }
  if (typeof r.boot !== 'string') return 'boot must be a string';
  if (!Number.isSafeInteger(r.seq) || r.seq < 0) return 'seq must be a non-negative safe integer';
  if (!Number.isFinite(r.observedAt) || !Number.isFinite(r.receivedAt))
    return 'observedAt and receivedAt must be finite';
  for (const reading of r.readings) {
    if (typeof reading.code !== 'string' || reading.code === '') return 'a reading code must be a non-empty string';
    if (typeof reading.unit !== 'string') return `${reading.code}: unit must be a string`;
    if (!Number.isFinite(reading.value)) return `${reading.code}: value must be finite`;
    if (!isFlagSet(reading.quality)) return `${reading.code}: quality must be a flag set (integer 0..2^31)`;
  }
  for (const w of r.waveforms) {
    if (typeof w.code !== 'string' || w.code === '' || typeof w.unit !== 'string') {
      return 'a waveform needs a code and a unit';
    }
    if (!(Number.isFinite(w.fsHz) && w.fsHz > 0)) return `${w.code}: fsHz must be positive`;
    if (!Number.isFinite(w.startAt)) return `${w.code}: startAt must be finite`;
    if (!isFlagSet(w.quality)) return `${w.code}: quality must be a flag set (integer 0..2^31)`;
    for (const sample of w.samples) if (!Number.isFinite(sample)) return `${w.code}: samples must be finite`;
  }
  return undefined;
}

function isFlagSet(quality: number): boolean {
  return Number.isInteger(quality) && quality >= 0 && quality < 2 ** 31;
}
