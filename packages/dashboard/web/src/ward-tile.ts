import { formatAge, VITAL_SPECS, type AlarmView, type PatientView, type VitalView } from '../../src/model/ward.js';
import { dateTimeText, el } from './dom.js';
import { appLink } from './view.js';

/** Sets `node`'s text only when it differs: an unchanged text costs the browser no layout. */
function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets (or with undefined removes) an attribute only when it differs. */
function setAttr(node: Element, name: string, value: string | undefined): void {
  if (value === undefined) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** One vital's row: its elements made once, their text and classes updated in place. */
class VitalRow {
  readonly li: HTMLLIElement;
  private readonly value = el('span', { class: 'value' });
  private readonly unit = el('span', { class: 'unit' });
  private readonly age = el('span', { class: 'age' });
  private observedAtMs: number | undefined;

  constructor(key: string, label: string) {
    this.li = el('li', { 'data-vital': key }, el('span', { class: 'label' }, label), this.value, this.unit, this.age);
  }

  show(vital: VitalView): void {
    setAttr(this.li, 'class', `vital vital-${vital.kind}`);
    if (vital.kind === 'missing') {
      setText(this.value, '—');
      setText(this.unit, '');
      setText(this.age, '');
      setAttr(this.li, 'data-observed-at', undefined);
      setAttr(this.li, 'title', undefined);
      this.observedAtMs = undefined;
      return;
    }
    setText(this.value, vital.text);
    setText(this.unit, vital.unit);
    setText(this.age, vital.kind === 'stale' ? `stale · ${formatAge(vital.ageMs)} old` : formatAge(vital.ageMs));
    if (this.observedAtMs !== vital.observedAtMs) {
      this.observedAtMs = vital.observedAtMs;
      this.li.setAttribute('data-observed-at', new Date(vital.observedAtMs).toISOString());
      this.li.setAttribute('title', `observed ${dateTimeText(vital.observedAtMs)}`);
    }
  }
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

/**
 * A patient's tile on the ward overview. Its elements are made once and updated in place, each
 * only when what it shows changed: a 64-bed ward updating every second rebuilt every tile's DOM
 * before, which kept the browser's main thread busy (docs/BENCHMARKS.md, dashboard rendering).
 */
export class WardTile {
  readonly element: HTMLElement;
  private readonly link: HTMLAnchorElement;
  private readonly news2 = el('span');
  private readonly notice = el('p', { role: 'status' });
  private readonly alarms = el('ul', { class: 'alarms' });
  private readonly vitals = new Map<string, VitalRow>();
  private alarmsShown = '';

  constructor(patientId: string) {
    this.link = el('a', appLink(`/app/patients/${encodeURIComponent(patientId)}`));
    const rows = VITAL_SPECS.map((spec) => {
      const row = new VitalRow(spec.key, spec.label);
      this.vitals.set(spec.key, row);
      return row.li;
    });
    this.notice.hidden = true;
    this.alarms.hidden = true;
    this.element = el(
      'article',
      { class: 'tile', 'data-patient-id': patientId },
      el('header', { class: 'tile-head' }, el('h2', { class: 'patient-name' }, this.link), this.news2),
      this.notice,
      this.alarms,
      el('ul', { class: 'vitals' }, ...rows),
    );
  }

  /** Shows `patient`; the tile's border shows the highest active alarm priority. */
  show(patient: PatientView): void {
    const tile = this.element;
    const classes = ['tile'];
    if (patient.alarmPriority !== undefined) classes.push(`tile-alarm-${patient.alarmPriority}`);
    if (patient.data !== 'current') classes.push('tile-no-current-data');
    setAttr(tile, 'class', classes.join(' '));
    setAttr(tile, 'data-data', patient.data);
    setAttr(tile, 'data-alarm-priority', patient.alarmPriority);
    setText(this.link, patient.name);
    this.showNews2(patient);
    this.showNotice(patient);
    this.showAlarms(patient.alarms);
    for (const vital of patient.vitals) this.vitals.get(vital.key)?.show(vital);
  }

  private showNews2({ news2 }: PatientView): void {
    if (news2 === undefined) {
      setAttr(this.news2, 'class', 'news2 news2-none');
      setAttr(this.news2, 'data-news2', undefined);
      setAttr(this.news2, 'title', undefined);
      setText(this.news2, 'NEWS2 —');
      return;
    }
    const band = news2.band ?? 'partial';
    setAttr(this.news2, 'class', `news2 news2-${band}`);
    setAttr(this.news2, 'data-news2', String(news2.value));
    setAttr(this.news2, 'title', `NEWS2 risk: ${band}`);
    setText(this.news2, `NEWS2 ${news2.value}${news2.complete ? '' : '*'}`);
  }

  /** The whole tile's state when no value is current: the monitor stopped sending, or has not yet. */
  private showNotice(patient: PatientView): void {
    this.notice.hidden = patient.data === 'current';
    if (patient.data === 'current') return;
    setAttr(this.notice, 'class', `data-notice data-${patient.data}`);
    setText(
      this.notice,
      patient.data === 'none'
        ? 'NO DATA YET'
        : `NO CURRENT DATA · newest value ${formatAge(patient.newestAgeMs ?? 0)} old`,
    );
  }

  /** The open alarms: rebuilt only when one of them changed (they change rarely, and matter most). */
  private showAlarms(alarms: readonly AlarmView[]): void {
    const shown = JSON.stringify(alarms.map((a) => [a.id, a.state, a.priority, a.technical, a.message]));
    if (shown === this.alarmsShown) return;
    this.alarmsShown = shown;
    this.alarms.hidden = alarms.length === 0;
    this.alarms.replaceChildren(...alarms.map(alarmItem));
  }
}
