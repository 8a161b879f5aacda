/**
 * Event time on the wire (`ts`, `t0`): epoch milliseconds, or ISO-8601 with an offset. A date that
 * does not exist (2026-02-30) is refused, never rolled over into another day.
 */

// Epoch ms within ±275,000 years of 1970: the ECMAScript Date range (ECMA-262 21.4.1.22).
const MAX_EPOCH_MS = 8.64e15;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses `ts`/`t0`: epoch milliseconds or an ISO-8601 date-time with an offset; undefined when invalid. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MS ? Math.trunc(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO_8601.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = (m.slice(1, 7) as (string | undefined)[]).map((part) =>
    Number(part ?? 0),
  );
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    (hour ?? 0) > 23 ||
    (minute ?? 0) > 59 ||
    (second ?? 0) > 59
  ) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
