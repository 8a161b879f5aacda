import type { AlarmCategory, AlarmPriority } from '@wardstream/clinical';

/**
 * Where alarm events are posted. `json`: Wardstream's own body (docs/WEBHOOKS.md). `pagerduty`:
 * PagerDuty Events API v2, with `routingKey` the integration key. Every request is signed with
 * `secret` (HMAC-SHA256, header `x-wardstream-signature`).
 */
export interface WebhookTarget {
  /** 1-64 of A-Z a-z 0-9 . _ - ; unique; the outbox keys rows on it, so renaming one re-sends nothing. */
  readonly id: string;
  readonly kind: 'json' | 'pagerduty';
  /** An http: or https: URL. */
  readonly url: string;
  /** At least 16 characters. Never logged. */
  readonly secret: string;
  /** The PagerDuty integration key; required for (and only allowed on) `pagerduty` targets. */
  readonly routingKey?: string;
  /** Only alarms of this priority or higher are sent. */
  readonly minPriority: AlarmPriority;
  /** Only alarms of these categories are sent; absent = every category. */
  readonly categories?: readonly AlarmCategory[];
}

/** Delivery timing. Durations in ms. */
export interface WebhookPolicy {
  /** One request's limit, connection to response headers. */
  readonly timeoutMs: number;
  /** The first retry's back-off ceiling; it doubles per failed attempt up to `maxBackoffMs`. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Consecutive failed attempts on a target before it is reported failing. */
  readonly failingAfterAttempts: number;
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = {
  timeoutMs: 5000,
  initialBackoffMs: 1000,
  maxBackoffMs: 300_000,
  failingAfterAttempts: 5,
};

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_SECRET_LENGTH = 16;
const KINDS: readonly string[] = ['json', 'pagerduty'];
const PRIORITIES: readonly string[] = ['high', 'medium', 'low'];
const CATEGORIES: readonly string[] = ['physiological', 'technical', 'score', 'anomaly'];
const FIELDS: readonly string[] = ['id', 'kind', 'url', 'secret', 'routingKey', 'minPriority', 'categories'];

/**
 * Parses the webhook configuration: a JSON array of targets (docs/WEBHOOKS.md). Checks every
 * target and throws one RangeError listing every problem, each naming the index and field
 * (`webhook targets[2].secret: …`). Unknown fields are errors, so a misspelt one cannot be
 * silently ignored. Secrets never appear in messages.
 */
export function parseWebhookTargets(json: unknown): WebhookTarget[] {
  if (!Array.isArray(json)) throw new RangeError('webhook targets: expected a JSON array of targets');
  const problems: string[] = [];
  const targets: WebhookTarget[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of (json as unknown[]).entries()) {
    const fail = (field: string, problem: string): void => {
      problems.push(`webhook targets[${index}]${field === '' ? '' : `.${field}`}: ${problem}`);
    };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      fail('', 'expected an object');
      continue;
    }
    const raw = entry as Record<string, unknown>;
    for (const key of Object.keys(raw)) if (!FIELDS.includes(key)) fail(key, 'unknown field');
    const { id, kind, url, secret, routingKey, minPriority, categories } = raw;

    if (typeof id !== 'string' || !ID_PATTERN.test(id)) fail('id', 'must be 1-64 of A-Z a-z 0-9 . _ -');
    else if (seen.has(id)) fail('id', `duplicate id "${id}"`);
    else seen.add(id);
    if (typeof kind !== 'string' || !KINDS.includes(kind)) fail('kind', `must be one of ${KINDS.join(', ')}`);
    if (typeof url !== 'string' || !isHttpUrl(url)) fail('url', 'must be an http: or https: URL');
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      fail('secret', `must be a string of at least ${MIN_SECRET_LENGTH} characters`);
    }
    if (kind === 'pagerduty' && (typeof routingKey !== 'string' || routingKey.trim() === '')) {
      fail('routingKey', 'is required for a pagerduty target (the Events API v2 integration key)');
    } else if (kind !== 'pagerduty' && routingKey !== undefined) {
      fail('routingKey', 'is only allowed on a pagerduty target');
    }
    if (typeof minPriority !== 'string' || !PRIORITIES.includes(minPriority)) {
      fail('minPriority', `must be one of ${PRIORITIES.join(', ')}`);
    }
    const categoryList = parseCategories(categories, (problem) => {
      fail('categories', problem);
    });

    targets.push({
      id: id as string,
      kind: kind as WebhookTarget['kind'],
      url: url as string,
      secret: secret as string,
      minPriority: minPriority as AlarmPriority,
      ...(typeof routingKey === 'string' ? { routingKey } : {}),
      ...(categoryList === undefined ? {} : { categories: categoryList }),
    });
  }
  if (problems.length > 0) throw new RangeError(problems.join('\n'));
  return targets;
}

function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseCategories(value: unknown, fail: (problem: string) => void): AlarmCategory[] | undefined {
  if (value === undefined) return undefined;
  const problem = `must be a non-empty array of distinct categories (${CATEGORIES.join(', ')})`;
  if (!Array.isArray(value) || value.length === 0) {
    fail(problem);
    return undefined;
  }
  const list = value as unknown[];
  const valid = list.every((c) => typeof c === 'string' && CATEGORIES.includes(c));
  if (!valid || new Set(list).size !== list.length) {
    fail(problem);
    return undefined;
  }
  return list as AlarmCategory[];
}
