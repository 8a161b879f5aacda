/**
 * Quality flags of a stored reading (DESIGN 3.2), as a bit set so a reading carries several.
 * A reading with no flag set is `ok`. Bad data is stored flagged, never silently altered.
 */
export const QualityFlag = {
  /** Outside the physiological plausibility limits of its code. */
  implausible: 1,
  /** The device marked it as artifact (motion, lead-off, low perfusion). */
  artifact: 2,
  /** Arrived after its partition's watermark had passed it by more than the allowed lateness. */
  late: 4,
  /** The device clock differed from ingest time by more than the tolerance. */
  clockSkew: 8,
} as const;

export type QualityFlagName = keyof typeof QualityFlag;
export type Quality = number;

const FLAG_NAMES = Object.keys(QualityFlag) as QualityFlagName[];

/** The names of the flags set in `quality`, or `['ok']` when none is. */
export function qualityNames(quality: Quality): string[] {
  const names = FLAG_NAMES.filter((name) => (quality & QualityFlag[name]) !== 0);
  return names.length === 0 ? ['ok'] : names;
}

export function hasFlag(quality: Quality, flag: QualityFlagName): boolean {
  return (quality & QualityFlag[flag]) !== 0;
}
