import type { ChartedObservation, ChartedValue, Consciousness } from '@wardstream/clinical';
import { isValidId, type Catalogue } from '@wardstream/domain';
import type { Hono } from 'hono';
import { accessOf } from '../access/context.js';
import { actorField } from '../body-fields.js';
import { chartedJson } from '../clinical-json.js';
import type { ApiDeps, ClinicalApiDeps } from '../deps.js';
import { jsonBody } from '../json.js';
import { ParamErrors } from '../params.js';
import { problem, RequestProblem } from '../problem.js';
import { timeField } from './bindings.js';
import { windowParams } from './scores.js';
import { knownPatient } from './subjects.js';

const DAY_MS = 86_400_000;
/** How far ahead of the server's clock an observation may be dated (bedside clocks drift). */
const MAX_AHEAD_MS = 60_000;
const ACVPU: readonly Consciousness[] = ['A', 'C', 'V', 'P', 'U'];
const COMMON_FIELDS = ['kind', 'observedAt', 'recordedBy', 'id'];
const KIND_FIELDS: Readonly<Record<ChartedValue['kind'], readonly string[]>> = {
  consciousness: ['value'],
  oxygen: ['onOxygen'],
  spo2Scale: ['scale'],
  vital: ['code', 'value'],
};

/** The observation a body charts, every problem added to `errors`; undefined when it has any. */
function chartedValue(
  body: Record<string, unknown>,
  errors: ParamErrors,
  catalogue: Catalogue,
): ChartedValue | undefined {
  const kind = body['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(KIND_FIELDS, kind)) {
    errors.add('kind', `required, one of ${Object.keys(KIND_FIELDS).join(', ')}`);
    return undefined;
  }
  const allowed = [...COMMON_FIELDS, ...KIND_FIELDS[kind as ChartedValue['kind']]];
  for (const key of Object.keys(body)) if (!allowed.includes(key)) errors.add(key, `unknown field for kind ${kind}`);
  const { value } = body;
  switch (kind as ChartedValue['kind']) {
    case 'consciousness':
      if (ACVPU.includes(value as Consciousness)) return { kind: 'consciousness', value: value as Consciousness };
      errors.add('value', `required, one of ${ACVPU.join(', ')} (ACVPU)`);
      return undefined;
    case 'oxygen':
      if (typeof body['onOxygen'] === 'boolean') return { kind: 'oxygen', onOxygen: body['onOxygen'] };
      errors.add('onOxygen', 'required, true or false');
      return undefined;
    case 'spo2Scale':
      if (body['scale'] === 1 || body['scale'] === 2) return { kind: 'spo2Scale', scale: body['scale'] };
      errors.add('scale', 'required, 1 or 2');
      return undefined;
    case 'vital': {
      const raw = body['code'];
      const entry = typeof raw === 'string' ? catalogue.lookup(raw) : undefined;
      if (entry?.kind !== 'numeric') errors.add('code', 'required, a numeric code or alias of /api/v1/codes');
      if (typeof value !== 'number' || !Number.isFinite(value)) errors.add('value', 'required, a finite number');
      if (entry?.kind !== 'numeric' || typeof value !== 'number') return undefined;
      return { kind: 'vital', code: entry.code, value };
    }
  }
}

const sameContent = (a: ChartedObservation, b: ChartedObservation) =>
  a.patientId === b.patientId &&
  a.observedAt === b.observedAt &&
  a.recordedBy === b.recordedBy &&
  JSON.stringify(a.observation) === JSON.stringify(b.observation);

/**
 * Charted observations of a patient (NEWS2 inputs no device measures: ACVPU, oxygen, SpO2 scale,
 * spot vitals). A POST with an `id` is idempotent: the same id and content again answers 200 with
 * the stored observation; the same id with other content is a 409.
 */
export function mountChartedRoutes(app: Hono, deps: ApiDeps, clinical: ClinicalApiDeps): void {
  const base = '/api/v1/patients/:patientId/observations';

  app.post(base, async (c) => {
    const patientId = await knownPatient(c, deps);
    const body = await jsonBody(c);
    const errors = new ParamErrors('body');
    const observation = chartedValue(body, errors, deps.catalogue);
    const recordedBy = actorField(body, 'recordedBy', errors, accessOf(c).principal.subject);
    const now = deps.clock.now();
    const observedAt = timeField(body, 'observedAt', errors, now);
    if (observedAt > now + MAX_AHEAD_MS) errors.add('observedAt', 'is in the future');
    const id = body['id'];
    if (id !== undefined && (typeof id !== 'string' || !isValidId(id))) {
      errors.add('id', 'use 1-64 of A-Z a-z 0-9 . _ -');
    }
    errors.throwIfAny();
    if (observation === undefined) throw new Error('chartedValue gave no observation and no error');
    const result = await clinical.commands.chart({
      patientId,
      observation,
      observedAt,
      recordedBy,
      ...(typeof id === 'string' ? { id } : {}),
    });
    if (result.created) return c.json({ observation: chartedJson(result.observation) }, 201);
    const stored = clinical.store
      .chartedObservations(patientId, observedAt, observedAt + 1)
      .find((o) => o.id === result.observation.id);
    if (stored === undefined || !sameContent(stored, result.observation)) {
      throw new RequestProblem(
        problem('conflict', 409, `observation id ${result.observation.id} already records another observation`),
      );
    }
    return c.json({ observation: chartedJson(stored) }, 200);
  });

  app.get(base, async (c) => {
    const errors = new ParamErrors();
    const { fromAt, toAt } = windowParams(c, errors, deps.clock.now(), DAY_MS);
    errors.throwIfAny();
    const patientId = await knownPatient(c, deps);
    const observations = clinical.store.chartedObservations(patientId, fromAt, toAt);
    return c.json({
      from: new Date(fromAt).toISOString(),
      to: new Date(toAt).toISOString(),
      observations: observations.map(chartedJson),
    });
  });
}
