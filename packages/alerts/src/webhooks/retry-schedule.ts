import type { WebhookPolicy } from './webhook-target.js';

/** What one attempt came to, and when to try again if it failed. */
export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | {
      readonly kind: 'failed';
      readonly error: string;
      /** From the attempt's end to the next attempt. */
      readonly retryInMs: number;
      /** A misconfiguration (4xx other than 408/429, a redirect): report the target failing at once. */
      readonly permanent: boolean;
    };

/**
 * Classifies an HTTP response. 2xx: delivered. 408, 429 and 5xx: transient, retried after
 * `retryDelayMs` or the response's Retry-After (capped at `maxBackoffMs`, so no receiver can
 * delay an alarm past the policy). Anything else (other 4xx, 3xx: redirects are not followed,
 * a signed alarm is never re-posted to another place): a misconfigured endpoint, retried at
 * `maxBackoffMs` and permanent, so the target is reported failing at once. Nothing is dropped.
 */
export function classifyResponse(
  policy: WebhookPolicy,
  attempts: number,
  random: () => number,
  status: number,
  retryAfter: string | null,
  nowMs: number,
): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const error = `HTTP ${status}`;
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) {
    const hinted = retryAfterMs(retryAfter, nowMs);
    const retryInMs = hinted === null ? retryDelayMs(policy, attempts, random) : Math.min(hinted, policy.maxBackoffMs);
    return { kind: 'failed', error, retryInMs, permanent: false };
  }
  return { kind: 'failed', error, retryInMs: policy.maxBackoffMs, permanent: true };
}

/** A network error or timeout: transient. */
export function networkFailure(
  policy: WebhookPolicy,
  attempts: number,
  random: () => number,
  error: string,
): AttemptOutcome {
  return { kind: 'failed', error, retryInMs: retryDelayMs(policy, attempts, random), permanent: false };
}

/**
 * Exponential back-off with full jitter: uniform in [0, min(maxBackoffMs, initialBackoffMs ·
 * 2^(attempts−1))), `attempts` counting the failure just seen (1 = the first). Full jitter spreads
 * the retries of many senders [AWS Architecture Blog, "Exponential Backoff And Jitter", 2015].
 */
export function retryDelayMs(policy: WebhookPolicy, attempts: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 52);
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** exponent);
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

/**
 * A Retry-After header as ms from `nowMs`: delay-seconds or an HTTP-date (`… GMT`) [RFC 9110 §10.2.3];
 * null when absent or unreadable.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/ GMT$/.test(value)) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** One line for an error thrown by a send: the message and, for fetch's "fetch failed", its cause. */
export function describeSendError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no response within ${timeoutMs} ms`;
  }
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return err.message;
}
