import {
  formatAge,
  STALE_AFTER_MS,
  WardModel,
  type AlarmView,
  type ApiAlarm,
  type ApiScore,
  type PatientView,
  type VitalView,
  type WardLatest,
} from '../../src/model/ward.js';
import { ApiError, getJson } from './api.js';
import { currentSession } from './auth.js';
import { dateTimeText, el, setBanner } from './dom.js';
import { LiveFeed } from './live-feed.js';
import { appLink, type StopView, type ViewContext } from './view.js';

/** How often ages are redrawn (a value turns stale between updates too). */
const TICK_MS = 1_000;
/**
 * Readings are drawn at most this often: a 64-bed ward sends 64 updates a second, and drawing each
 * at its own frame kept the browser's main thread busy (docs/BENCHMARKS.md, dashboard rendering).
 * An alarm is drawn at the next frame, never held back.
 */
const MIN_RENDER_INTERVAL_MS = 250;
/** How often the devices sending without a patient are read again (they have no live feed). */
const UNASSIGNED_POLL_MS = 15_000;
/** A device whose newest unassigned reading is older than this is not listed (long gone, or admitted since). */
const UNASSIGNED_RECENT_MS = 60 * 60_000;

/** `GET /api/v1/devices/unassigned`. */
interface UnassignedDevice {
  readonly deviceId: string;
  readonly readings: number;
  readonly lastObservedAt: string;
}

/**
 * Devices sending readings while bound to no patient: someone may be monitored whose admission is
 * missing. Their readings are kept under the device until a binding claims them.
 */
function unassignedSection(devices: readonly UnassignedDevice[], nowMs: number): HTMLElement[] {
  const recent = devices
    .map((d) => ({ ...d, atMs: Date.parse(d.lastObservedAt) }))
    .filter((d) => !Number.isNaN(d.atMs) && nowMs - d.atMs <= UNASSIGNED_RECENT_MS)
    .sort((a, b) => b.atMs - a.atMs);
  if (recent.length === 0) return [];
  return [
    el('h2', { class: 'unassigned-title' }, `Devices sending without a patient (${recent.length})`),
    el(
      'ul',
      { class: 'unassigned' },
      ...recent.map((d) => {
        const ageMs = Math.max(0, nowMs - d.atMs);
        const stale = ageMs > STALE_AFTER_MS;
        return el(
          'li',
          { class: stale ? 'unassigned-device stale' : 'unassigned-device', 'data-device-id': d.deviceId },
          el('span', { class: 'device-id' }, d.deviceId),
          el('span', {}, `${d.readings} readings kept under the device`),
          el('span', { class: 'age' }, `newest ${formatAge(ageMs)} old${stale ? ' · not sending' : ''}`),
        );
      }),
    ),
  ];
}

function vitalItem(vital: VitalView): HTMLLIElement {
  if (vital.kind === 'missing') {
    return el(
      'li',
      { class: 'vital vital-missing', 'data-vital': vital.key },
      el('span', { class: 'label' }, vital.label),
      el('span', { class: 'value' }, '—'),
    );
  }
  const stale = vital.kind === 'stale';
  return el(
    'li',
    {
      class: `vital vital-${vital.kind}`,
      'data-vital': vital.key,
      'data-observed-at': new Date(vital.observedAtMs).toISOString(),
      title: `observed ${dateTimeText(vital.observedAtMs)}`,
    },
    el('span', { class: 'label' }, vital.label),
    el('span', { class: 'value' }, vital.text),
    el('span', { class: 'unit' }, vital.unit),
    el('span', { class: 'age' }, stale ? `stale · ${formatAge(vital.ageMs)} old` : formatAge(vital.ageMs)),
  );
}

function news2Badge(patient: PatientView): HTMLSpanElement {
  const { news2 } = patient;
  if (news2 === undefined) return el('span', { class: 'news2 news2-none' }, 'NEWS2 —');
  const band = news2.band ?? 'partial';
  return el(
    'span',
    { class: `news2 news2-${band}`, 'data-news2': String(news2.value), title: `NEWS2 risk: ${band}` },
    `NEWS2 ${news2.value}${news2.complete ? '' : '*'}`,
  );
}

/** One open alarm: coloured (and flashing) by priority while active; technical ones labelled. */
function alarmItem(alarm: AlarmView): HTMLLIElement {
  const kind = alarm.state === 'active' ? `alarm-${alarm.priority}` : 'alarm-acknowledged';
  return el(
    'li',
    {
      class: `alarm ${kind}`,
      'data-alarm-id': alarm.id,
      'data-priority': alarm.priority,
      'data-state': alarm.state,
      title: `${alarm.priority} priority, raised ${dateTimeText(alarm.raisedAtMs)}`,
    },
    ...(alarm.technical ? [el('span', { class: 'alarm-tag' }, 'TECHNICAL')] : []),
    ...(alarm.state === 'acknowledged' ? [el('span', { class: 'alarm-tag' }, 'ACK')] : []),
    el('span', { class: 'alarm-message' }, alarm.message),
  );
}

/** The whole tile's state when no value is current: the monitor stopped sending, or has not yet. */
function dataNotice(patient: PatientView): HTMLElement[] {
  if (patient.data === 'current') return [];
  const text =
    patient.data === 'none'
      ? 'NO DATA YET'
      : `NO CURRENT DATA · newest value ${formatAge(patient.newestAgeMs ?? 0)} old`;
  return [el('p', { class: `data-notice data-${patient.data}`, role: 'status' }, text)];
}

/**
 * What a tile shows, as a string: equal strings draw the same tile, so an unchanged tile is not
 * rebuilt (ages count as their displayed text, not their milliseconds).
 */
function tileSignature(p: PatientView): string {
  return JSON.stringify([
    p.name,
    p.news2,
    p.alarmPriority,
    p.data,
    p.newestAgeMs === undefined ? null : formatAge(p.newestAgeMs),
    p.alarms.map((a) => [a.id, a.state, a.priority, a.message]),
    p.vitals.map((v) =>
      v.kind === 'missing' ? v.key : [v.key, v.kind, v.text, v.unit, v.observedAtMs, formatAge(v.ageMs)],
    ),
  ]);
}

/** Updates `tile` to show `patient`; its border shows the highest active alarm priority. */
function fillTile(tile: HTMLElement, patient: PatientView): void {
  const classes = ['tile'];
  if (patient.alarmPriority !== undefined) classes.push(`tile-alarm-${patient.alarmPriority}`);
  if (patient.data !== 'current') classes.push('tile-no-current-data');
  tile.className = classes.join(' ');
  tile.setAttribute('data-data', patient.data);
  if (patient.alarmPriority === undefined) tile.removeAttribute('data-alarm-priority');
  else tile.setAttribute('data-alarm-priority', patient.alarmPriority);
  tile.replaceChildren(
    el(
      'header',
      { class: 'tile-head' },
      el(
        'h2',
        { class: 'patient-name' },
        el('a', appLink(`/app/patients/${encodeURIComponent(patient.id)}`), patient.name),
      ),
      news2Badge(patient),
    ),
    ...dataNotice(patient),
    ...(patient.alarms.length === 0 ? [] : [el('ul', { class: 'alarms' }, ...patient.alarms.map(alarmItem))]),
    el('ul', { class: 'vitals' }, ...patient.vitals.map(vitalItem)),
  );
}

/**
 * The ward overview: one tile per patient of `ward` with the latest vitals (unit and age of each;
 * stale ones greyed), NEWS2, sickest first, kept current by the ward's live feed. Returns a function
 * that stops it.
 */
export function showWard(context: ViewContext, ward: string): StopView {
  const { main, session } = context;
  const model = new WardModel();
  const grid = el('section', { class: 'tiles', 'aria-live': 'polite' });
  const status = el('p', { class: 'status' }, 'Loading the ward…');
  const unassigned = el('section', { id: 'unassigned', 'aria-label': 'Devices without a patient' });
  let unassignedDevices: readonly UnassignedDevice[] = [];
  main.replaceChildren(el('h1', {}, `Ward ${ward}`), status, grid, unassigned);
  const tiles = new Map<string, { readonly tile: HTMLElement; signature: string }>();
  let loaded = false;

  /**
   * Draws the ward: each tile rebuilt only when what it shows changed, the order fixed only when it
   * changed. Called at most once per animation frame (see `schedule`), however many events arrive.
   */
  const render = () => {
    frame = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastRenderAt = performance.now();
    const views = model.view(Date.now());
    const shown = new Set(views.map((v) => v.id));
    for (const [id, held] of tiles) {
      if (!shown.has(id)) {
        held.tile.remove();
        tiles.delete(id);
      }
    }
    const ordered = views.map((view) => {
      let held = tiles.get(view.id);
      if (held === undefined) {
        held = { tile: el('article', { class: 'tile', 'data-patient-id': view.id }), signature: '' };
        tiles.set(view.id, held);
      }
      const signature = tileSignature(view);
      if (signature !== held.signature) {
        fillTile(held.tile, view);
        held.signature = signature;
      }
      return held.tile;
    });
    if (ordered.some((tile, i) => grid.children[i] !== tile)) grid.replaceChildren(...ordered);
    unassigned.replaceChildren(...unassignedSection(unassignedDevices, Date.now()));
    if (loaded) status.textContent = views.length === 0 ? `No patients on ward ${ward}.` : '';
  };
  let frame: number | undefined;
  let timer: number | undefined;
  let lastRenderAt = -Infinity;
  /**
   * Asks for a render: at the next animation frame when `urgent` (an alarm) or when the last render
   * is at least MIN_RENDER_INTERVAL_MS old, else when it will be. A burst of events draws once.
   */
  const schedule = (urgent = false) => {
    if (frame !== undefined) return;
    const waitMs = urgent ? 0 : lastRenderAt + MIN_RENDER_INTERVAL_MS - performance.now();
    if (waitMs <= 0) frame = requestAnimationFrame(render);
    else
      timer ??= window.setTimeout(() => {
        timer = undefined;
        frame ??= requestAnimationFrame(render);
      }, waitMs);
  };

  /** Alarm events received while a load runs: applied again after its (possibly older) list. */
  let duringLoad: ApiAlarm[] | undefined;
  const load = async () => {
    duringLoad = [];
    try {
      const path = `/api/v1/wards/${encodeURIComponent(ward)}/latest`;
      model.setLatest(await getJson<WardLatest>(session, path));
      const scores = await Promise.all(
        model.patientIds.map((id) =>
          getJson<{ scores: ApiScore[] }>(session, `/api/v1/patients/${encodeURIComponent(id)}/scores`).then(
            (body) => body.scores,
            () => [], // Scores are optional (no clinical service, or none yet): the tile shows "NEWS2 —".
          ),
        ),
      );
      for (const score of scores.flat()) model.applyScore(score);
      // Alarms are optional too (no clinical service): the tiles then show none.
      const open = await getJson<{ alarms: ApiAlarm[] }>(session, '/api/v1/alarms?open=true&limit=1000').then(
        (body) => body.alarms,
        () => undefined,
      );
      if (open !== undefined) model.setAlarms(open);
      for (const alarm of duringLoad) model.applyAlarm(alarm);
      loaded = true;
      schedule();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) context.onSessionEnded();
      else setBanner(`The ward cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      duringLoad = undefined;
    }
  };

  let opened = false;
  const feed = new LiveFeed(
    () => {
      const current = currentSession();
      return current === undefined
        ? undefined
        : `/api/v1/wards/${encodeURIComponent(ward)}/live?access_token=${encodeURIComponent(current.token)}`;
    },
    {
      onOpen: () => {
        setBanner(undefined);
        // After a reconnect, re-read what may have changed while the feed was down.
        if (opened) void load();
        opened = true;
      },
      onLost: () => setBanner('Live connection lost: reconnecting… Values may be out of date.'),
      onSessionEnded: () => context.onSessionEnded(),
      onReadings: (readings) => {
        model.applyReadings(readings);
        schedule();
      },
      onScore: (score) => {
        model.applyScore(score);
        schedule();
      },
      onAlarm: (alarm) => {
        duringLoad?.push(alarm);
        model.applyAlarm(alarm);
        schedule(true);
      },
    },
  );
  const readUnassigned = () => {
    getJson<{ devices: UnassignedDevice[] }>(session, '/api/v1/devices/unassigned').then(
      (body) => {
        unassignedDevices = body.devices;
        schedule();
      },
      () => undefined, // Shown when readable; the tiles do not depend on it.
    );
  };
  void load();
  readUnassigned();
  feed.start();
  const tick = window.setInterval(() => schedule(), TICK_MS);
  const poll = window.setInterval(readUnassigned, UNASSIGNED_POLL_MS);
  return () => {
    clearInterval(tick);
    clearInterval(poll);
    if (frame !== undefined) cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
    feed.close();
  };
}
