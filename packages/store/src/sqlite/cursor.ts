import { WardstreamError } from '@wardstream/domain';

/** The position after which a page starts: the sort key of the last reading of the previous page. */
export interface ReadingKey {
  readonly observedAt: number;
  readonly deviceId: string;
  readonly code: string;
  readonly boot: string;
  readonly seq: number;
}

/** Compares two keys in the port's reading order (observedAt, deviceId, code, boot, seq). */
export function compareKeys(a: ReadingKey, b: ReadingKey): number {
  if (a.observedAt !== b.observedAt) return a.observedAt < b.observedAt ? -1 : 1;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  if (a.boot !== b.boot) return a.boot < b.boot ? -1 : 1;
  return a.seq - b.seq;
}

/** An opaque cursor: base64url of the key as a JSON array. */
export function encodeCursor(key: ReadingKey): string {
  const json = JSON.stringify([key.observedAt, key.deviceId, key.code, key.boot, key.seq]);
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Decodes a cursor from `encodeCursor`; throws `WardstreamError('INVALID_INPUT')` for anything else. */
export function decodeCursor(cursor: string): ReadingKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 5 ||
    typeof parsed[0] !== 'number' ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    typeof parsed[3] !== 'string' ||
    typeof parsed[4] !== 'number'
  ) {
    throw new WardstreamError('INVALID_INPUT', 'cursor is not one this store returned');
  }
  const [observedAt, deviceId, code, boot, seq] = parsed as [number, string, string, string, number];
  return { observedAt, deviceId, code, boot, seq };
}
