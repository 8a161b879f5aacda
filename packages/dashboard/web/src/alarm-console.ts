import {
  AlarmConsoleModel,
  type AlarmAction,
  type ConsoleApiAlarm,
  type ConsoleRow,
} from '../../src/model/alarm-console.js';
import { ApiError, getJson, postJson } from './api.js';
import { currentSession } from './auth.js';
import { dateTimeText, el, setBanner } from './dom.js';
import { LiveFeed } from './live-feed.js';
import { appLink, type StopView, type ViewContext } from './view.js';

/** How often ages are redrawn. */
const TICK_MS = 1_000;

/** Silence durations offered; the engine's policy caps them (the API names the cap when exceeded). */
const SILENCE_CHOICES: readonly { seconds: number; label: string }[] = [
  { seconds: 60, label: '1 min' },
  { seconds: 120, label: '2 min' },
  { seconds: 300, label: '5 min' },
];

const ACTION_LABELS: Readonly<Record<AlarmAction, string>> = {
  acknowledge: 'Acknowledge',
  silence: 'Silence',
  escalate: 'Escalate',
  resolve: 'Resolve…',
};

interface PatientSummary {
  readonly id: string;
  readonly displayName?: string | null;
  readonly wardId?: string | null;
}

/**
 * The alarm console: the open alarms of the user's wards by priority and age, with acknowledge,
 * silence, escalate and resolve (each recorded by the API with who and when, and audited), the
 * recently resolved ones below; live through the wards' feeds.
 */
export function showAlarmConsole(context: ViewContext): StopView {
  const { main, session } = context;
  const model = new AlarmConsoleModel();
  const names = new Map<string, PatientSummary>();
  const status = el('p', { class: 'status' }, 'Loading the alarms…');
  const openBody = el('tbody', { id: 'open-alarms' });
  const resolvedBody = el('tbody', { id: 'resolved-alarms' });
  const head = () =>
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['Priority', 'Patient / device', 'Alarm', 'Raised', 'Handling', 'Actions'].map((h) =>
          el('th', { scope: 'col' }, h),
        ),
      ),
    );
  main.replaceChildren(
    el('h1', {}, 'Alarms'),
    status,
    el('table', { class: 'console', 'aria-label': 'Open alarms' }, head(), openBody),
    el('h2', { class: 'console-sub' }, 'Recently resolved'),
    el('table', { class: 'console console-resolved', 'aria-label': 'Resolved alarms' }, head(), resolvedBody),
  );
  const rows = new Map<string, { tr: HTMLTableRowElement; controlsFor: string }>();
  let loaded = false;

  const subject = (alarm: ConsoleApiAlarm): Node => {
    if (alarm.patientId === null) return el('span', { class: 'device-only' }, `device ${alarm.deviceId ?? '?'}`);
    const patient = names.get(alarm.patientId);
    return el(
      'a',
      appLink(`/app/patients/${encodeURIComponent(alarm.patientId)}`),
      patient?.displayName ?? alarm.patientId,
    );
  };

  /** The last refused action of an alarm, shown in its row until an action succeeds. */
  const problems = new Map<string, string>();

  const act = async (row: HTMLTableRowElement, alarmId: string, action: AlarmAction, body: object) => {
    for (const b of row.querySelectorAll('button')) b.disabled = true;
    try {
      const answer = await postJson<{ alarm: ConsoleApiAlarm }>(
        session,
        `/api/v1/alarms/${encodeURIComponent(alarmId)}/${action}`,
        // `by` names the signed-in user; the API checks it against the token.
        { ...body, by: session.claims.sub },
      );
      problems.delete(alarmId);
      model.apply(answer.alarm);
      render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        context.onSessionEnded();
        return;
      }
      const what = ACTION_LABELS[action].replace('…', '');
      problems.set(alarmId, `${what} refused: ${err instanceof Error ? err.message : String(err)}`);
      // The alarm may have changed under us (another nurse, the engine): show its state now.
      await refreshOne(alarmId);
    }
  };

  const controls = (tr: HTMLTableRowElement, r: ConsoleRow): HTMLElement => {
    const cell = el('div', { class: 'actions' });
    const id = r.alarm.id;
    for (const action of r.actions) {
      if (action === 'silence') {
        const select = el('select', { 'aria-label': 'Silence for', 'data-silence-for': id });
        for (const c of SILENCE_CHOICES) select.append(el('option', { value: String(c.seconds) }, c.label));
        const button = el('button', { type: 'button', 'data-action': action }, ACTION_LABELS[action]);
        button.addEventListener('click', () => void act(tr, id, 'silence', { durationSeconds: Number(select.value) }));
        cell.append(el('span', { class: 'silence' }, button, select));
      } else if (action === 'resolve') {
        const button = el('button', { type: 'button', 'data-action': action }, ACTION_LABELS[action]);
        button.addEventListener('click', () => {
          const note = el('input', {
            type: 'text',
            class: 'note',
            'aria-label': 'Why it is resolved',
            placeholder: 'Why (required)',
            maxlength: '500',
          });
          const confirm = el('button', { type: 'button', 'data-action': 'resolve-confirm' }, 'Resolve');
          const cancel = el('button', { type: 'button' }, 'Cancel');
          confirm.addEventListener('click', () => {
            const text = note.value.trim();
            if (text === '') {
              note.setAttribute('aria-invalid', 'true');
              note.focus();
              return;
            }
            void act(tr, id, 'resolve', { note: text });
          });
          cancel.addEventListener('click', () => {
            const held = rows.get(id);
            if (held !== undefined) held.controlsFor = '';
            render();
          });
          cell.replaceChildren(el('span', { class: 'resolve-form' }, note, confirm, cancel));
          note.focus();
        });
        cell.append(button);
      } else {
        const button = el('button', { type: 'button', 'data-action': action }, ACTION_LABELS[action]);
        button.addEventListener('click', () => void act(tr, id, action, {}));
        cell.append(button);
      }
    }
    if (r.resolveBlocked !== undefined) {
      cell.append(el('span', { class: 'hint', title: r.resolveBlocked }, 'condition present'));
    }
    return el(
      'td',
      { class: 'actions-cell' },
      cell,
      el('div', { class: 'row-problem', role: 'alert' }, problems.get(id) ?? ''),
    );
  };

  const fill = (r: ConsoleRow): HTMLTableRowElement => {
    const { alarm } = r;
    let held = rows.get(alarm.id);
    if (held === undefined) {
      held = { tr: el('tr', { 'data-alarm-id': alarm.id }), controlsFor: '' };
      rows.set(alarm.id, held);
    }
    const { tr } = held;
    const kind = alarm.state === 'active' ? `alarm-${alarm.priority}` : `alarm-${alarm.state}`;
    tr.setAttribute('data-state', alarm.state);
    tr.setAttribute('data-priority', alarm.priority);
    const info = [
      el('td', {}, el('span', { class: `alarm priority-badge ${kind}` }, alarm.priority.toUpperCase())),
      el('td', {}, subject(alarm)),
      el(
        'td',
        { class: 'console-message' },
        ...(alarm.category === 'technical' ? [el('span', { class: 'alarm-tag' }, 'TECHNICAL')] : []),
        alarm.message,
      ),
      el('td', { title: dateTimeText(r.raisedAtMs) }, `${r.age} ago`),
      el('td', { class: 'handling' }, ...r.handling.map((line) => el('div', {}, line))),
    ];
    // The controls are rebuilt only when the alarm or its refusal changed: a note being typed (in
    // this row or another) survives the tick and other rows' actions.
    const key = `${alarm.version}:${r.actions.join(',')}:${problems.get(alarm.id) ?? ''}`;
    const keep = held.controlsFor === key ? tr.lastElementChild : null;
    tr.replaceChildren(...info, keep ?? controls(tr, r));
    held.controlsFor = key;
    return tr;
  };

  const render = () => {
    const view = model.view(Date.now());
    const place = (body: HTMLElement, list: readonly ConsoleRow[]) => {
      const trs = list.map(fill);
      if (trs.some((tr, i) => body.children[i] !== tr) || body.children.length !== trs.length)
        body.replaceChildren(...trs);
    };
    place(openBody, view.open);
    place(resolvedBody, view.resolved);
    if (loaded) status.textContent = view.open.length === 0 ? 'No open alarms on your wards.' : '';
  };

  const refreshOne = async (alarmId: string) => {
    try {
      const body = await getJson<{ alarm: ConsoleApiAlarm }>(session, `/api/v1/alarms/${encodeURIComponent(alarmId)}`);
      model.apply(body.alarm);
      render();
    } catch {
      render(); // Shows the refusal; the next reload or feed event brings the alarm's state.
    }
  };

  const load = async () => {
    try {
      const [patients, open, resolved] = await Promise.all([
        getJson<{ patients: PatientSummary[] }>(session, '/api/v1/patients'),
        getJson<{ alarms: ConsoleApiAlarm[] }>(session, '/api/v1/alarms?open=true&limit=1000'),
        getJson<{ alarms: ConsoleApiAlarm[] }>(session, '/api/v1/alarms?state=resolved&limit=50'),
      ]);
      for (const p of patients.patients) names.set(p.id, p);
      model.setAll([...open.alarms, ...resolved.alarms]);
      // Open here but not in the fresh list: closed (or moved out of reach) while the feed was down.
      await Promise.all(
        model.openNotIn(open.alarms).map((id) =>
          getJson<{ alarm: ConsoleApiAlarm }>(session, `/api/v1/alarms/${encodeURIComponent(id)}`).then(
            (body) => model.apply(body.alarm),
            () => model.forget(id),
          ),
        ),
      );
      loaded = true;
      render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) context.onSessionEnded();
      else setBanner(`The alarms cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  // One live feed per ward of the user: alarm events (raised, acknowledged, resolved, …) arrive on it.
  const lost = new Set<string>();
  const feeds = session.claims.wards.map((ward) => {
    // Set when the feed failed (also before it ever opened): its next open re-reads the alarms.
    let missed = false;
    return new LiveFeed(
      () => {
        const current = currentSession();
        return current === undefined
          ? undefined
          : `/api/v1/wards/${encodeURIComponent(ward)}/live?access_token=${encodeURIComponent(current.token)}`;
      },
      {
        onOpen: () => {
          lost.delete(ward);
          if (lost.size === 0) setBanner(undefined);
          if (missed) void load();
          missed = false;
        },
        onLost: () => {
          missed = true;
          lost.add(ward);
          setBanner('Live connection lost: reconnecting… Alarms may be out of date.');
        },
        onSessionEnded: () => context.onSessionEnded(),
        onReadings: () => undefined,
        onScore: () => undefined,
        onAlarm: (alarm) => {
          model.apply(alarm);
          render();
        },
      },
    );
  });
  if (feeds.length === 0) status.textContent = 'Your account has no ward: ask an administrator.';
  else {
    void load();
    for (const feed of feeds) feed.start();
  }
  const tick = window.setInterval(() => render(), TICK_MS);
  return () => {
    clearInterval(tick);
    for (const feed of feeds) feed.close();
  };
}
