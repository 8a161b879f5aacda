import {
  ACVPU_LABELS,
  chartedRows,
  chartedText,
  problemsByField,
  type ApiCharted,
  type ApiProblem,
} from '../../src/model/patient.js';
import { ApiError, getJson } from './api.js';
import type { Session } from './auth.js';
import { el } from './dom.js';

/** A field of the form: the observation kind it charts, and the API's body fields that belong to it. */
const FIELDS = {
  consciousness: ['kind', 'value'],
  oxygen: ['kind', 'onOxygen'],
} as const;
type Field = keyof typeof FIELDS;

/** An id for a POST, so that a retried one is recorded once (any context: randomUUID needs a secure one). */
function observationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `dash-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

type Posted =
  { readonly ok: true; readonly observation: ApiCharted } | { readonly ok: false; readonly problem: ApiProblem };

async function postObservation(session: Session, patientId: string, body: object): Promise<Posted> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/patients/${encodeURIComponent(patientId)}/observations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${session.token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, problem: { status: 0, detail: `the server cannot be reached (${String(err)})` } };
  }
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.ok) return { ok: true, observation: json['observation'] as ApiCharted };
  return { ok: false, problem: { status: res.status, ...(json as ApiProblem) } };
}

function radio(name: Field, value: string, label: string): HTMLLabelElement {
  return el('label', { class: 'choice' }, el('input', { type: 'radio', name, value }), ` ${label}`);
}

/**
 * Charting of what no device measures but NEWS2 needs: consciousness (ACVPU) and air or
 * supplemental oxygen (the API records only whether oxygen is given, no flow or FiO₂), POSTed as
 * the signed-in user; the API's problems are shown next to the field they name. Below it, the
 * observations charted in the last 24 h, newest first.
 */
export class ChartingPanel {
  readonly element: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly errors: Record<Field | 'form', HTMLElement>;
  private readonly list = el('ul', { class: 'charted-list' });
  private readonly done = el('p', { class: 'charting-done', role: 'status' });
  private observations: ApiCharted[] = [];
  private stopped = false;

  constructor(
    private readonly session: Session,
    private readonly patientId: string,
    private readonly onError: (err: unknown) => void,
  ) {
    const error = (id: string) => el('p', { class: 'field-error', id, role: 'alert', hidden: '' });
    this.errors = {
      consciousness: error('consciousness-error'),
      oxygen: error('oxygen-error'),
      form: error('charting-error'),
    };
    const submit = el('button', { type: 'submit', class: 'primary' }, 'Chart');
    this.form = el(
      'form',
      { class: 'charting', 'aria-label': 'Chart an observation' },
      el(
        'fieldset',
        { 'data-field': 'consciousness', 'aria-describedby': 'consciousness-error' },
        el('legend', {}, 'Consciousness (ACVPU)'),
        ...Object.entries(ACVPU_LABELS).map(([letter, text]) => radio('consciousness', letter, `${letter} — ${text}`)),
        this.errors.consciousness,
      ),
      el(
        'fieldset',
        { 'data-field': 'oxygen', 'aria-describedby': 'oxygen-error' },
        el('legend', {}, 'Air or oxygen'),
        radio('oxygen', 'air', 'Air'),
        radio('oxygen', 'oxygen', 'Supplemental oxygen'),
        this.errors.oxygen,
      ),
      this.errors.form,
      submit,
      this.done,
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit.disabled = true;
      void this.chart().finally(() => {
        submit.disabled = false;
      });
    });
    this.element = el(
      'section',
      { class: 'charting-panel', 'aria-label': 'Charting' },
      el('h2', {}, 'Chart'),
      this.form,
      el('h3', {}, 'Charted, last 24 h'),
      this.list,
    );
  }

  async load(): Promise<void> {
    try {
      const body = await getJson<{ observations: ApiCharted[] }>(
        this.session,
        `/api/v1/patients/${encodeURIComponent(this.patientId)}/observations`,
      );
      if (this.stopped) return;
      this.observations = body.observations;
      this.renderList();
    } catch (err) {
      if (!this.stopped) this.onError(err);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private chosen(field: Field): string | undefined {
    const input = this.form.querySelector<HTMLInputElement>(`input[name="${field}"]:checked`);
    return input?.value;
  }

  private showErrors(byField: Map<string, string[]>, field: Field): void {
    for (const [name, texts] of byField) {
      const target = this.errors[name === '' ? 'form' : (name as Field)];
      target.hidden = false;
      target.textContent = texts.join('; ');
    }
    this.form.querySelector(`fieldset[data-field="${field}"]`)?.setAttribute('aria-invalid', 'true');
  }

  private async chart(): Promise<void> {
    for (const e of Object.values(this.errors)) {
      e.hidden = true;
      e.textContent = '';
    }
    for (const f of this.form.querySelectorAll('fieldset')) f.removeAttribute('aria-invalid');
    this.done.textContent = '';
    const consciousness = this.chosen('consciousness');
    const oxygen = this.chosen('oxygen');
    const bodies: [Field, object][] = [];
    if (consciousness !== undefined) bodies.push(['consciousness', { kind: 'consciousness', value: consciousness }]);
    if (oxygen !== undefined) bodies.push(['oxygen', { kind: 'oxygen', onOxygen: oxygen === 'oxygen' }]);
    if (bodies.length === 0) {
      this.showErrors(new Map([['', ['Choose a consciousness level or air/oxygen to chart.']]]), 'consciousness');
      return;
    }
    const charted: string[] = [];
    for (const [field, body] of bodies) {
      const posted = await postObservation(this.session, this.patientId, {
        ...body,
        recordedBy: this.session.claims.sub,
        id: observationId(),
      });
      if (this.stopped) return;
      if (!posted.ok) {
        if (posted.problem.status === 401) {
          this.onError(new ApiError(401, posted.problem.detail ?? 'the session has ended'));
          return;
        }
        const fieldOf = (name: string) => ((FIELDS[field] as readonly string[]).includes(name) ? field : undefined);
        this.showErrors(problemsByField(posted.problem, fieldOf), field);
        continue;
      }
      this.observations.push(posted.observation);
      charted.push(chartedText(posted.observation));
      for (const input of this.form.querySelectorAll<HTMLInputElement>(`input[name="${field}"]`)) input.checked = false;
    }
    this.renderList();
    if (charted.length > 0) this.done.textContent = `Charted: ${charted.join(', ')}. NEWS2 follows when rescored.`;
  }

  private renderList(): void {
    const rows = chartedRows(this.observations);
    this.list.replaceChildren(
      ...(rows.length === 0
        ? [el('li', { class: 'status' }, 'Nothing charted in the last 24 h.')]
        : rows.map((o) => {
            const at = new Date(o.observedAt);
            return el(
              'li',
              { 'data-observation-id': o.id, 'data-kind': o.kind, 'data-value': String(o.value ?? o.onOxygen ?? '') },
              el('time', { datetime: at.toISOString(), title: at.toLocaleString() }, at.toLocaleTimeString()),
              ` ${chartedText(o)} `,
              el('span', { class: 'by' }, `by ${o.recordedBy}`),
            );
          })),
    );
  }
}
