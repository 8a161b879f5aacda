import type { Random } from './random.js';

/** Reconnect back-off: exponential from `minMs`, capped at `maxMs`, with full jitter. */
export interface BackoffPolicy {
  readonly minMs: number;
  readonly maxMs: number;
}

/** From half a second up to 30 s between reconnect attempts. */
export const DEFAULT_BACKOFF: BackoffPolicy = { minMs: 500, maxMs: 30_000 };

/**
 * The wait before reconnect attempt `attempt` (0 for the first): uniform in [minMs, min(maxMs, minMs·2^attempt)]
 * ("full jitter", AWS Architecture Blog, Exponential Backoff and Jitter, 2015). Spreading the attempts
 * keeps a fleet that lost its broker from reconnecting all at once: DESIGN's figures put 10,000 mTLS
 * reconnects at ≈ 30 s even when spread.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: Random): number {
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(random.between(policy.minMs, Math.max(policy.minMs, ceiling)));
}
