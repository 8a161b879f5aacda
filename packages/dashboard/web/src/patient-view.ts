import {
  AlarmHistory,
  isRefusal,
  News2History,
  type ApiAlarmRecord,
  type ApiPatient,
  type ApiScoreRecord,
} from '../../src/model/patient.js';
import { readNews2History, type News2Read } from '../../src/model/patient-news2.js';
import { ApiError, getJson } from './api.js';
import { currentSession } from './auth.js';
import { ChartingPanel } from './charting-form.js';
import { el, setBanner } from './dom.js';
import { EcgPanel } from './ecg-strip.js';
import { LiveFeed } from './live-feed.js';
import { alarmTable, HISTORY_ROWS, news2Badge, news2Table } from './patient-history.js';
import { PatientTrends } from './patient-trends.js';
import { appLink, type StopView, type ViewContext } from './view.js';

const ALARM_LIMIT = 200;
export const REFUSAL = 'You may not see this patient.';

/** The last 6 h of NEWS2 through `GET …/scores/news2`, newest first (see model/patient-news2.ts). */
function readNews2(context: ViewContext, base: string, nowMs: number): Promise<News2Read> {
  return readNews2History(async (fromMs, toMs, limit) => {
    const query = new URLSearchParams({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      limit: String(limit),
    });
    const body = await getJson<{ scores: ApiScoreRecord[] }>(
      context.session,
      `${base}/scores/news2?${query.toString()}`,
    );
    return body.scores;
  }, nowMs);
}

/**
 * One patient: header (name, id, ward, bound devices, current NEWS2), trends, ECG strip, NEWS2
 * history with sub-scores, alarm history and charting, kept current by the patient's live feed. A
 * patient the API refuses (another ward's, or none) shows only the refusal. Returns a function that
 * stops it.
 */
export function showPatient(context: ViewContext, patientId: string): StopView {
  const { main, session } = context;
  const base = `/api/v1/patients/${encodeURIComponent(patientId)}`;
  const status = el('p', { class: 'status' }, 'Loading the patient…');
  main.replaceChildren(status);
  const stops: (() => void)[] = [];
  let stopped = false;

  const failed = (err: unknown) => {
    if (stopped) return;
    if (err instanceof ApiError && err.status === 401) context.onSessionEnded();
    else setBanner(`The patient cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  };

  const start = (patient: ApiPatient) => {
    const badge = el('span', { class: 'patient-news2' }, news2Badge(undefined));
    const ward = patient.wardId;
    main.replaceChildren(
      el(
        'header',
        { class: 'patient-head', 'data-patient-id': patient.id },
        el('h1', {}, patient.displayName ?? patient.id, badge),
        el(
          'p',
          { class: 'patient-meta' },
          `ID ${patient.id} · `,
          ward === null
            ? 'no ward'
            : el('a', { ...appLink(`/app/wards/${encodeURIComponent(ward)}`), class: 'back' }, `← Ward ${ward}`),
          ` · ${patient.devices.length === 0 ? 'no device bound' : `bound: ${patient.devices.join(', ')}`}`,
        ),
      ),
    );
    const trends = new PatientTrends(session, patientId, failed);
    const ecg = new EcgPanel(session, patientId, failed);
    const charting = new ChartingPanel(session, patientId, failed);
    const news2 = new News2History();
    const alarms = new AlarmHistory(patientId);
    const news2Box = el('div', { class: 'history-box' }, el('p', { class: 'status' }, 'Loading…'));
    const alarmBox = el('div', { class: 'history-box' }, el('p', { class: 'status' }, 'Loading…'));
    main.append(
      trends.element,
      ecg.element,
      el(
        'div',
        { class: 'patient-columns' },
        el(
          'section',
          { class: 'news2-section', 'aria-label': 'NEWS2 history' },
          el('h2', {}, 'NEWS2, last 6 h'),
          news2Box,
        ),
        el(
          'div',
          {},
          el('section', { class: 'alarm-section', 'aria-label': 'Alarm history' }, el('h2', {}, 'Alarms'), alarmBox),
          charting.element,
        ),
      ),
    );
    stops.push(
      () => trends.stop(),
      () => ecg.stop(),
      () => charting.stop(),
    );
    let latestNews2: ApiScoreRecord | undefined;
    /** Scores before this instant were left unread (too many); undefined: the last 6 h were read whole. */
    let notReadBeforeMs: number | undefined;
    const renderNews2 = () => {
      // The header shows the newest NEWS2 known, from the history or from `…/scores`.
      const latest = news2.latest;
      const fromScores = latestNews2 === undefined ? Number.NaN : Date.parse(latestNews2.at);
      badge.replaceChildren(news2Badge(latest === undefined || fromScores > latest.atMs ? latestNews2 : latest));
      news2Box.replaceChildren(news2Table(news2.rows(HISTORY_ROWS), notReadBeforeMs));
    };
    const renderAlarms = () => {
      alarmBox.replaceChildren(alarmTable(alarms.rows(HISTORY_ROWS)));
      ecg.setRhythmFlags(alarms.rhythmFlags());
    };

    /** Scores and alarms are optional (no clinical service answers 404): their sections say so. */
    const loadClinical = async () => {
      const nowMs = Date.now();
      const [history, latest, listed] = await Promise.all([
        readNews2(context, base, nowMs).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
        getJson<{ scores: ApiScoreRecord[] }>(session, `${base}/scores`).catch(() => ({ scores: [] })),
        getJson<{ alarms: ApiAlarmRecord[] }>(
          session,
          // The patient's own route: a break-glass grant opens it, never the filtered alarm list.
          `${base}/alarms?limit=${ALARM_LIMIT}`,
        ).then(
          (body) => body.alarms,
          (err: unknown) => err,
        ),
      ]);
      if (stopped) return;
      latestNews2 = latest.scores.find((s) => s.score === 'news2');
      if (!(history instanceof Error)) {
        news2.add(history.scores);
        notReadBeforeMs = history.truncated ? history.readFromMs : undefined;
        renderNews2();
      } else if (history instanceof ApiError && history.status === 401) failed(history);
      else news2Box.replaceChildren(el('p', { class: 'status' }, 'NEWS2 is not available.'));
      if (Array.isArray(listed)) {
        alarms.apply(listed);
        renderAlarms();
      } else if (listed instanceof ApiError && listed.status === 401) failed(listed);
      else alarmBox.replaceChildren(el('p', { class: 'status' }, 'Alarms are not available.'));
    };
    const loadAll = () => {
      void trends.load();
      void trends.loadLatest();
      void loadClinical();
      void charting.load();
    };

    let opened = false;
    const feed = new LiveFeed(
      () => {
        const current = currentSession();
        // Waveforms off: the strip re-reads its last seconds itself (ecg-strip.ts).
        return current === undefined
          ? undefined
          : `${base}/live?waveforms=false&access_token=${encodeURIComponent(current.token)}`;
      },
      {
        onOpen: () => {
          setBanner(undefined);
          if (opened) loadAll(); // Re-read what may have been missed while the feed was down.
          opened = true;
        },
        onLost: () => setBanner('Live connection lost: reconnecting… Values may be out of date.'),
        onSessionEnded: () => context.onSessionEnded(),
        onReadings: (readings) => trends.addReadings(readings),
        onScore: (score) => {
          if (news2.add([score as ApiScoreRecord])) renderNews2();
        },
        onAlarm: (alarm) => {
          if (alarms.apply([alarm as unknown as ApiAlarmRecord])) renderAlarms();
        },
      },
    );
    stops.push(() => feed.close());
    loadAll();
    ecg.start();
    feed.start();
  };

  getJson<ApiPatient>(session, base).then(
    (patient) => {
      if (!stopped) start(patient);
    },
    (err: unknown) => {
      if (stopped) return;
      if (err instanceof ApiError && isRefusal(err.status)) {
        main.replaceChildren(el('p', { class: 'status refusal', role: 'alert' }, REFUSAL));
      } else {
        status.textContent = 'The patient cannot be shown.';
        failed(err);
      }
    },
  );

  return () => {
    stopped = true;
    for (const stop of stops) stop();
  };
}
