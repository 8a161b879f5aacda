/**
 * What the patient view shows besides its charts, apart from the page so Node tests can run it:
 * NEWS2 history rows with each parameter's points and the value that gave them, the alarm history
 * kept current by the live feed, charted observations, and the API's problems per form field.
 */
import type { AlarmPriority, ApiScore } from './ward.js';

/** `GET /api/v1/patients/{id}`: the patient and the devices bound to it now. */
export interface ApiPatient {
  readonly id: string;
  readonly displayName: string | null;
  readonly wardId: string | null;
  readonly devices: readonly string[];
}

/** The API refuses a patient outside the caller's wards with one of these; the view says no more. */
export function isRefusal(status: number): boolean {
  return status === 403 || status === 404;
}

/** A score with its explanation, as `…/scores/news2` and the live feed's `score` event serve it. */
export interface ApiScoreRecord extends ApiScore {
  readonly missing: readonly string[];
  readonly stale: readonly string[];
  readonly subscores: Readonly<Record<string, number | null>>;
  readonly inputs: Readonly<Record<string, { readonly value: number | string | boolean; readonly source: string }>>;
}

/** NEWS2 chart 1's parameters in its order, the score input each is computed from, and how it reads. */
export const NEWS2_COLUMNS: readonly { readonly param: string; readonly input: string; readonly label: string }[] = [
  { param: 'respirationRate', input: 'respirationRate', label: 'RR' },
  { param: 'spo2', input: 'spo2', label: 'SpO₂' },
  { param: 'airOrOxygen', input: 'oxygen', label: 'Air/O₂' },
  { param: 'systolicBP', input: 'systolicBP', label: 'Sys BP' },
  { param: 'pulse', input: 'pulse', label: 'Pulse' },
  { param: 'consciousness', input: 'consciousness', label: 'ACVPU' },
  { param: 'temperature', input: 'temperature', label: 'Temp' },
];

const INPUT_UNITS: Readonly<Record<string, string>> = {
  respirationRate: '/min',
  spo2: '%',
  systolicBP: 'mmHg',
  pulse: '/min',
  temperature: '°C',
};

export interface SubScoreCell {
  readonly param: string;
  /** Points; null when the parameter was missing or stale (it then counts for nothing). */
  readonly points: number | null;
  /** The value that gave the points (`18 /min`, `O₂`, `V`), or why there is none (`missing`, `stale`). */
  readonly text: string;
}

export interface News2Row {
  readonly atMs: number;
  readonly value: number;
  readonly band: string | null;
  readonly complete: boolean;
  readonly cells: readonly SubScoreCell[];
}

function inputText(score: ApiScoreRecord, input: string): string | undefined {
  const used = score.inputs[input];
  if (used === undefined) return undefined;
  const { value } = used;
  if (input === 'oxygen') return value === true ? 'O₂' : 'Air';
  if (typeof value !== 'number') return String(value);
  const text = input === 'temperature' ? value.toFixed(1) : String(Math.round(value * 10) / 10);
  const scale2 = input === 'spo2' && score.inputs['spo2Scale']?.value === 2 ? ' (scale 2)' : '';
  return `${text} ${INPUT_UNITS[input] ?? ''}`.trimEnd() + scale2;
}

/** A NEWS2 record as a row of the history: each parameter's points and the value that gave them. */
export function news2Row(score: ApiScoreRecord): News2Row {
  return {
    atMs: Date.parse(score.at),
    value: score.value,
    band: score.band,
    complete: score.complete,
    cells: NEWS2_COLUMNS.map(({ param, input }) => {
      const points = score.subscores[param] ?? null;
      const why = score.stale.includes(param) ? 'stale' : 'missing';
      return { param, points, text: (points === null ? undefined : inputText(score, input)) ?? why };
    }),
  };
}

/** A patient's NEWS2 history: newest first, one row per instant (a later copy of the same instant wins). */
export class News2History {
  private readonly byAt = new Map<number, News2Row>();

  /** Adds NEWS2 records (others are ignored); answers whether any row changed. */
  add(scores: readonly ApiScoreRecord[]): boolean {
    let changed = false;
    for (const score of scores) {
      if (score.score !== 'news2') continue;
      const row = news2Row(score);
      if (Number.isNaN(row.atMs)) continue;
      this.byAt.set(row.atMs, row);
      changed = true;
    }
    return changed;
  }

  /** The newest `limit` rows, newest first. */
  rows(limit = Infinity): News2Row[] {
    return [...this.byAt.values()].sort((a, b) => b.atMs - a.atMs).slice(0, limit);
  }

  /** The newest row; undefined before any. */
  get latest(): News2Row | undefined {
    return this.rows(1)[0];
  }
}

/** An alarm as `GET /api/v1/alarms` and the live feed serve it (fields used here). */
export interface ApiAlarmRecord {
  readonly id: string;
  readonly ruleId: string | null;
  readonly category: string;
  readonly patientId: string | null;
  readonly priority: AlarmPriority;
  readonly state: 'active' | 'acknowledged' | 'resolved';
  readonly message: string;
  readonly raisedAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly version: number;
}

export interface AlarmRow {
  readonly id: string;
  readonly priority: AlarmPriority;
  readonly state: ApiAlarmRecord['state'];
  readonly technical: boolean;
  readonly message: string;
  readonly raisedAtMs: number;
  readonly acknowledged: { readonly by: string; readonly atMs: number } | undefined;
  readonly resolved: { readonly by: string; readonly atMs: number } | undefined;
}

function act(by: string | null, at: string | null): { by: string; atMs: number } | undefined {
  const atMs = at === null ? Number.NaN : Date.parse(at);
  return Number.isNaN(atMs) ? undefined : { by: by ?? 'system', atMs };
}

/** One patient's alarms, newest raised first; an older version of an alarm never replaces a newer one. */
export class AlarmHistory {
  private readonly alarms = new Map<string, ApiAlarmRecord>();

  constructor(readonly patientId: string) {}

  /** Applies alarms (the list, or a feed event's alarm); other patients' are ignored. Answers whether any changed. */
  apply(alarms: readonly ApiAlarmRecord[]): boolean {
    let changed = false;
    for (const alarm of alarms) {
      const held = this.alarms.get(alarm.id);
      if (alarm.patientId !== this.patientId || (held !== undefined && held.version >= alarm.version)) continue;
      this.alarms.set(alarm.id, alarm);
      changed = true;
    }
    return changed;
  }

  rows(limit = Infinity): AlarmRow[] {
    return [...this.alarms.values()]
      .map((a): AlarmRow => ({
        id: a.id,
        priority: a.priority,
        state: a.state,
        technical: a.category === 'technical',
        message: a.message,
        raisedAtMs: Date.parse(a.raisedAt),
        acknowledged: act(a.acknowledgedBy, a.acknowledgedAt),
        resolved: act(a.resolvedBy, a.resolvedAt),
      }))
      .sort((a, b) => b.raisedAtMs - a.raisedAtMs || (a.id < b.id ? 1 : -1))
      .slice(0, limit);
  }

  /**
   * The messages of the open ECG rhythm alarms (`ecg.<condition>` rules of the beat analysis:
   * asystole, brady/tachycardia, irregular rhythm, no or poor signal), highest priority first.
   */
  rhythmFlags(): string[] {
    const rank = { high: 3, medium: 2, low: 1 } as const;
    return [...this.alarms.values()]
      .filter((a) => a.state !== 'resolved' && a.ruleId?.startsWith('ecg.') === true)
      .sort((a, b) => rank[b.priority] - rank[a.priority])
      .map((a) => a.message);
  }
}

/** ACVPU (NEWS2, RCP 2017): what each letter means. */
export const ACVPU_LABELS: Readonly<Record<string, string>> = {
  A: 'Alert',
  C: 'New confusion',
  V: 'Responds to voice',
  P: 'Responds to pain',
  U: 'Unresponsive',
};

/** A charted observation as `…/observations` serves it: flat, like the body that recorded it. */
export interface ApiCharted {
  readonly id: string;
  readonly kind: string;
  readonly value?: string | number;
  readonly onOxygen?: boolean;
  readonly scale?: number;
  readonly code?: string;
  readonly observedAt: string;
  readonly recordedBy: string;
}

/** What an observation says, for the list of charted observations. */
export function chartedText(o: ApiCharted): string {
  switch (o.kind) {
    case 'consciousness':
      return `Consciousness ${String(o.value)} (${ACVPU_LABELS[String(o.value)] ?? 'unknown'})`;
    case 'oxygen':
      return o.onOxygen === true ? 'On supplemental oxygen' : 'On air';
    case 'spo2Scale':
      return `SpO₂ scale ${String(o.scale)}`;
    default:
      return `${o.code ?? o.kind} ${String(o.value ?? '')}`.trimEnd();
  }
}

/** Observations newest first (by observedAt, then id), each id once. */
export function chartedRows(observations: readonly ApiCharted[]): ApiCharted[] {
  const byId = new Map(observations.map((o) => [o.id, o]));
  return [...byId.values()].sort(
    (a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt) || (a.id < b.id ? 1 : -1),
  );
}

/** An RFC 9457 problem document as the API answers it (fields used here). */
export interface ApiProblem {
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * A refused POST's problems, keyed by the form field they belong to (`fieldOf` maps the API's
 * field names; an unmapped one goes to `''`, the form as a whole), or the detail when the problem
 * names no field.
 */
export function problemsByField(
  problem: ApiProblem,
  fieldOf: (apiName: string) => string | undefined,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (field: string, text: string) => out.set(field, [...(out.get(field) ?? []), text]);
  for (const e of problem.errors ?? []) put(fieldOf(e.name) ?? '', `${e.name}: ${e.reason}`);
  if (out.size === 0) put('', problem.detail ?? `the server refused it (HTTP ${problem.status ?? '?'})`);
  return out;
}
