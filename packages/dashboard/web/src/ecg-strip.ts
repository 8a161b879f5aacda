import {
  chooseEcgCode,
  ECG_PAPER,
  ecgStrip,
  ecgSummary,
  paperPoint,
  stripBaseline,
  type ApiEcgWindow,
  type ApiWaveform,
  type EcgStrip,
} from '../../src/model/ecg-strip.js';
import { getJson } from './api.js';
import type { Session } from './auth.js';
import { el } from './dom.js';

/** The strip is read again this often (the patient's feed is opened without waveforms: see patient-view.ts). */
const REFRESH_MS = 2_000;
/** Read a little more than the strip, so a segment still in flight leaves no hole at its start. */
const READ_MS = ECG_PAPER.durationMs + 5_000;
/** The ECG analysis is one window per 5 s: read the last minute's, show the newest. */
const ANALYSIS_MS = 60_000;

const PAPER = '#140b0d';
const GRID_SMALL = '#3a1c22';
const GRID_LARGE = '#6e2a35';
const TRACE = '#00e676';
const LEAD_NAMES: Readonly<Record<string, string>> = { MDC_ECG_ELEC_POTL_I: 'I', MDC_ECG_ELEC_POTL_II: 'II' };

function leadName(code: string): string {
  return LEAD_NAMES[code] ?? code.replace('MDC_ECG_ELEC_POTL_', '');
}

/**
 * The last 10 s of the patient's ECG (lead II, else the first lead) from one device at full
 * resolution on ECG paper (1 mm and 5 mm squares; 25 mm/s, 10 mm/mV, said on the strip, with the
 * device), read again every 2 s; with the newest ECG analysis (heart rate, signal quality, HRV) and
 * the open rhythm alarms. The canvas carries `data-samples` (the samples drawn) and `data-device`.
 */
export class EcgPanel {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { class: 'ecg-canvas', 'data-samples': '0' });
  private readonly caption = el('p', { class: 'ecg-caption' });
  private readonly analysis = el('p', { class: 'ecg-analysis' });
  private readonly flags = el('ul', { class: 'ecg-flags' });
  private readonly status = el('p', { class: 'status' }, 'Reading the ECG…');
  private code: string | undefined;
  private strip: EcgStrip | undefined;
  private timer: number | undefined;
  private stopped = false;
  private readonly resize = new ResizeObserver(() => this.paint());

  constructor(
    private readonly session: Session,
    private readonly patientId: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.canvas.hidden = true;
    this.element = el(
      'section',
      { class: 'ecg', 'aria-label': 'ECG' },
      el('h2', {}, 'ECG'),
      this.status,
      this.canvas,
      this.caption,
      this.analysis,
      this.flags,
    );
    this.resize.observe(this.element);
  }

  start(): void {
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.resize.disconnect();
  }

  /** The messages of the open ECG rhythm alarms (from the alarm history). */
  setRhythmFlags(messages: readonly string[]): void {
    this.flags.replaceChildren(
      ...(messages.length === 0
        ? [el('li', { class: 'ecg-flag-none' }, 'No rhythm alarm open.')]
        : messages.map((m) => el('li', { class: 'ecg-flag' }, m))),
    );
  }

  private async refresh(): Promise<void> {
    const base = `/api/v1/patients/${encodeURIComponent(this.patientId)}`;
    const nowMs = Date.now();
    try {
      const query = new URLSearchParams({ from: new Date(nowMs - READ_MS).toISOString() });
      if (this.code !== undefined) query.set('code', this.code);
      // No `points`: every sample, full resolution.
      const body = await getJson<{ waveforms: ApiWaveform[] }>(this.session, `${base}/waveforms?${query.toString()}`);
      this.code ??= chooseEcgCode(body.waveforms.map((w) => w.code));
      this.strip =
        this.code === undefined
          ? undefined
          : ecgStrip(body.waveforms, this.code, { keepDeviceId: this.strip?.deviceId });
      const ecg = await getJson<{ latest: ApiEcgWindow | null }>(
        this.session,
        `${base}/ecg?from=${encodeURIComponent(new Date(nowMs - ANALYSIS_MS).toISOString())}`,
      ).catch(() => ({ latest: null })); // The analysis is optional (no clinical service): the strip stands alone.
      if (this.stopped) return;
      this.show(body.waveforms.length > 0, ecg.latest);
    } catch (err) {
      if (this.stopped) return;
      this.onError(err);
    }
    this.timer = window.setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  private show(anyWaveform: boolean, latest: ApiEcgWindow | null): void {
    const { strip } = this;
    if (strip === undefined) {
      this.code = undefined; // Look for a lead again next time (a monitor may be connected later).
      this.canvas.hidden = true;
      this.canvas.setAttribute('data-samples', '0');
      this.canvas.removeAttribute('data-device');
      this.caption.textContent = '';
      this.status.hidden = false;
      this.status.textContent = anyWaveform
        ? 'No ECG waveform from this patient’s devices (other waveforms only).'
        : 'No waveform from this patient’s devices.';
    } else {
      this.status.hidden = true;
      this.canvas.hidden = false;
      this.canvas.setAttribute('data-samples', String(strip.drawn));
      this.canvas.setAttribute('data-code', strip.code);
      this.canvas.setAttribute('data-device', strip.deviceId);
      this.canvas.setAttribute(
        'aria-label',
        `ECG lead ${leadName(strip.code)} from device ${strip.deviceId}, last 10 seconds`,
      );
      this.caption.textContent =
        `Lead ${leadName(strip.code)} · device ${strip.deviceId} · 25 mm/s · 10 mm/mV · ${strip.fsHz} Hz · ` +
        `to ${new Date(strip.endAt).toLocaleTimeString()}`;
    }
    this.analysis.textContent =
      latest === null ? 'No ECG analysis in the last minute.' : ecgSummary(latest).join(' · ');
    this.paint();
  }

  /** Paper and trace, at the canvas's CSS width (the paper's 250 mm fill it) and the screen's pixel ratio. */
  private paint(): void {
    const { strip, canvas } = this;
    if (strip === undefined || canvas.hidden) return;
    const cssWidth = canvas.clientWidth || this.element.clientWidth;
    if (cssWidth === 0) return;
    const pxPerMm = cssWidth / ECG_PAPER.widthMm;
    const cssHeight = ECG_PAPER.heightMm * pxPerMm;
    const ratio = window.devicePixelRatio || 1;
    canvas.style.height = `${cssHeight}px`;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio * pxPerMm, 0, 0, ratio * pxPerMm, 0, 0); // Drawing units: mm of paper.
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, ECG_PAPER.widthMm, ECG_PAPER.heightMm);
    const grid = (stepMm: number, colour: string, widthPx: number) => {
      ctx.beginPath();
      for (let x = 0; x <= ECG_PAPER.widthMm; x += stepMm) {
        ctx.moveTo(x, 0);
        ctx.lineTo(x, ECG_PAPER.heightMm);
      }
      for (let y = 0; y <= ECG_PAPER.heightMm; y += stepMm) {
        ctx.moveTo(0, y);
        ctx.lineTo(ECG_PAPER.widthMm, y);
      }
      ctx.strokeStyle = colour;
      ctx.lineWidth = widthPx / pxPerMm;
      ctx.stroke();
    };
    grid(1, GRID_SMALL, 1);
    grid(5, GRID_LARGE, 1.5);
    const baseline = stripBaseline(strip.samples);
    ctx.beginPath();
    let drawing = false;
    for (let k = 0; k < strip.samples.length; k++) {
      const { xMm, yMm } = paperPoint(strip, k, baseline);
      if (Number.isNaN(yMm)) {
        drawing = false;
        continue;
      }
      if (drawing) ctx.lineTo(xMm, yMm);
      else ctx.moveTo(xMm, yMm);
      drawing = true;
    }
    ctx.strokeStyle = TRACE;
    ctx.lineWidth = 1.6 / pxPerMm;
    ctx.lineJoin = 'round';
    ctx.stroke();
    ctx.fillStyle = '#f2f5f8';
    ctx.font = '3px system-ui, sans-serif';
    ctx.fillText(`${leadName(strip.code)}   ${strip.deviceId}   25 mm/s   10 mm/mV`, 2, 4);
  }
}
