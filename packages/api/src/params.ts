import { parseEventTime, type Catalogue, type CatalogueEntry } from '@wardstream/domain';
import { problem, RequestProblem } from './problem.js';

/**
 * Collects every parameter problem of a request, so the client hears of all of them at once: a 400
 * `invalid-parameter` problem for query and path parameters, a 422 `invalid-body` one for body fields.
 */
export class ParamErrors {
  private readonly errors: { name: string; reason: string }[] = [];

  constructor(private readonly of: 'parameter' | 'body' = 'parameter') {}

  add(name: string, reason: string): void {
    this.errors.push({ name, reason });
  }

  /** Throws the problem listing every error, if there is any. */
  throwIfAny(): void {
    if (this.errors.length === 0) return;
    const detail = this.errors.map((e) => `${e.name}: ${e.reason}`).join('; ');
    throw new RequestProblem(
      this.of === 'body'
        ? problem('invalid-body', 422, detail, this.errors)
        : problem('invalid-parameter', 400, detail, this.errors),
    );
  }
}

/** An instant given as epoch milliseconds or ISO-8601; `fallback` when absent. */
export function instantParam(errors: ParamErrors, name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const asNumber = /^-?\d+$/.test(raw) ? Number(raw) : raw;
  const at = parseEventTime(asNumber);
  if (at === undefined) {
    errors.add(name, `"${raw.slice(0, 40)}" is neither epoch milliseconds nor ISO-8601 with an offset`);
    return fallback;
  }
  return at;
}

export function intParam(
  errors: ParamErrors,
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    errors.add(name, `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

/** A code or alias from the catalogue; undefined when absent (or when it is unknown: error added). */
export function codeParam(
  errors: ParamErrors,
  catalogue: Catalogue,
  raw: string | undefined,
  required: boolean,
): CatalogueEntry | undefined {
  if (raw === undefined || raw === '') {
    if (required) errors.add('code', 'is required');
    return undefined;
  }
  const entry = catalogue.lookup(raw);
  if (entry === undefined) errors.add('code', `"${raw.slice(0, 64)}" is not a known code or alias (see /api/v1/codes)`);
  return entry;
}

const BUCKETS = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000 } as const;

export function bucketParam(errors: ParamErrors, raw: string | undefined): 1_000 | 60_000 | 3_600_000 {
  if (raw === undefined || raw === '') return BUCKETS['1m'];
  if (raw in BUCKETS) return BUCKETS[raw as keyof typeof BUCKETS];
  errors.add('bucket', 'must be one of 1s, 1m, 1h');
  return BUCKETS['1m'];
}

export function rangeCheck(errors: ParamErrors, fromAt: number, toAt: number): void {
  if (toAt <= fromAt) errors.add('to', 'must be after from');
}
