import { fleetRows, type ApiFleet, type FleetRowView, type Tone } from '../../src/model/fleet.js';
import { ApiError, getJson } from './api.js';
import { el, setBanner } from './dom.js';
import type { StopView, ViewContext } from './view.js';

/**
 * How often the fleet is read again. There is no live feed of device status (the live feeds carry
 * readings and alarms), so the view polls; 5 s is well inside the 30 s stale limit.
 */
const REFRESH_MS = 5_000;
/** How often ages are redrawn between reads. */
const TICK_MS = 1_000;

const COLUMNS = [
  'Device',
  'Binding',
  'Last seen',
  'Battery',
  'Signal',
  'Clock skew',
  'Firmware',
  'Certificate',
  'Counters · errors',
  'Attention',
] as const;

function toned(tone: Tone): string {
  return tone === 'normal' ? '' : `fleet-${tone}`;
}

function cell(col: string, text: string, tone: Tone = 'normal', attrs: Record<string, string> = {}): HTMLElement {
  const cls = toned(tone);
  return el('td', { 'data-col': col, ...(cls === '' ? {} : { class: cls }), ...attrs }, text);
}

function rowOf(view: FleetRowView): HTMLTableRowElement {
  const device = el(
    'td',
    { 'data-col': 'device' },
    el('span', { class: 'fleet-id' }, view.id),
    ...(view.connected === undefined
      ? []
      : [
          el(
            'span',
            {
              class: view.connected ? 'fleet-link fleet-link-up' : 'fleet-link',
              'data-connected': String(view.connected),
            },
            view.connected ? 'connected' : 'not connected',
          ),
        ]),
    el('span', { class: 'fleet-sub' }, view.model),
  );
  const seen = cell(
    'last-seen',
    view.lastSeen.silent ? `${view.lastSeen.text} · silent` : view.lastSeen.text,
    'normal',
    {
      ...(view.lastSeen.at === null ? {} : { title: new Date(view.lastSeen.at).toLocaleString() }),
    },
  );
  const certificate = cell('certificate', view.certificate.text, view.certificate.tone, {
    ...(view.certificate.notAfter === null ? {} : { 'data-not-after': view.certificate.notAfter }),
  });
  const counters = el(
    'td',
    { 'data-col': 'counters' },
    el('span', {}, view.counters),
    el('span', { class: 'fleet-sub' }, view.deviceErrors === '—' ? 'no device errors' : view.deviceErrors),
  );
  const tags = el(
    'td',
    { 'data-col': 'attention' },
    ...view.attention.map((t) =>
      el('span', { class: `fleet-tag fleet-tag-${t.tone}`, 'data-reason': t.reason }, t.label),
    ),
  );
  return el(
    'tr',
    {
      class: view.lastSeen.silent ? 'fleet-row fleet-silent' : 'fleet-row',
      'data-device-id': view.id,
      'data-attention': view.attention.map((t) => t.reason).join(' '),
    },
    device,
    cell('binding', view.binding),
    seen,
    cell('battery', view.battery.text, view.battery.tone),
    cell('signal', view.signal),
    cell('clock-skew', view.clockSkew.text, view.clockSkew.tone),
    cell('firmware', view.firmware),
    certificate,
    counters,
    tags,
  );
}

/**
 * The device fleet (administrators and service accounts): one row per device with its binding's
 * ward, last seen, battery, signal, clock skew, firmware, certificate expiry, counters and the
 * reasons it needs attention, those devices first. Polls `GET /api/v1/fleet` every 5 s; "Needs
 * attention only" filters the polled list in the page. Returns a function that stops it.
 */
export function showFleet(context: ViewContext): StopView {
  const { main, session } = context;
  const status = el('p', { class: 'status', id: 'fleet-status' }, 'Loading the device fleet…');
  const only = el('input', { type: 'checkbox', id: 'attention-only' });
  const body = el('tbody', { id: 'fleet-rows' });
  const table = el(
    'table',
    { class: 'fleet', 'aria-label': 'Devices' },
    el('thead', {}, el('tr', {}, ...COLUMNS.map((h) => el('th', { scope: 'col' }, h)))),
    body,
  );
  main.replaceChildren(
    el('h1', {}, 'Devices'),
    el('p', { class: 'fleet-controls' }, el('label', {}, only, ' Needs attention only')),
    status,
    table,
  );
  let fleet: ApiFleet | undefined;
  let stopped = false;
  let timer: number | undefined;

  const render = () => {
    if (fleet === undefined) return;
    const now = Date.now();
    const rows = fleetRows(fleet, now, only.checked);
    const needing = fleet.devices.filter((d) => d.attention.length > 0).length;
    const since = new Date(fleet.observedSince).toLocaleString();
    status.textContent =
      `${fleet.devices.length} device${fleet.devices.length === 1 ? '' : 's'}, ${needing} needing attention. ` +
      `Observed since ${since} (kept in memory: after a restart it fills again as devices send).`;
    body.replaceChildren(...rows.map(rowOf));
    if (rows.length === 0) {
      body.append(
        el(
          'tr',
          {},
          el(
            'td',
            { colspan: String(COLUMNS.length), class: 'status' },
            only.checked ? 'No device needs attention.' : 'No devices.',
          ),
        ),
      );
    }
  };

  const load = async () => {
    try {
      const read = await getJson<ApiFleet>(session, '/api/v1/fleet');
      if (stopped) return;
      fleet = read;
      setBanner(undefined);
      render();
    } catch (err) {
      if (stopped) return;
      if (err instanceof ApiError && err.status === 401) {
        stopped = true;
        context.onSessionEnded();
        return;
      }
      if (err instanceof ApiError && err.status === 403) {
        stopped = true;
        status.textContent = 'The device fleet is for administrators and service accounts.';
        status.setAttribute('role', 'alert');
        table.hidden = true;
        only.disabled = true;
        return;
      }
      setBanner(`The device fleet cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    timer = window.setTimeout(() => void load(), REFRESH_MS);
  };

  only.addEventListener('change', render);
  void load();
  const tick = window.setInterval(render, TICK_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(tick);
  };
}
