/**
 * Statistical policy of the per-patient anomaly detector. These are local policy defaults
 * (configurable per deployment), NOT clinical thresholds: they say how unusual a minute has to be
 * relative to the patient's own recent history before it is reported, not what is dangerous.
 *
 * Statistics in brief (see baseline-tracker.ts): readings are summarised per event-time bucket by
 * their median; the baseline is the median of recent non-deviating bucket medians, its spread the
 * MAD scaled by 1.4826 (the consistency constant that makes MAD estimate σ for normal data,
 * Rousseeuw & Croux 1993), floored by `minScale` so a flat-lined baseline cannot turn every small
 * change into an anomaly.
 */
export interface AnomalyPolicy {
  /** Event-time bucket length; readings are summarised per bucket by their median. */
  readonly bucketMs: number;
  /** At most this many non-deviating bucket medians form the baseline (60 × 1 min = 1 h). */
  readonly baselineBuckets: number;
  /** No evaluation until the baseline holds at least this many bucket medians. */
  readonly minBaselineBuckets: number;
  /** A level deviation starts at |z| ≥ levelZ (robust SDs from the baseline centre)… */
  readonly levelZ: number;
  /** …and a level or trend deviation ends once |z| < clearZ (hysteresis; clearZ < levelZ, trendZ). */
  readonly clearZ: number;
  /** The trend is the least-squares slope over this many bucket medians. */
  readonly trendBuckets: number;
  /**
   * A trend deviation starts when the fitted line moved ≥ trendZ baseline spreads across the
   * trend window. Note: for a ramp starting at the baseline centre the fitted move over the window
   * is at most the level's distance, so the trend leads the level only with trendZ < levelZ.
   */
  readonly trendZ: number;
  /** Floor on the baseline spread per MDC code, in the code's canonical unit. */
  readonly minScale: Readonly<Record<string, number>>;
  /** Floor on the baseline spread for codes without a `minScale` entry. */
  readonly defaultMinScale: number;
  /** A bucket with fewer readings is skipped (no median, no evaluation): too little to summarise. */
  readonly minSamplesPerBucket: number;
  /** Only these MDC codes are tracked; readings of other codes are ignored. */
  readonly codes: readonly string[];
}

/**
 * Local policy (statistical, not clinical): floors on the baseline spread. Minute medians of a resting
 * patient are smoother than the patient: an hour's baseline can look tighter than the drift the same
 * patient shows over the next hours (moving, sleeping, talking). With floors at the display resolution
 * the simulator's stable patients raised about one anomaly alert per patient-hour (12 simulated hours,
 * 2 patients: 11 alerts); these floors, of the order of the drift a stable adult shows over an hour,
 * raised none, while the deteriorating scenario's respiratory rise is still found. Set per ward.
 */
const MIN_SCALE: Readonly<Record<string, number>> = {
  MDC_ECG_HEART_RATE: 5, // /min
  MDC_PULS_OXIM_PULS_RATE: 5, // /min
  MDC_PULS_RATE: 5, // /min
  MDC_RESP_RATE: 2, // /min
  MDC_PULS_OXIM_SAT_O2: 1.5, // %
  MDC_PRESS_BLD_NONINV_SYS: 8, // mm[Hg]
  MDC_TEMP_BODY: 0.2, // Cel
};

/** Local policy defaults (statistical, not clinical): 1-min buckets against the last hour. */
export const DEFAULT_ANOMALY_POLICY: AnomalyPolicy = {
  bucketMs: 60_000,
  baselineBuckets: 60,
  minBaselineBuckets: 30,
  levelZ: 4,
  clearZ: 2,
  trendBuckets: 15,
  trendZ: 4,
  minScale: MIN_SCALE,
  defaultMinScale: 1,
  minSamplesPerBucket: 10,
  codes: Object.keys(MIN_SCALE),
};

type NumberField = Exclude<keyof AnomalyPolicy, 'minScale' | 'codes'>;

const INTEGER_FIELDS: readonly NumberField[] = [
  'bucketMs',
  'baselineBuckets',
  'minBaselineBuckets',
  'trendBuckets',
  'minSamplesPerBucket',
];
const REAL_FIELDS: readonly NumberField[] = ['levelZ', 'clearZ', 'trendZ', 'defaultMinScale'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(field: string, value: unknown, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`anomaly policy: ${field} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/**
 * Applies a partial JSON override to `base`. `minScale` entries are merged per code; `codes`
 * replaces the list. Throws a RangeError naming the field for an unknown field, a value that is
 * not a positive number (integer for counts and `bucketMs`), minBaselineBuckets > baselineBuckets,
 * trendBuckets < 3, or clearZ not below both levelZ and trendZ.
 */
export function parseAnomalyPolicy(json: unknown, base: AnomalyPolicy = DEFAULT_ANOMALY_POLICY): AnomalyPolicy {
  if (!isRecord(json)) throw new RangeError('anomaly policy: must be a JSON object');
  const known = new Set<string>([...INTEGER_FIELDS, ...REAL_FIELDS, 'minScale', 'codes']);
  for (const field of Object.keys(json)) {
    if (!known.has(field)) throw new RangeError(`anomaly policy: ${field} is not a known field`);
  }
  const numbers: Partial<Record<NumberField, number>> = {};
  for (const field of INTEGER_FIELDS) if (field in json) numbers[field] = positive(field, json[field], true);
  for (const field of REAL_FIELDS) if (field in json) numbers[field] = positive(field, json[field], false);

  let minScale = base.minScale;
  if ('minScale' in json) {
    const override = json['minScale'];
    if (!isRecord(override)) throw new RangeError('anomaly policy: minScale must be an object of code → number');
    const merged: Record<string, number> = { ...base.minScale };
    for (const [code, value] of Object.entries(override)) merged[code] = positive(`minScale.${code}`, value, false);
    minScale = merged;
  }
  let codes = base.codes;
  if ('codes' in json) {
    const list = json['codes'];
    if (!Array.isArray(list) || !list.every((c): c is string => typeof c === 'string' && c.length > 0)) {
      throw new RangeError('anomaly policy: codes must be an array of non-empty strings');
    }
    codes = [...list];
  }

  const policy: AnomalyPolicy = { ...base, ...numbers, minScale, codes };
  if (policy.minBaselineBuckets > policy.baselineBuckets) {
    throw new RangeError('anomaly policy: minBaselineBuckets must not exceed baselineBuckets');
  }
  if (policy.trendBuckets < 3) throw new RangeError('anomaly policy: trendBuckets must be at least 3');
  if (policy.clearZ >= policy.levelZ) throw new RangeError('anomaly policy: clearZ must be below levelZ');
  if (policy.clearZ >= policy.trendZ) throw new RangeError('anomaly policy: clearZ must be below trendZ');
  return policy;
}
