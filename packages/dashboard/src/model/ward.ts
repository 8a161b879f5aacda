/**
 * What the ward overview shows, kept apart from the page so Node tests can run it: each patient's
 * newest value of each vital with its event time, its latest NEWS2, and the order of the tiles.
 * Pure: the time "now" is always a parameter.
 */

/**
 * A continuously monitored value (HR, SpO₂, RR, pulse) older than this is stale: greyed, labelled
 * with its age, never shown as current. A bedside monitor sends them every second or so, so 30 s
 * without one is a gap in monitoring. Display policy, not a clinical threshold.
 */
export const STALE_AFTER_MS = 30_000;

/**
 * Spot measurements (NIBP on its cuff cycle, temperature) are taken minutes to hours apart: a
 * 20-minute-old blood pressure is the patient's current one. They turn stale when the clinical engine
 * stops using them for NEWS2: its default validity windows (local policy,
 * packages/clinical/src/engine/score-policy.ts DEFAULT_SCORE_POLICY.validityMs: systolic BP 1 h,
 * temperature 6 h; a test holds these equal).
 */
export const NIBP_STALE_AFTER_MS = 60 * 60_000;
export const TEMPERATURE_STALE_AFTER_MS = 6 * 60 * 60_000;

/** A reading as the API serves it (`…/latest`, the live feed's `readings` event); fields used here. */
export interface ApiReading {
  readonly patientId: string | null;
  readonly code: string;
  readonly value: number;
  readonly unit: string;
  readonly observedAt: string;
}

/** A score as the API serves it (`…/scores`, the live feed's `score` event); fields used here. */
export interface ApiScore {
  readonly patientId: string;
  readonly score: string;
  readonly at: string;
  readonly value: number;
  readonly complete: boolean;
  readonly band: string | null;
}

/** Alarm priorities (IEC 60601-1-8), highest first. */
export type AlarmPriority = 'high' | 'medium' | 'low';
const PRIORITY_RANK: Readonly<Record<AlarmPriority, number>> = { high: 3, medium: 2, low: 1 };

/** An alarm as the API serves it (`GET /api/v1/alarms`, the live feed's `alarm` event); fields used here. */
export interface ApiAlarm {
  readonly id: string;
  readonly category: string;
  readonly patientId: string | null;
  readonly priority: AlarmPriority;
  readonly state: 'active' | 'acknowledged' | 'resolved';
  readonly message: string;
  readonly raisedAt: string;
  readonly version: number;
}

/** An open alarm as a tile shows it. */
export interface AlarmView {
  readonly id: string;
  readonly priority: AlarmPriority;
  readonly state: 'active' | 'acknowledged';
  readonly technical: boolean;
  readonly message: string;
  readonly raisedAtMs: number;
}

/** `GET /api/v1/wards/{ward}/latest`. */
export interface WardLatest {
  readonly wardId: string;
  readonly patients: readonly {
    readonly id: string;
    readonly displayName?: string | null;
    readonly readings: readonly ApiReading[];
  }[];
}

/** One row of a tile: a vital from one code, or several shown together (blood pressure sys/dia). */
export interface VitalSpec {
  readonly key: string;
  readonly label: string;
  readonly codes: readonly string[];
  /** Older than this, the value is stale. */
  readonly staleAfterMs: number;
  /** Sent continuously by a monitor (true), or a spot measurement (false). */
  readonly continuous: boolean;
}

/** The vitals of a tile, in the order shown. */
export const VITAL_SPECS: readonly VitalSpec[] = [
  { key: 'hr', label: 'HR', codes: ['MDC_ECG_HEART_RATE'], staleAfterMs: STALE_AFTER_MS, continuous: true },
  { key: 'spo2', label: 'SpO₂', codes: ['MDC_PULS_OXIM_SAT_O2'], staleAfterMs: STALE_AFTER_MS, continuous: true },
  { key: 'rr', label: 'RR', codes: ['MDC_RESP_RATE'], staleAfterMs: STALE_AFTER_MS, continuous: true },
  {
    key: 'nibp',
    label: 'NIBP',
    codes: ['MDC_PRESS_BLD_NONINV_SYS', 'MDC_PRESS_BLD_NONINV_DIA'],
    staleAfterMs: NIBP_STALE_AFTER_MS,
    continuous: false,
  },
  { key: 'temp', label: 'Temp', codes: ['MDC_TEMP_BODY'], staleAfterMs: TEMPERATURE_STALE_AFTER_MS, continuous: false },
  {
    key: 'pulse',
    label: 'Pulse',
    codes: ['MDC_PULS_OXIM_PULS_RATE'],
    staleAfterMs: STALE_AFTER_MS,
    continuous: true,
  },
];

/** UCUM units (as the API answers) as a clinician reads them. */
const UNIT_LABELS: Readonly<Record<string, string>> = { 'mm[Hg]': 'mmHg', Cel: '°C', '/min': '/min', '%': '%' };

export function unitLabel(ucum: string): string {
  return UNIT_LABELS[ucum] ?? ucum;
}

interface Value {
  readonly value: number;
  readonly unit: string;
  readonly observedAtMs: number;
}

/** A vital as a tile shows it at `nowMs`. */
export type VitalView =
  | { readonly key: string; readonly label: string; readonly kind: 'missing' }
  | {
      readonly key: string;
      readonly label: string;
      readonly kind: 'current' | 'stale';
      readonly text: string;
      readonly unit: string;
      /** The event time of the oldest part (a composite is as old as its oldest value). */
      readonly observedAtMs: number;
      readonly ageMs: number;
    };

export interface PatientView {
  readonly id: string;
  readonly name: string;
  readonly news2: { readonly value: number; readonly band: string | null; readonly complete: boolean } | undefined;
  readonly vitals: readonly VitalView[];
  /** Open alarms: active before acknowledged, then highest priority, then newest. */
  readonly alarms: readonly AlarmView[];
  /** The highest priority among the active (unacknowledged) alarms; undefined when none is active. */
  readonly alarmPriority: AlarmPriority | undefined;
  /**
   * `current`: at least one vital is current. `stale`: every value shown is stale (the monitor stopped
   * sending, or was taken off): the whole tile must say so. `none`: no value yet.
   */
  readonly data: 'current' | 'stale' | 'none';
  /** Age of the newest value, when there is one. */
  readonly newestAgeMs: number | undefined;
}

/**
 * Whether a tile has current data. A monitor's continuous values decide when the patient has any:
 * a monitor that stopped leaves its last blood pressure valid for an hour, and the tile must still
 * say that monitoring stopped. A patient with spot measurements only is current while one is.
 */
function dataState(vitals: readonly VitalView[], newestAgeMs: number | undefined): PatientView['data'] {
  if (newestAgeMs === undefined) return 'none';
  const continuous = new Set(VITAL_SPECS.filter((s) => s.continuous).map((s) => s.key));
  const monitored = vitals.filter((v) => continuous.has(v.key) && v.kind !== 'missing');
  const deciding = monitored.length > 0 ? monitored : vitals;
  return deciding.some((v) => v.kind === 'current') ? 'current' : 'stale';
}

function rank(priority: AlarmPriority | undefined): number {
  return priority === undefined ? 0 : PRIORITY_RANK[priority];
}

/** A duration as a short label: `12 s`, `4 min`, `3 h`, `2 d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

interface PatientState {
  name: string;
  readonly values: Map<string, Value>;
  news2: { value: number; band: string | null; complete: boolean; atMs: number } | undefined;
}

/** The ward's patients and their newest values; fed by `…/latest`, `…/scores` and the live feed. */
export class WardModel {
  private readonly patients = new Map<string, PatientState>();
  /** Every alarm seen, by id (resolved ones too, so an older event never reopens one). */
  private readonly alarms = new Map<string, ApiAlarm>();

  /** Replaces the census with `latest` (after a (re)connect), keeping newer values already held. */
  setLatest(latest: WardLatest): void {
    const ids = new Set(latest.patients.map((p) => p.id));
    for (const id of this.patients.keys()) if (!ids.has(id)) this.patients.delete(id);
    for (const p of latest.patients) {
      const name = p.displayName ?? p.id;
      const state = this.patients.get(p.id);
      if (state === undefined) this.patients.set(p.id, { name, values: new Map(), news2: undefined });
      else state.name = name;
    }
    this.applyReadings(latest.patients.flatMap((p) => p.readings));
  }

  /** Applies readings of patients on the census; an older value never replaces a newer one. */
  applyReadings(readings: readonly ApiReading[]): void {
    for (const r of readings) {
      const state = r.patientId === null ? undefined : this.patients.get(r.patientId);
      const observedAtMs = Date.parse(r.observedAt);
      if (state === undefined || Number.isNaN(observedAtMs)) continue;
      const held = state.values.get(r.code);
      if (held !== undefined && held.observedAtMs > observedAtMs) continue;
      state.values.set(r.code, { value: r.value, unit: r.unit, observedAtMs });
    }
  }

  /** Keeps each patient's newest NEWS2; other scores are ignored here. */
  applyScore(score: ApiScore): void {
    const state = this.patients.get(score.patientId);
    const atMs = Date.parse(score.at);
    if (state === undefined || score.score !== 'news2' || Number.isNaN(atMs)) return;
    if (state.news2 !== undefined && state.news2.atMs > atMs) return;
    state.news2 = { value: score.value, band: score.band, complete: score.complete, atMs };
  }

  /**
   * Replaces the open alarms with `open` (`GET /api/v1/alarms?open=true`, after a (re)connect):
   * one held but not listed has been resolved meanwhile; a held newer version is kept.
   */
  setAlarms(open: readonly ApiAlarm[]): void {
    const listed = new Set(open.map((a) => a.id));
    for (const [id, held] of this.alarms) if (!listed.has(id) && held.state !== 'resolved') this.alarms.delete(id);
    for (const alarm of open) this.applyAlarm(alarm);
  }

  /** Applies an alarm's new state; an older version never replaces a newer one. */
  applyAlarm(alarm: ApiAlarm): void {
    const held = this.alarms.get(alarm.id);
    if (held !== undefined && held.version > alarm.version) return;
    this.alarms.set(alarm.id, alarm);
  }

  get patientIds(): string[] {
    return [...this.patients.keys()];
  }

  /**
   * The tiles at `nowMs`, sickest first: highest active alarm priority, then highest NEWS2 (those
   * without one last), each by name.
   */
  view(nowMs: number): PatientView[] {
    const views = [...this.patients].map(([id, state]): PatientView => {
      const alarms = this.openAlarms(id);
      const vitals = VITAL_SPECS.map((spec) => this.vital(spec, state, nowMs));
      let newest: number | undefined;
      for (const v of state.values.values()) newest = Math.max(newest ?? v.observedAtMs, v.observedAtMs);
      const newestAgeMs = newest === undefined ? undefined : Math.max(0, nowMs - newest);
      return {
        id,
        name: state.name,
        news2: state.news2 === undefined ? undefined : { ...state.news2 },
        vitals,
        alarms,
        alarmPriority: alarms.find((a) => a.state === 'active')?.priority,
        data: dataState(vitals, newestAgeMs),
        newestAgeMs,
      };
    });
    return views.sort(
      (a, b) =>
        rank(b.alarmPriority) - rank(a.alarmPriority) ||
        (b.news2?.value ?? -1) - (a.news2?.value ?? -1) ||
        a.name.localeCompare(b.name, undefined, { numeric: true }) ||
        a.id.localeCompare(b.id),
    );
  }

  private openAlarms(patientId: string): AlarmView[] {
    const views: AlarmView[] = [];
    for (const a of this.alarms.values()) {
      if (a.patientId !== patientId || a.state === 'resolved') continue;
      views.push({
        id: a.id,
        priority: a.priority,
        state: a.state,
        technical: a.category === 'technical',
        message: a.message,
        raisedAtMs: Date.parse(a.raisedAt),
      });
    }
    return views.sort(
      (a, b) =>
        Number(b.state === 'active') - Number(a.state === 'active') ||
        rank(b.priority) - rank(a.priority) ||
        b.raisedAtMs - a.raisedAtMs,
    );
  }

  private vital(spec: VitalSpec, state: PatientState, nowMs: number): VitalView {
    const parts = spec.codes.map((code) => state.values.get(code));
    const present = parts.filter((p): p is Value => p !== undefined);
    if (present.length !== parts.length || present.length === 0) {
      return { key: spec.key, label: spec.label, kind: 'missing' };
    }
    const observedAtMs = Math.min(...present.map((p) => p.observedAtMs));
    const ageMs = Math.max(0, nowMs - observedAtMs);
    return {
      key: spec.key,
      label: spec.label,
      kind: ageMs > spec.staleAfterMs ? 'stale' : 'current',
      text: present.map((p) => formatValue(p.value)).join('/'),
      unit: unitLabel(present[0]?.unit ?? ''),
      observedAtMs,
      ageMs,
    };
  }
}
