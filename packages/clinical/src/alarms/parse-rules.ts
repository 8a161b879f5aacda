import { CATALOGUE } from '@wardstream/domain';
import type { AlarmPriority } from '../alarm.js';
import type { AlarmRule, ScoreBandRule, ThresholdRule } from './rules.js';

const NUMERIC_CODES = new Set(CATALOGUE.filter((e) => e.kind === 'numeric').map((e) => e.code));
const PRIORITIES: readonly AlarmPriority[] = ['high', 'medium', 'low'];
const BANDS: readonly ScoreBandRule['band'][] = ['low-medium', 'medium', 'high'];
const ID = /^[A-Za-z0-9._-]{1,64}$/;
/** A condition delay longer than an hour is a typo, not a policy. */
const MAX_DELAY_MS = 3_600_000;

type Fields = Record<string, unknown>;

/**
 * Validates a rule set sent to the rules API: a JSON array of threshold and NEWS2-band rules. Throws a
 * RangeError naming the first bad field as `rules[i].field: …`. Every field is required (a rule is
 * complete on its own, so an override never silently inherits a value it did not show).
 */
export function parseRules(json: unknown): AlarmRule[] {
  if (!Array.isArray(json)) throw new RangeError('rules: expected a JSON array of rules');
  const seen = new Set<string>();
  return json.map((item: unknown, i) => {
    const at = `rules[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new RangeError(`${at}: expected an object`);
    const f = item as Fields;
    const rule = f.kind === 'threshold' ? threshold(f, at) : f.kind === 'news2Band' ? band(f, at) : undefined;
    if (rule === undefined) throw new RangeError(`${at}.kind: expected "threshold" or "news2Band"`);
    if (seen.has(rule.id)) throw new RangeError(`${at}.id: "${rule.id}" appears twice`);
    seen.add(rule.id);
    return rule;
  });
}

function threshold(f: Fields, at: string): ThresholdRule {
  only(f, at, [
    'kind',
    'id',
    'label',
    'codes',
    'direction',
    'limit',
    'hysteresis',
    'delayMs',
    'clearDelayMs',
    'priority',
    'latching',
    'enabled',
    'source',
  ]);
  const codes = f.codes;
  if (!Array.isArray(codes) || codes.length === 0)
    throw new RangeError(`${at}.codes: expected a non-empty array of MDC codes`);
  for (const code of codes) {
    if (typeof code !== 'string' || !NUMERIC_CODES.has(code)) {
      throw new RangeError(`${at}.codes: "${String(code)}" is not a numeric code of the catalogue`);
    }
  }
  if (f.direction !== 'atOrAbove' && f.direction !== 'atOrBelow') {
    throw new RangeError(`${at}.direction: expected "atOrAbove" or "atOrBelow"`);
  }
  return {
    kind: 'threshold',
    ...common(f, at),
    codes: codes as string[],
    direction: f.direction,
    limit: number(f, at, 'limit', -Infinity),
    hysteresis: number(f, at, 'hysteresis', 0),
    delayMs: number(f, at, 'delayMs', 0, MAX_DELAY_MS),
    clearDelayMs: number(f, at, 'clearDelayMs', 0, MAX_DELAY_MS),
  };
}

function band(f: Fields, at: string): ScoreBandRule {
  only(f, at, [
    'kind',
    'id',
    'label',
    'band',
    'response',
    'delayMs',
    'clearDelayMs',
    'priority',
    'latching',
    'enabled',
    'source',
  ]);
  if (!BANDS.includes(f.band as ScoreBandRule['band']))
    throw new RangeError(`${at}.band: expected one of ${BANDS.join(', ')}`);
  return {
    kind: 'news2Band',
    ...common(f, at),
    band: f.band as ScoreBandRule['band'],
    response: text(f, at, 'response'),
    delayMs: number(f, at, 'delayMs', 0, MAX_DELAY_MS),
    clearDelayMs: number(f, at, 'clearDelayMs', 0, MAX_DELAY_MS),
  };
}

function common(f: Fields, at: string) {
  const id = text(f, at, 'id');
  if (!ID.test(id)) throw new RangeError(`${at}.id: use 1-64 of A-Z a-z 0-9 . _ -`);
  if (!PRIORITIES.includes(f.priority as AlarmPriority))
    throw new RangeError(`${at}.priority: expected high, medium or low`);
  return {
    id,
    label: text(f, at, 'label'),
    priority: f.priority as AlarmPriority,
    latching: bool(f, at, 'latching'),
    enabled: bool(f, at, 'enabled'),
    source: text(f, at, 'source'),
  };
}

function only(f: Fields, at: string, allowed: readonly string[]): void {
  for (const key of Object.keys(f)) if (!allowed.includes(key)) throw new RangeError(`${at}.${key}: unknown field`);
}

function text(f: Fields, at: string, key: string): string {
  const v = f[key];
  if (typeof v !== 'string' || v.trim() === '' || v.length > 500)
    throw new RangeError(`${at}.${key}: expected a non-empty string (≤ 500 characters)`);
  return v;
}

function bool(f: Fields, at: string, key: string): boolean {
  const v = f[key];
  if (typeof v !== 'boolean') throw new RangeError(`${at}.${key}: expected true or false`);
  return v;
}

function number(f: Fields, at: string, key: string, min: number, max = Infinity): number {
  const v = f[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = max === Infinity ? (min === -Infinity ? '' : ` ≥ ${min}`) : ` in ${min}..${max}`;
    throw new RangeError(`${at}.${key}: expected a finite number${range}`);
  }
  return v;
}
