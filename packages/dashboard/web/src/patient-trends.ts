import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {
  aggregatesQuery,
  ageText,
  DEFAULT_TREND_RANGE,
  NewestValue,
  TREND_RANGES,
  trendRange,
  TrendSeries,
  type ApiBucket,
  type LatestReading,
  type TrendRange,
  type TrendReading,
} from '../../src/model/patient-trend.js';
import { VITAL_SPECS, type VitalSpec } from '../../src/model/ward.js';
import { getJson } from './api.js';
import type { Session } from './auth.js';
import { dateTimeText, el } from './dom.js';

/** Monitor colours per vital (HR green, SpO₂ cyan, RR yellow, …), and NIBP's second code. */
const COLOURS: Readonly<Record<string, readonly string[]>> = {
  hr: ['#00e676'],
  spo2: ['#00d7e0'],
  rr: ['#ffd400'],
  nibp: ['#ff5252', '#ff9e80'],
  temp: ['#ffab40'],
  pulse: ['#40c4ff'],
};
const AXIS = { stroke: '#8a96a6', grid: { stroke: '#263040', width: 1 }, ticks: { stroke: '#263040', width: 1 } };
const CHART_HEIGHT_PX = 150;
/** The charts slide with time and drop what leaves the range, and the captions' ages move on, this often. */
const TICK_MS = 1_000;

/** `#rrggbb` with an alpha: the min/max band under the mean line. */
function translucent(hex: string): string {
  return `${hex}33`;
}

/** Points uPlot holds with a value in some series (a gap's null point is none). */
function plottedPoints(data: uPlot.AlignedData): number {
  const [xs, ...ys] = data;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (ys.some((y) => y[i] !== null && y[i] !== undefined)) n++;
  return n;
}

/** A chart's caption: the newest reading's value, unit and age (the ward tiles' way of showing them). */
interface Caption {
  readonly box: HTMLElement;
  readonly value: HTMLElement;
  readonly unit: HTMLElement;
  readonly age: HTMLElement;
}

interface Chart {
  readonly spec: VitalSpec;
  readonly figure: HTMLElement;
  readonly plotBox: HTMLElement;
  readonly caption: Caption;
  readonly newest: NewestValue;
  series: TrendSeries;
  plot: uPlot | undefined;
}

/** Sets `node`'s text only when it differs (the captions are redrawn every second). */
function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Shows `newest` at `nowMs`: struck through and labelled stale past the limit, `—` when there is none. */
function showCaption(caption: Caption, newest: NewestValue, nowMs: number): void {
  const view = newest.view(nowMs);
  const kind = `trend-latest trend-latest-${view.kind}`;
  if (caption.box.className !== kind) caption.box.className = kind;
  setText(caption.value, view.kind === 'missing' ? '—' : view.text);
  setText(caption.unit, view.kind === 'missing' ? '' : view.unit);
  setText(caption.age, ageText(view));
  const observed = view.kind === 'missing' ? undefined : new Date(view.observedAtMs).toISOString();
  if (caption.box.getAttribute('data-observed-at') !== (observed ?? null)) {
    if (observed === undefined) {
      caption.box.removeAttribute('data-observed-at');
      caption.box.removeAttribute('title');
    } else {
      caption.box.setAttribute('data-observed-at', observed);
      caption.box.setAttribute('title', `newest reading, observed ${dateTimeText(Date.parse(observed))}`);
    }
  }
}

/** The unit of a code as the aggregates named it, as a clinician reads it. */
function unitText(unit: string | undefined): string {
  return ({ 'mm[Hg]': 'mmHg', Cel: '°C' } as Readonly<Record<string, string>>)[unit ?? ''] ?? unit ?? '';
}

/**
 * One uPlot chart per vital (mean line, min/max band) over a chosen range read from the bucketed
 * aggregates, extended by live readings without a reload. Each chart's figure carries
 * `data-range`, `data-bucket` and `data-points` (the points uPlot holds) once its data is drawn.
 * Each caption shows the vital's newest reading (`…/readings/latest`, then the live feed) with its
 * age, stale past STALE_AFTER_MS as on the ward tiles, never a bucket mean of unknown age.
 */
export class PatientTrends {
  readonly element: HTMLElement;
  private range: TrendRange = trendRange(DEFAULT_TREND_RANGE);
  private readonly charts: Chart[];
  private readonly buttons: HTMLButtonElement[];
  /** Readings that arrive while a load runs: added after it (the load replaces the series). */
  private duringLoad: TrendReading[] | undefined;
  private generation = 0;
  private dirty = false;
  private frame: number | undefined;
  private readonly tick: number;
  private readonly resize: ResizeObserver;

  constructor(
    private readonly session: Session,
    private readonly patientId: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.buttons = TREND_RANGES.map((r) => {
      const button = el('button', { type: 'button', 'data-range-option': r.key, 'aria-pressed': 'false' }, r.label);
      button.addEventListener('click', () => {
        this.range = r;
        void this.load();
      });
      return button;
    });
    this.charts = VITAL_SPECS.map((spec) => {
      const caption: Caption = {
        value: el('span', { class: 'trend-value' }, '—'),
        unit: el('span', { class: 'trend-unit' }),
        age: el('span', { class: 'trend-age' }),
        box: el('span', { class: 'trend-latest trend-latest-missing' }),
      };
      caption.box.append(caption.value, caption.unit, caption.age);
      const plotBox = el('div', { class: 'trend-plot' });
      const figure = el(
        'figure',
        { class: 'trend', 'data-vital': spec.key },
        el('figcaption', {}, el('span', { class: 'trend-label' }, spec.label), caption.box),
        plotBox,
      );
      const series = new TrendSeries(spec, this.range, Date.now());
      return { spec, figure, plotBox, caption, newest: new NewestValue(spec), series, plot: undefined };
    });
    this.element = el(
      'section',
      { class: 'trends', 'aria-label': 'Trends' },
      el(
        'div',
        { class: 'trend-head' },
        el('h2', {}, 'Trends'),
        el('div', { class: 'range-picker', role: 'group', 'aria-label': 'Time range' }, ...this.buttons),
      ),
      el('div', { class: 'trend-grid' }, ...this.charts.map((c) => c.figure)),
    );
    this.tick = window.setInterval(() => {
      const nowMs = Date.now();
      for (const chart of this.charts) {
        chart.series.trim(nowMs);
        showCaption(chart.caption, chart.newest, nowMs);
      }
      this.markDirty();
    }, TICK_MS);
    this.resize = new ResizeObserver(() => {
      for (const c of this.charts) c.plot?.setSize({ width: this.widthOf(c), height: CHART_HEIGHT_PX });
    });
    for (const c of this.charts) this.resize.observe(c.plotBox);
  }

  /** (Re)reads the aggregates of the chosen range for every chart. */
  async load(): Promise<void> {
    const range = this.range;
    const generation = ++this.generation;
    for (const b of this.buttons) b.setAttribute('aria-pressed', String(b.dataset['rangeOption'] === range.key));
    this.element.setAttribute('aria-busy', 'true');
    this.duringLoad = [];
    const nowMs = Date.now();
    try {
      const loaded = await Promise.all(
        this.charts.map(async (chart) => {
          const series = new TrendSeries(chart.spec, range, nowMs);
          let unit: string | undefined;
          for (const code of chart.spec.codes) {
            const path = `/api/v1/patients/${encodeURIComponent(this.patientId)}/readings/aggregates?${aggregatesQuery(code, range, nowMs)}`;
            const body = await getJson<{ unit?: string; buckets: ApiBucket[] }>(this.session, path);
            series.load(code, body.buckets);
            unit ??= body.unit;
          }
          return { chart, series, unit };
        }),
      );
      if (generation !== this.generation) return;
      for (const { chart, series, unit } of loaded) {
        series.addReadings(this.duringLoad);
        chart.series = series;
        chart.figure.setAttribute('data-unit', unitText(unit));
        this.draw(chart, true);
      }
      this.duringLoad = undefined;
      this.element.setAttribute('data-range', range.key);
    } catch (err) {
      if (generation === this.generation) this.onError(err);
    } finally {
      if (generation === this.generation) this.element.removeAttribute('aria-busy');
    }
  }

  /**
   * (Re)reads each vital's newest reading (`…/readings/latest`) for the captions: at the start and
   * after the live feed reconnects (what it missed meanwhile).
   */
  async loadLatest(): Promise<void> {
    try {
      const path = `/api/v1/patients/${encodeURIComponent(this.patientId)}/readings/latest`;
      const body = await getJson<{ readings: LatestReading[] }>(this.session, path);
      this.applyNewest(body.readings);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Live readings of the patient: extend the charts and move the captions on. */
  addReadings(readings: readonly (TrendReading & LatestReading)[]): void {
    this.duringLoad?.push(...readings);
    let changed = false;
    for (const chart of this.charts) changed = chart.series.addReadings(readings) || changed;
    if (changed) this.markDirty();
    this.applyNewest(readings);
  }

  stop(): void {
    this.generation++;
    clearInterval(this.tick);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    for (const c of this.charts) c.plot?.destroy();
  }

  private applyNewest(readings: readonly LatestReading[]): void {
    const nowMs = Date.now();
    for (const chart of this.charts) {
      if (chart.newest.apply(readings)) showCaption(chart.caption, chart.newest, nowMs);
    }
  }

  private markDirty(): void {
    this.dirty = true;
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      if (!this.dirty) return;
      this.dirty = false;
      for (const chart of this.charts) this.draw(chart, false);
    });
  }

  private widthOf(chart: Chart): number {
    return Math.max(240, chart.plotBox.clientWidth);
  }

  /** Draws `chart`'s series; `rebuilt`: a new range (or first data), so the plot is made anew. */
  private draw(chart: Chart, rebuilt: boolean): void {
    const { series, figure } = chart;
    const columns = series.columns();
    if (rebuilt || chart.plot === undefined) {
      chart.plot?.destroy();
      chart.plot = new uPlot(this.options(chart, series.range.spanMs), columns, chart.plotBox);
    } else {
      chart.plot.setData(columns);
    }
    figure.setAttribute('data-range', series.range.key);
    figure.setAttribute('data-bucket', series.range.bucket);
    figure.setAttribute('data-points', String(plottedPoints(chart.plot.data)));
  }

  /** The x scale always shows the whole range up to now, whatever data there is. */
  private options(chart: Chart, spanMs: number): uPlot.Options {
    const colours = COLOURS[chart.spec.key] ?? ['#f2f5f8'];
    const sparse = chart.spec.key === 'nibp' || chart.spec.key === 'temp';
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    chart.spec.codes.forEach((code, i) => {
      const colour = colours[i] ?? colours[0] ?? '#f2f5f8';
      series.push(
        { label: code, stroke: colour, width: 2, points: { show: sparse, size: 5, fill: colour } },
        { label: `${code} min`, stroke: 'transparent', width: 0, points: { show: false } },
        { label: `${code} max`, stroke: 'transparent', width: 0, points: { show: false } },
      );
      bands.push({ series: [3 + 3 * i, 2 + 3 * i], fill: translucent(colour) });
    });
    return {
      width: this.widthOf(chart),
      height: CHART_HEIGHT_PX,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          range: (): [number, number] => [(Date.now() - spanMs) / 1000, Date.now() / 1000],
        },
        // One value (a single cuff reading) would otherwise stretch the axis to zero and beyond.
        y: {
          range: (_u, min, max) =>
            min === max
              ? [min - Math.max(1, Math.abs(min) * 0.05), max + Math.max(1, Math.abs(max) * 0.05)]
              : uPlot.rangeNum(min, max, 0.1, true),
        },
      },
      axes: [AXIS, { ...AXIS, size: 48 }],
      series,
      bands,
    };
  }
}
