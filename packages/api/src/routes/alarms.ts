import type { AlarmQuery } from '@wardstream/alerts';
import type { Alarm, AlarmState } from '@wardstream/clinical';
import { isValidId, WardstreamError } from '@wardstream/domain';
import type { Context, Hono } from 'hono';
import { accessOf } from '../access/context.js';
import { actorField, noteField } from '../body-fields.js';
import { alarmHistoryJson, alarmJson } from '../clinical-json.js';
import type { ApiDeps, ClinicalApiDeps } from '../deps.js';
import { jsonBody } from '../json.js';
import { instantParam, intParam, ParamErrors, rangeCheck } from '../params.js';
import { problem, RequestProblem } from '../problem.js';
import { knownPatient } from './subjects.js';
import { visiblePatients } from './visible.js';

const STATES: readonly AlarmState[] = ['active', 'acknowledged', 'resolved'];
const OPEN: readonly AlarmState[] = ['active', 'acknowledged'];

function idFilter(errors: ParamErrors, name: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!isValidId(raw)) errors.add(name, 'use 1-64 of A-Z a-z 0-9 . _ -');
  return raw;
}

/** `state=a,b` or `open=true` (active and acknowledged); undefined = every state. */
function statesParam(errors: ParamErrors, state: string | undefined, open: string | undefined) {
  if (open !== undefined && open !== 'true' && open !== 'false') errors.add('open', 'must be true or false');
  if (state === undefined || state === '') return open === 'true' ? OPEN : undefined;
  if (open === 'true') errors.add('open', 'give state or open=true, not both');
  const states = state.split(',');
  const unknown = states.filter((s) => !STATES.includes(s as AlarmState));
  if (unknown.length > 0) errors.add('state', `"${unknown.join(',').slice(0, 64)}": use ${STATES.join(', ')}`);
  return states as AlarmState[];
}

function alarmParam(c: Context): string {
  const id = c.req.param('alarmId') ?? '';
  if (!isValidId(id)) {
    throw new RequestProblem(problem('invalid-parameter', 400, 'alarmId: use 1-64 of A-Z a-z 0-9 . _ -'));
  }
  return id;
}

type Command = (alarmId: string, by: string, note: string | null) => Alarm | Promise<Alarm>;

/**
 * The alarms of `query` the caller may see, newest first: all of them, or (nurses, physicians) those
 * of their wards' patients, asked of the store patient by patient so `limit` holds after filtering.
 */
async function visibleAlarms(c: Context, deps: ApiDeps, store: ClinicalApiDeps['store'], query: AlarmQuery) {
  const visible = await visiblePatients(deps, accessOf(c).scope);
  if (visible === 'all') return store.listAlarms(query);
  const asked = query.patientId === undefined ? [...visible] : visible.has(query.patientId) ? [query.patientId] : [];
  return asked
    .flatMap((patientId) => store.listAlarms({ ...query, patientId }))
    .sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? 1 : -1))
    .slice(0, query.limit);
}

/**
 * /api/v1/alarms: list and filter (to the caller's wards), one alarm with its history, and the
 * operator commands (acknowledge, silence, escalate, resolve). `by` must name the authenticated user.
 * /api/v1/patients/{patientId}/alarms: one patient's alarms, for whoever may read that patient
 * (break-glass included, which no list honours).
 */
export function mountAlarmRoutes(app: Hono, deps: ApiDeps, clinical: ClinicalApiDeps): void {
  const { commands, store } = clinical;

  app.get('/api/v1/alarms', async (c) => {
    const errors = new ParamErrors();
    const patientId = idFilter(errors, 'patientId', c.req.query('patientId'));
    const deviceId = idFilter(errors, 'deviceId', c.req.query('deviceId'));
    const states = statesParam(errors, c.req.query('state'), c.req.query('open'));
    const from = c.req.query('from') === undefined ? undefined : instantParam(errors, 'from', c.req.query('from'), 0);
    const to = c.req.query('to') === undefined ? undefined : instantParam(errors, 'to', c.req.query('to'), 0);
    if (from !== undefined && to !== undefined) rangeCheck(errors, from, to);
    const limit = intParam(errors, 'limit', c.req.query('limit'), 100, 1, 1_000);
    errors.throwIfAny();
    const alarms = await visibleAlarms(c, deps, store, {
      limit,
      ...(patientId === undefined ? {} : { patientId }),
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(states === undefined ? {} : { states }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    });
    return c.json({ alarms: alarms.map(alarmJson) });
  });

  // The guard has admitted the caller for this patient (its ward, or a break-glass grant): no filter.
  app.get('/api/v1/patients/:patientId/alarms', async (c) => {
    const errors = new ParamErrors();
    const states = statesParam(errors, c.req.query('state'), c.req.query('open'));
    const limit = intParam(errors, 'limit', c.req.query('limit'), 100, 1, 1_000);
    errors.throwIfAny();
    const patientId = await knownPatient(c, deps);
    const alarms = store.listAlarms({ patientId, limit, ...(states === undefined ? {} : { states }) });
    return c.json({ alarms: alarms.map(alarmJson) });
  });

  app.get('/api/v1/alarms/:alarmId', (c) => {
    const id = alarmParam(c);
    const alarm = store.getAlarm(id);
    if (alarm === undefined) throw new RequestProblem(problem('not-found', 404, `no alarm ${id}`));
    return c.json({ alarm: alarmJson(alarm), events: store.alarmEvents(id).map(alarmHistoryJson) });
  });

  const command = (name: string, extra: (body: Record<string, unknown>, errors: ParamErrors) => Command) => {
    app.post(`/api/v1/alarms/:alarmId/${name}`, async (c) => {
      const id = alarmParam(c);
      const body = await jsonBody(c);
      const errors = new ParamErrors('body');
      const by = actorField(body, 'by', errors, accessOf(c).principal.subject);
      const note = noteField(body, errors);
      const run = extra(body, errors);
      errors.throwIfAny();
      return c.json({ alarm: alarmJson(await run(id, by, note)) });
    });
  };

  command('acknowledge', () => (id, by, note) => commands.acknowledge(id, by, note));
  command('escalate', () => (id, by, note) => commands.escalate(id, by, note));
  command('resolve', (body, errors) => {
    // Closing an alarm by hand says why: the note is the record of it.
    const note = body['note'];
    if (typeof note !== 'string' || note.trim() === '') errors.add('note', 'required: why the alarm is resolved');
    return (id, by, text) => commands.resolve(id, by, text);
  });
  command('silence', (body, errors) => {
    const seconds = body['durationSeconds'];
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
      errors.add('durationSeconds', 'required, a number of seconds greater than 0');
    }
    return async (id, by, note) => {
      try {
        return await commands.silence(id, by, Math.round(Number(seconds) * 1000), note);
      } catch (err) {
        // The engine's policy caps a silence; name the field that broke it.
        if (err instanceof WardstreamError && err.code === 'INVALID_INPUT') {
          const reason = err.message;
          throw new RequestProblem(
            problem('invalid-body', 422, `durationSeconds: ${reason}`, [{ name: 'durationSeconds', reason }]),
          );
        }
        throw err;
      }
    };
  });
}
