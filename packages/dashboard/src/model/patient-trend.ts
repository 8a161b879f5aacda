/**
 * The patient view's trend charts, apart from the page so Node tests can run them: which bucket
 * each time range reads from `…/readings/aggregates`, how those buckets become chart points, how
 * live readings extend them, and the newest value each chart's caption shows. Pure: "now" is
 * always a parameter.
 */
import { formatAge, unitLabel, type VitalSpec, type VitalView } from './ward.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export type TrendRangeKey = '5m' | '1h' | '6h' | '24h' | '7d';

/**
 * A time range of the trends. `bucket` is what the API aggregates by (it knows 1s, 1m and 1h only);
 * `displayBucketMs` is what a chart point covers (several API buckets merged when that keeps a chart
 * within a few hundred points); the chart then has at most `spanMs / displayBucketMs` points.
 */
export interface TrendRange {
  readonly key: TrendRangeKey;
  readonly label: string;
  readonly spanMs: number;
  readonly bucket: '1s' | '1m' | '1h';
  readonly bucketMs: number;
  readonly displayBucketMs: number;
}

/** 300, 60, 360, 288 and 168 points at most. */
export const TREND_RANGES: readonly TrendRange[] = [
  { key: '5m', label: '5 min', spanMs: 5 * MINUTE_MS, bucket: '1s', bucketMs: SECOND_MS, displayBucketMs: SECOND_MS },
  { key: '1h', label: '1 h', spanMs: HOUR_MS, bucket: '1m', bucketMs: MINUTE_MS, displayBucketMs: MINUTE_MS },
  { key: '6h', label: '6 h', spanMs: 6 * HOUR_MS, bucket: '1m', bucketMs: MINUTE_MS, displayBucketMs: MINUTE_MS },
  {
    key: '24h',
    label: '24 h',
    spanMs: 24 * HOUR_MS,
    bucket: '1m',
    bucketMs: MINUTE_MS,
    displayBucketMs: 5 * MINUTE_MS,
  },
  { key: '7d', label: '7 d', spanMs: 7 * 24 * HOUR_MS, bucket: '1h', bucketMs: HOUR_MS, displayBucketMs: HOUR_MS },
];

export const DEFAULT_TREND_RANGE: TrendRangeKey = '5m';

/** The range of `key`; the default one for anything else (a hand-edited URL, say). */
export function trendRange(key: string): TrendRange {
  return TREND_RANGES.find((r) => r.key === key) ?? (TREND_RANGES[0] as TrendRange);
}

/** The query of `…/readings/aggregates` for one code over `range`, ending at `nowMs`. */
export function aggregatesQuery(code: string, range: TrendRange, nowMs: number): string {
  const from = new Date(nowMs - range.spanMs).toISOString();
  return new URLSearchParams({ code, bucket: range.bucket, from }).toString();
}

/** A bucket as `…/readings/aggregates` serves it (fields used here). */
export interface ApiBucket {
  readonly startAt: number;
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** A reading of the live feed (fields used here); `quality` as the API names the flags. */
export interface TrendReading {
  readonly code: string;
  readonly value: number;
  readonly observedAt: string;
  readonly quality?: readonly string[];
}

/** Readings the aggregates leave out (see docs/API.md); the live points leave them out too. */
const EXCLUDED_QUALITY: readonly string[] = ['implausible', 'artifact'];

/** Vitals measured now and then (a cuff, a thermometer): their points are joined across any gap. */
const SPARSE_VITALS: ReadonlySet<string> = new Set(['nibp', 'temp']);

interface Cell {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** uPlot's columns: x (epoch seconds, each point at its bucket's middle), then mean, min, max per code. */
export type TrendColumns = [number[], ...(number | null)[][]];

/**
 * One chart's points: the buckets of each of the spec's codes over a range. Loaded from the
 * aggregates, then extended by live readings newer than the newest bucket loaded (older ones may
 * already be counted in it), and trimmed to the range as time passes.
 */
export class TrendSeries {
  private readonly cells: Map<number, Cell>[];
  /** Per code: readings before this instant are in the loaded aggregates (or outside the range). */
  private readonly liveFromMs: number[];

  constructor(
    readonly spec: VitalSpec,
    readonly range: TrendRange,
    nowMs: number,
  ) {
    this.cells = spec.codes.map(() => new Map<number, Cell>());
    this.liveFromMs = spec.codes.map(() => nowMs - range.spanMs);
  }

  /** Adds the buckets of `code` read from the aggregates (merged into display buckets). */
  load(code: string, buckets: readonly ApiBucket[]): void {
    const i = this.spec.codes.indexOf(code);
    const cells = this.cells[i];
    if (cells === undefined) return;
    for (const b of buckets) {
      if (b.count === 0 || b.min === null || b.max === null || b.mean === null) continue;
      this.add(cells, b.startAt, b.count, b.mean * b.count, b.min, b.max);
      this.liveFromMs[i] = Math.max(this.liveFromMs[i] ?? -Infinity, b.startAt + this.range.bucketMs);
    }
  }

  /** Adds live readings of the spec's codes; answers whether any point changed. */
  addReadings(readings: readonly TrendReading[]): boolean {
    let changed = false;
    for (const r of readings) {
      const i = this.spec.codes.indexOf(r.code);
      const cells = this.cells[i];
      const atMs = Date.parse(r.observedAt);
      if (cells === undefined || Number.isNaN(atMs) || atMs < (this.liveFromMs[i] ?? Infinity)) continue;
      if (!Number.isFinite(r.value) || r.quality?.some((q) => EXCLUDED_QUALITY.includes(q)) === true) continue;
      this.add(cells, atMs, 1, r.value, r.value, r.value);
      changed = true;
    }
    return changed;
  }

  /** Drops the points that have left the range at `nowMs`. */
  trim(nowMs: number): void {
    const fromMs = this.displayStart(nowMs - this.range.spanMs);
    for (const cells of this.cells) for (const start of cells.keys()) if (start < fromMs) cells.delete(start);
  }

  /** Points with a value, whichever code. */
  get points(): number {
    return new Set(this.cells.flatMap((cells) => [...cells.keys()])).size;
  }

  /**
   * The chart's columns. A continuous vital's line breaks (a null point) where more than two
   * buckets and 10 s lack data: a gap in the recording must not be drawn as a value.
   */
  columns(): TrendColumns {
    const starts = [...new Set(this.cells.flatMap((cells) => [...cells.keys()]))].sort((a, b) => a - b);
    const bucketMs = this.range.displayBucketMs;
    const gapMs = SPARSE_VITALS.has(this.spec.key) ? Infinity : Math.max(2 * bucketMs, 10 * SECOND_MS);
    const xs: number[] = [];
    const rows: (Cell | undefined)[][] = [];
    let previous: number | undefined;
    for (const start of starts) {
      if (previous !== undefined && start - previous > gapMs) {
        xs.push((previous + bucketMs + bucketMs / 2) / 1000);
        rows.push(this.cells.map(() => undefined));
      }
      xs.push((start + bucketMs / 2) / 1000);
      rows.push(this.cells.map((cells) => cells.get(start)));
      previous = start;
    }
    const columns: TrendColumns = [xs];
    for (let i = 0; i < this.cells.length; i++) {
      const of = rows.map((row) => row[i]);
      columns.push(of.map((cell) => (cell === undefined ? null : cell.sum / cell.count)));
      columns.push(of.map((cell) => cell?.min ?? null));
      columns.push(of.map((cell) => cell?.max ?? null));
    }
    return columns;
  }

  private displayStart(atMs: number): number {
    return Math.floor(atMs / this.range.displayBucketMs) * this.range.displayBucketMs;
  }

  private add(cells: Map<number, Cell>, atMs: number, count: number, sum: number, min: number, max: number): void {
    const start = this.displayStart(atMs);
    const cell = cells.get(start);
    if (cell === undefined) {
      cells.set(start, { count, sum, min, max });
      return;
    }
    cell.count += count;
    cell.sum += sum;
    cell.min = Math.min(cell.min, min);
    cell.max = Math.max(cell.max, max);
  }
}

/** A reading as `…/readings/latest` and the live feed serve it (fields used here). */
export interface LatestReading {
  readonly code: string;
  readonly value: number;
  readonly unit: string;
  readonly observedAt: string;
}

interface Held {
  readonly value: number;
  readonly unit: string;
  readonly observedAtMs: number;
}

/**
 * The newest reading of each of a vital's codes, as its chart's caption shows it: the value with
 * its age, stale past its spec's `staleAfterMs` exactly as a ward tile shows it (a composite is as old as its
 * oldest part). A bucket mean carries no age, so a caption drawn from the chart went on showing a
 * monitor's last value as current after it stopped (issue 6, review defect 3).
 */
export class NewestValue {
  private readonly held = new Map<string, Held>();

  constructor(readonly spec: VitalSpec) {}

  /** Keeps the newest reading of each of the spec's codes; answers whether any changed. */
  apply(readings: readonly LatestReading[]): boolean {
    let changed = false;
    for (const r of readings) {
      if (!this.spec.codes.includes(r.code) || !Number.isFinite(r.value)) continue;
      const observedAtMs = Date.parse(r.observedAt);
      const held = this.held.get(r.code);
      if (Number.isNaN(observedAtMs) || (held !== undefined && held.observedAtMs >= observedAtMs)) continue;
      this.held.set(r.code, { value: r.value, unit: r.unit, observedAtMs });
      changed = true;
    }
    return changed;
  }

  /** The caption at `nowMs`: `missing` until every code of the spec has a reading. */
  view(nowMs: number): VitalView {
    const { key, label } = this.spec;
    const parts = this.spec.codes.map((code) => this.held.get(code));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return { key, label, kind: 'missing' };
    const present = parts as Held[];
    const observedAtMs = Math.min(...present.map((p) => p.observedAtMs));
    const ageMs = Math.max(0, nowMs - observedAtMs);
    return {
      key,
      label,
      kind: ageMs > this.spec.staleAfterMs ? 'stale' : 'current',
      text: present.map((p) => valueText(p.value)).join('/'),
      unit: unitLabel(present[0]?.unit ?? ''),
      observedAtMs,
      ageMs,
    };
  }
}

/** As a ward tile writes a value: whole numbers as they are, others to one decimal. */
function valueText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A value's age as a ward tile says it: `12 s`, or `stale · 2 min old`; empty when there is no value. */
export function ageText(view: VitalView): string {
  if (view.kind === 'missing') return '';
  return view.kind === 'stale' ? `stale · ${formatAge(view.ageMs)} old` : formatAge(view.ageMs);
}
