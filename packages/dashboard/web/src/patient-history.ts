import { NEWS2_COLUMNS, type AlarmRow, type News2Row } from '../../src/model/patient.js';
import { el } from './dom.js';

/** Rows shown of each history (the newest). */
export const HISTORY_ROWS = 100;

function time(ms: number): HTMLTimeElement {
  const at = new Date(ms);
  return el('time', { datetime: at.toISOString(), title: at.toLocaleString() }, at.toLocaleTimeString());
}

/** A NEWS2 badge in its risk band's colour (the ward tiles' classes); a partial score is marked `*`. */
export function news2Badge(row: { value: number; band: string | null; complete: boolean } | undefined): HTMLElement {
  if (row === undefined) return el('span', { class: 'news2 news2-none' }, 'NEWS2 —');
  const band = row.band ?? 'partial';
  return el(
    'span',
    { class: `news2 news2-${band}`, 'data-news2': String(row.value), title: `NEWS2 risk: ${band}` },
    `NEWS2 ${row.value}${row.complete ? '' : '*'}`,
  );
}

/** What the NEWS2 history says when the read stopped before the start of its period (model/patient-news2.ts). */
function notReadNote(beforeMs: number): (Node | string)[] {
  return ['Older scores not read: those before ', time(beforeMs), ' (too many to read in this period).'];
}

/**
 * NEWS2 history, newest first: time, total, band, then each parameter's points over the value that
 * gave them; with a last row saying so when scores before `notReadBeforeMs` were left unread.
 */
export function news2Table(rows: readonly News2Row[], notReadBeforeMs?: number): HTMLElement {
  const columns = 3 + NEWS2_COLUMNS.length;
  if (rows.length === 0) {
    return el(
      'p',
      { class: 'status' },
      'No NEWS2 score in this period.',
      ...(notReadBeforeMs === undefined ? [] : [' ', ...notReadNote(notReadBeforeMs)]),
    );
  }
  const truncated =
    notReadBeforeMs === undefined
      ? []
      : [
          el(
            'tfoot',
            {},
            el(
              'tr',
              { class: 'history-not-read', 'data-not-read-before': new Date(notReadBeforeMs).toISOString() },
              el('td', { colspan: String(columns) }, ...notReadNote(notReadBeforeMs)),
            ),
          ),
        ];
  return el(
    'table',
    { class: 'patient-history news2-history' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['Time', 'NEWS2', 'Band', ...NEWS2_COLUMNS.map((c) => c.label)].map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      ...rows.map((row) =>
        el(
          'tr',
          {
            'data-at': new Date(row.atMs).toISOString(),
            'data-complete': String(row.complete),
            class: row.complete ? '' : 'incomplete',
          },
          el('td', {}, time(row.atMs)),
          el('td', {}, news2Badge(row)),
          el('td', {}, row.complete ? (row.band ?? '') : 'incomplete'),
          ...row.cells.map((cell) =>
            el(
              'td',
              {
                class: cell.points === null ? 'subscore subscore-none' : `subscore subscore-${cell.points}`,
                'data-param': cell.param,
                'data-points': cell.points === null ? '' : String(cell.points),
              },
              el('span', { class: 'points' }, cell.points === null ? '—' : String(cell.points)),
              el('span', { class: 'given' }, cell.text),
            ),
          ),
        ),
      ),
    ),
    ...truncated,
  );
}

function byWhom(act: { by: string; atMs: number } | undefined): (Node | string)[] {
  return act === undefined ? ['—'] : [`${act.by}, `, time(act.atMs)];
}

/** Alarm history, newest raised first: priority, message, state, raised, acknowledged and resolved (who, when). */
export function alarmTable(rows: readonly AlarmRow[]): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'status' }, 'No alarm for this patient.');
  return el(
    'table',
    { class: 'patient-history alarm-history' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['Priority', 'Alarm', 'State', 'Raised', 'Acknowledged', 'Resolved'].map((h) =>
          el('th', { scope: 'col' }, h),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      ...rows.map((row) =>
        el(
          'tr',
          { 'data-alarm-id': row.id, 'data-priority': row.priority, 'data-state': row.state },
          el('td', {}, el('span', { class: `history-priority history-priority-${row.priority}` }, row.priority)),
          el('td', {}, ...(row.technical ? [el('span', { class: 'alarm-tag' }, 'TECHNICAL')] : []), row.message),
          el('td', { class: `alarm-state-${row.state}` }, row.state),
          el('td', {}, time(row.raisedAtMs)),
          el('td', {}, ...byWhom(row.acknowledged)),
          el('td', {}, ...byWhom(row.resolved)),
        ),
      ),
    ),
  );
}
