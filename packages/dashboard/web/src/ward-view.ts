import {
  formatAge,
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
import { el, setBanner } from './dom.js';
import { LiveFeed } from './live-feed.js';
import { appLink, type StopView, type ViewContext } from './view.js';

/** How often ages are redrawn (a value turns stale between updates too). */
const TICK_MS = 1_000;


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
      title: `observed ${new Date(vital.observedAtMs).toLocaleString()}`,
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
      title: `${alarm.priority} priority, raised ${new Date(alarm.raisedAtMs).toLocaleString()}`,
    },
    ...(alarm.technical ? [el('span', { class: 'alarm-tag' }, 'TECHNICAL')] : []),
    ...(alarm.state === 'acknowledged' ? [el('span', { class: 'alarm-tag' }, 'ACK')] : []),
    el('span', { class: 'alarm-message' }, alarm.message),
  );
}

/** Updates `tile` to show `patient`; its border shows the highest active alarm priority. */
function fillTile(tile: HTMLElement, patient: PatientView): void {
  tile.className = patient.alarmPriority === undefined ? 'tile' : `tile tile-alarm-${patient.alarmPriority}`;
  if (patient.alarmPriority === undefined) tile.removeAttribute('data-alarm-priority');
  else tile.setAttribute('data-alarm-priority', patient.alarmPriority);
  tile.replaceChildren(
    el('header', { class: 'tile-head' }, el(
      'h2',
      { class: 'patient-name' },
      el('a', appLink(`/app/patients/${encodeURIComponent(patient.id)}`), patient.name),
    ), news2Badge(patient)),
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
  main.replaceChildren(el('h1', {}, `Ward ${ward}`), status, grid);
  const tiles = new Map<string, HTMLElement>();
  let loaded = false;

  const render = () => {
    const views = model.view(Date.now());
    for (const [id, tile] of tiles) {
      if (!views.some((v) => v.id === id)) {
        tile.remove();
        tiles.delete(id);
      }
    }
    const ordered = views.map((view) => {
      let tile = tiles.get(view.id);
      if (tile === undefined) {
        tile = el('article', { class: 'tile', 'data-patient-id': view.id });
        tiles.set(view.id, tile);
      }
      fillTile(tile, view);
      return tile;
    });
    if (ordered.some((tile, i) => grid.children[i] !== tile)) grid.replaceChildren(...ordered);
    if (loaded) status.textContent = views.length === 0 ? `No patients on ward ${ward}.` : '';
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
      render();
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
        render();
      },
      onScore: (score) => {
        model.applyScore(score);
        render();
      },
      onAlarm: (alarm) => {
        duringLoad?.push(alarm);
        model.applyAlarm(alarm);
        render();
      },
    },
  );
  void load();
  feed.start();
  const tick = window.setInterval(render, TICK_MS);
  return () => {
    clearInterval(tick);
    feed.close();
  };
}
