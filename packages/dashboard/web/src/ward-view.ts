import {
  formatAge,
  STALE_AFTER_MS,
  WardModel,
  type ApiAlarm,
  type ApiScore,
  type WardLatest,
} from '../../src/model/ward.js';
import { ApiError, getJson } from './api.js';
import { currentSession } from './auth.js';
import { el, setBanner } from './dom.js';
import { LiveFeed } from './live-feed.js';
import type { StopView, ViewContext } from './view.js';
import { WardTile } from './ward-tile.js';

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
  const tiles = new Map<string, WardTile>();
  let loaded = false;

  /**
   * Draws the ward: each tile updated in place (only what changed), the order fixed only when it
   * changed. Called at most once per animation frame (see `schedule`), however many events arrive.
   */
  const render = () => {
    frame = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastRenderAt = performance.now();
    const views = model.view(Date.now());
    const shown = new Set(views.map((v) => v.id));
    for (const [id, tile] of tiles) {
      if (!shown.has(id)) {
        tile.element.remove();
        tiles.delete(id);
      }
    }
    const ordered = views.map((view) => {
      let tile = tiles.get(view.id);
      if (tile === undefined) {
        tile = new WardTile(view.id);
        tiles.set(view.id, tile);
      }
      tile.show(view);
      return tile.element;
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

  /** Set when the feed failed (also before it ever opened): its next open re-reads the ward. */
  let missed = false;
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
        if (missed) void load();
        missed = false;
      },
      onLost: () => {
        missed = true;
        setBanner('Live connection lost: reconnecting… Values may be out of date.');
      },
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
