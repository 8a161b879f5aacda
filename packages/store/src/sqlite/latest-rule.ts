import { QualityFlag } from '@wardstream/domain';

/**
 * The part of the port's latest rule (reading-store.ts, `latest`) that comes before range order,
 * for two readings of one code: a reading not flagged `clockSkew` beats every clock-skewed one,
 * and of two clock-skewed readings the one received later wins. Returns > 0 when `a` wins, < 0
 * when `b` does, and 0 when range order decides (neither is skewed, or both are and were received
 * at the same instant). Scalars, not objects: the series cache runs it for every reading written.
 */
export function compareLatestRank(
  aQuality: number,
  aReceivedAt: number,
  bQuality: number,
  bReceivedAt: number,
): number {
  const aSkewed = (aQuality & QualityFlag.clockSkew) !== 0;
  const bSkewed = (bQuality & QualityFlag.clockSkew) !== 0;
  if (aSkewed !== bSkewed) return aSkewed ? -1 : 1;
  if (!aSkewed || aReceivedAt === bReceivedAt) return 0;
  return aReceivedAt > bReceivedAt ? 1 : -1;
}
