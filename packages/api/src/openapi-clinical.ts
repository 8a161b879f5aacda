/** The clinical paths of the OpenAPI document: alarms, scores, charted observations, rules, audit. */
import { body, ERRORS, json, param, problemResponse, ref, type Schema } from './openapi-parts.js';

const list = (name: string, item: string): Schema => ({
  type: 'object',
  properties: { [name]: { type: 'array', items: ref(item) } },
});
const PATIENT = param('patientId', 'path', 'Patient id');
const ALARM = param('alarmId', 'path', 'Alarm id');
const DAY_WINDOW = [
  param('from', 'query', 'Inclusive start: epoch ms or ISO-8601. Default: 24 h before `to`.'),
  param('to', 'query', 'Exclusive end: epoch ms or ISO-8601. Default: one minute from now.'),
];
const HOUR_WINDOW = [
  param('from', 'query', 'Inclusive start: epoch ms or ISO-8601. Default: 1 h before `to`.'),
  param('to', 'query', 'Exclusive end: epoch ms or ISO-8601. Default: one minute from now.'),
];
const INVALID_BODY = { '422': problemResponse('Invalid body (every problem listed in `errors`)') };
const ALARM_RESPONSES = {
  '200': json('The alarm after the change', { type: 'object', properties: { alarm: ref('Alarm') } }),
  '409': problemResponse('The alarm is not in a state that allows it (e.g. already acknowledged, resolved)'),
  ...ERRORS,
  ...INVALID_BODY,
};

function alarmCommand(summary: string, schema: string) {
  return { post: { summary, parameters: [ALARM], requestBody: body(ref(schema)), responses: ALARM_RESPONSES } };
}

function rulePaths(path: string, scope: string, parameters: readonly Schema[]) {
  const ruleSet = json('The rule set; `ETag` is its version', ref('RuleSet'));
  return {
    [path]: {
      get: {
        summary: `The rules of ${scope} (version 0 when never set)`,
        parameters,
        responses: { '200': ruleSet, ...ERRORS },
      },
      put: {
        summary: `Replace the rules of ${scope}`,
        parameters: [
          ...parameters,
          param('If-Match', 'header', 'The version the change is based on, as `"<version>"` (the ETag of a GET)'),
        ],
        requestBody: body(ref('RuleSetInput')),
        responses: {
          '200': ruleSet,
          '409': problemResponse('The scope changed since the version given'),
          ...ERRORS,
          '422': problemResponse('Invalid rules: `errors` names the field, e.g. `rules[0].limit`'),
        },
      },
    },
  };
}

export const CLINICAL_PATHS = {
  '/api/v1/alarms': {
    get: {
      summary: 'Alarms, newest raised first',
      parameters: [
        param('patientId', 'query', 'Only this patient'),
        param('deviceId', 'query', 'Only this device'),
        param('state', 'query', 'Comma-separated: active, acknowledged, resolved'),
        param('open', 'query', '`true`: active and acknowledged (instead of `state`)'),
        param('from', 'query', 'Raised at or after (epoch ms or ISO-8601)'),
        param('to', 'query', 'Raised before (epoch ms or ISO-8601)'),
        param('limit', 'query', '1–1000 (default 100)', { type: 'integer' }),
      ],
      responses: { '200': json('Alarms', list('alarms', 'Alarm')), ...ERRORS },
    },
  },
  '/api/v1/alarms/{alarmId}': {
    get: {
      summary: 'One alarm with its history (who did what, when)',
      parameters: [ALARM],
      responses: {
        '200': json('The alarm and its events in seq order', {
          type: 'object',
          properties: { alarm: ref('Alarm'), events: { type: 'array', items: ref('AlarmHistoryEntry') } },
        }),
        ...ERRORS,
      },
    },
  },
  '/api/v1/alarms/{alarmId}/acknowledge': alarmCommand('Acknowledge an active alarm', 'AlarmCommand'),
  '/api/v1/alarms/{alarmId}/silence': alarmCommand('Pause notifications of an alarm for a while', 'SilenceCommand'),
  '/api/v1/alarms/{alarmId}/escalate': alarmCommand('Escalate an open alarm (re-notify)', 'AlarmCommand'),
  '/api/v1/alarms/{alarmId}/resolve': alarmCommand(
    'Resolve an alarm whose condition has ended, saying why (409 while the condition holds)',
    'ResolveCommand',
  ),
  '/api/v1/patients/{patientId}/alarms': {
    get: {
      summary: "The patient's alarms, newest raised first (for whoever may read the patient, break-glass included)",
      parameters: [
        PATIENT,
        param('state', 'query', 'Comma-separated: active, acknowledged, resolved'),
        param('open', 'query', '`true`: active and acknowledged (instead of `state`)'),
        param('limit', 'query', '1–1000 (default 100)', { type: 'integer' }),
      ],
      responses: { '200': json('Alarms', list('alarms', 'Alarm')), ...ERRORS },
    },
  },
  '/api/v1/patients/{patientId}/scores': {
    get: {
      summary: 'The latest NEWS2, qSOFA and MEWS of the patient',
      parameters: [PATIENT],
      responses: { '200': json('Latest scores', list('scores', 'Score')), ...ERRORS },
    },
  },
  '/api/v1/patients/{patientId}/scores/{score}': {
    get: {
      summary: 'The history of one score, oldest first',
      parameters: [
        PATIENT,
        param('score', 'path', 'news2, qsofa or mews'),
        ...DAY_WINDOW,
        param('limit', 'query', '1–10000 (default 1000)', { type: 'integer' }),
      ],
      responses: { '200': json('Score history', list('scores', 'Score')), ...ERRORS },
    },
  },
  '/api/v1/patients/{patientId}/ecg': {
    get: {
      summary: "ECG heart rate, RR, HRV and signal quality of the patient's monitors, one window per 5 s of signal",
      parameters: [PATIENT, ...HOUR_WINDOW, param('limit', 'query', '1–10000 (default 720)', { type: 'integer' })],
      responses: { '200': json('ECG windows, oldest first, and the latest', ref('EcgWindows')), ...ERRORS },
    },
  },
  '/api/v1/devices/{deviceId}/ecg': {
    get: {
      summary: "ECG heart rate, RR, HRV and signal quality of one device's analysed lead",
      parameters: [
        param('deviceId', 'path', 'Device id'),
        ...HOUR_WINDOW,
        param('limit', 'query', '1–10000 (default 720)', { type: 'integer' }),
      ],
      responses: { '200': json('ECG windows, oldest first, and the latest', ref('EcgWindows')), ...ERRORS },
    },
  },
  '/api/v1/patients/{patientId}/observations': {
    get: {
      summary: 'Charted observations, oldest first',
      parameters: [PATIENT, ...DAY_WINDOW],
      responses: { '200': json('Observations', list('observations', 'Observation')), ...ERRORS },
    },
    post: {
      summary: 'Chart an observation (ACVPU, oxygen, SpO2 scale or a spot vital sign)',
      parameters: [PATIENT],
      requestBody: body(ref('ObservationInput')),
      responses: {
        '201': json('Recorded', { type: 'object', properties: { observation: ref('Observation') } }),
        '200': json('Already recorded under this id', {
          type: 'object',
          properties: { observation: ref('Observation') },
        }),
        '409': problemResponse('The id already records another observation'),
        ...ERRORS,
        ...INVALID_BODY,
      },
    },
  },
  ...rulePaths('/api/v1/rules/default', 'the defaults (the shipped rules until set)', []),
  ...rulePaths('/api/v1/wards/{wardId}/rules', 'a ward (overrides of the defaults)', [
    param('wardId', 'path', 'Ward id'),
  ]),
  ...rulePaths('/api/v1/patients/{patientId}/rules', 'a patient (overrides of the ward)', [PATIENT]),
  '/api/v1/patients/{patientId}/rules/effective': {
    get: {
      summary: 'The rules the patient is evaluated by: defaults, then ward, then patient overrides',
      parameters: [PATIENT],
      responses: { '200': json('Effective rules', list('rules', 'AlarmRule')), ...ERRORS },
    },
  },
  '/api/v1/alarm-burden': {
    get: {
      summary: 'Alarms raised per type, per patient-hour and bed-day, and time to acknowledge',
      parameters: DAY_WINDOW,
      responses: { '200': json('Alarm burden', ref('AlarmBurden')), ...ERRORS },
    },
  },
  '/api/v1/audit': {
    get: {
      summary:
        'Who changed what (acknowledged, silenced, charted, set rules) and who accessed which patient (`access.*`), oldest first',
      parameters: [
        param('subject', 'query', 'Subject prefix, e.g. `alarm:`, `patient:p1`, `ward:`, `rules:default`'),
        param(
          'action',
          'query',
          'Action prefix, e.g. `access.` (access records), `access.deny`, `alarm.`; at most 10,000 entries are looked at per request: go on from `lastSeq`',
        ),
        param('after', 'query', 'Only entries with a greater seq (page on with the last seq)', { type: 'integer' }),
        param('limit', 'query', '1–1000 (default 100)', { type: 'integer' }),
      ],
      responses: {
        '200': json('Audit entries', {
          type: 'object',
          properties: {
            entries: { type: 'array', items: ref('AuditEntry') },
            lastSeq: { type: 'integer', description: 'Where this answer stopped: pass it as `after` to go on' },
          },
        }),
        ...ERRORS,
      },
    },
  },
};
