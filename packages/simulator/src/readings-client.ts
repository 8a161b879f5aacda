import type { StoredReadingKey } from './checker.js';

/** The readings API answered with an error, or with something that is not a readings page. */
export class ReadingsApiError extends Error {
  override readonly name = 'ReadingsApiError';
}

/** What to read back from the HTTP API (DESIGN 3.6 `GET /api/v1/devices/{deviceId}/readings`). */
export interface ReadingsQuery {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl: string;
  readonly deviceIds: readonly string[];
  /** Inclusive start and exclusive end of event time, epoch ms. */
  readonly fromAt: number;
  readonly toAt: number;
  /** How `from`/`to` are written in the query: ISO-8601 or epoch milliseconds. */
  readonly timeFormat: 'iso' | 'ms';
  /** Sent as `Authorization: Bearer …` when given. */
  readonly token?: string;
  /** Readings per page asked for (`&limit=`); the server may cap it. Default 10,000. */
  readonly pageLimit?: number;
  readonly fetch?: typeof fetch;
}

/** The keys of what the API holds for the devices asked about. */
export interface StoredReadings {
  readonly readings: StoredReadingKey[];
  /** Devices the API does not know (404): nothing of theirs is stored. */
  readonly unknownDevices: string[];
}

/** Guards against a server that hands out the same cursor forever. */
const MAX_PAGES_PER_DEVICE = 1_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Pages through the stored readings of every device (`?from=&to=`, then `&cursor=` with each page's
 * `next`) and returns their keys. Rejects with ReadingsApiError for an HTTP error other than 404, a
 * body that is not `{readings: [{seq, boot, code, …}], next?}`, or a cursor that repeats.
 */
export async function fetchStoredReadings(q: ReadingsQuery): Promise<StoredReadings> {
  const doFetch = q.fetch ?? fetch;
  const time = (ms: number): string => (q.timeFormat === 'iso' ? new Date(ms).toISOString() : String(ms));
  const readings: StoredReadingKey[] = [];
  const unknownDevices: string[] = [];
  for (const deviceId of q.deviceIds) {
    const base = new URL(`api/v1/devices/${encodeURIComponent(deviceId)}/readings`, q.apiUrl.replace(/\/?$/, '/'));
    base.searchParams.set('from', time(q.fromAt));
    base.searchParams.set('to', time(q.toAt));
    base.searchParams.set('limit', String(q.pageLimit ?? 10_000));
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES_PER_DEVICE; page++) {
      const url = new URL(base);
      if (cursor !== undefined) url.searchParams.set('cursor', cursor);
      let response: Response;
      try {
        response = await doFetch(url, { headers: q.token === undefined ? {} : { authorization: `Bearer ${q.token}` } });
      } catch (err) {
        throw new ReadingsApiError(`GET ${url.href} failed: ${(err as Error).message}`, { cause: err });
      }
      if (response.status === 404 && cursor === undefined) {
        unknownDevices.push(deviceId);
        break;
      }
      if (!response.ok) {
        const body = (await response.text()).slice(0, 200).replace(/\s+/g, ' ');
        throw new ReadingsApiError(`GET ${url.href} answered ${response.status} ${response.statusText}: ${body}`);
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (!isRecord(body) || !Array.isArray(body['readings'])) {
        throw new ReadingsApiError(`GET ${url.href} did not answer {readings: [...]}`);
      }
      for (const r of body['readings'] as unknown[]) {
        if (!isRecord(r) || typeof r['seq'] !== 'number' || typeof r['code'] !== 'string') {
          throw new ReadingsApiError(`GET ${url.href}: a reading lacks seq or code`);
        }
        const boot = typeof r['boot'] === 'string' ? r['boot'] : '';
        readings.push({ deviceId, boot, seq: r['seq'], code: r['code'] });
      }
      const next = body['next'];
      if (typeof next !== 'string' || next === '') break;
      if (seen.has(next)) throw new ReadingsApiError(`GET ${url.href}: the cursor "${next}" repeats`);
      seen.add(next);
      cursor = next;
    }
  }
  return { readings, unknownDevices };
}
