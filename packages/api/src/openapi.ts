/**
 * The OpenAPI 3.1 description of the HTTP API, served at /api/v1/openapi.json.
 * A test checks that every route the app mounts (with the clinical service) is described here and
 * nothing else. The clinical paths and schemas are in openapi-clinical*.ts.
 */
import { CLINICAL_PATHS } from './openapi-clinical.js';
import { CLINICAL_SCHEMAS } from './openapi-clinical-schemas.js';
import { FLEET_PATHS } from './openapi-fleet.js';
import { ERRORS, json, param, problemResponse, ref, sse } from './openapi-parts.js';
import { OPENAPI_SCHEMAS } from './openapi-schemas.js';
import { BREAK_GLASS_PATHS, SECURITY_SCHEMES, withAccess } from './openapi-security.js';

const TO = param('to', 'query', 'Exclusive end: epoch ms or ISO-8601. Default: one minute from now.');
const WINDOW = [param('from', 'query', 'Inclusive start: epoch ms or ISO-8601. Default: one hour before `to`.'), TO];
const CODE = param('code', 'query', 'MDC reference id, numeric code or alias (see /api/v1/codes)');

function readingPaths(base: string, subject: 'patientId' | 'deviceId') {
  const id = param(subject, 'path', subject === 'patientId' ? 'Patient id' : 'Device id');
  return {
    [`${base}/readings`]: {
      get: {
        summary: 'Stored readings in a time range, ordered by (observedAt, deviceId, code, boot, seq), paged',
        parameters: [
          id,
          ...WINDOW,
          CODE,
          param('limit', 'query', 'Page size, 1–10000 (default 1000)', { type: 'integer' }),
          param('cursor', 'query', 'The `next` value of the previous page'),
        ],
        responses: { '200': json('A page of readings', ref('ReadingPage')), ...ERRORS },
      },
    },
    [`${base}/readings/latest`]: {
      get: {
        summary: 'The most recent reading of each code',
        parameters: [id],
        responses: {
          '200': json('Latest readings', {
            type: 'object',
            properties: { readings: { type: 'array', items: ref('Reading') } },
          }),
          ...ERRORS,
        },
      },
    },
    [`${base}/readings/aggregates`]: {
      get: {
        summary: 'min, max, mean and count of one code per 1 s, 1 min or 1 h bucket',
        parameters: [id, ...WINDOW, { ...CODE, required: true }, param('bucket', 'query', '1s, 1m (default) or 1h')],
        responses: { '200': json('Buckets aligned to multiples of the bucket size', ref('Aggregates')), ...ERRORS },
      },
    },
    [`${base}/waveforms`]: {
      get: {
        summary:
          'Stored waveform segments in a window of at most one hour; with `points`, a min/max envelope per code instead',
        parameters: [
          id,
          param('from', 'query', 'Inclusive start: epoch ms or ISO-8601. Default: one minute before `to`.'),
          TO,
          CODE,
          param(
            'points',
            'query',
            'Overview instead of every sample: the window is cut into at most this many buckets of ⌈(to − from) / points⌉ whole ms, each with the min and max sample of each code (peaks survive, unlike subsampling). 10–20000; leave it out for full resolution.',
            { type: 'integer', minimum: 10, maximum: 20000 },
          ),
        ],
        responses: {
          '200': json('Waveform segments (`waveforms`), or with `points` the envelopes (`envelopes`)', {
            oneOf: [ref('WaveformSegments'), ref('WaveformOverview')],
          }),
          ...ERRORS,
        },
      },
    },
    [`${base}/live`]: {
      get: {
        summary:
          subject === 'patientId'
            ? 'Live readings, waveform segments, alarm events and scores of the patient (server-sent events `readings`, `waveform`, `alarm`, `score`, `ping`, `overflow`)'
            : 'Live readings, waveform segments and alarm events of the device (server-sent events `readings`, `waveform`, `alarm`, `ping`, `overflow`)',
        parameters: [id, liveWaveforms(true)],
        responses: { '200': sse('An event stream'), ...ERRORS },
      },
    },
  };
}

/** The `waveforms` option of a live feed, with the feed's default. */
function liveWaveforms(byDefault: boolean) {
  return param(
    'waveforms',
    'query',
    `\`true\` to receive \`event: waveform\` (one per stored segment, full resolution, data as a segment of …/waveforms), \`false\` not to. Default: ${byDefault}.`,
    { type: 'boolean', default: byDefault },
  );
}

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Wardstream API',
    version: '1',
    description:
      'Patients, devices, bindings, readings, alarms, scores, charted observations and alarm rules of the Wardstream telemetry platform. Errors are RFC 9457 problem documents. Instants are ISO-8601 in responses; epoch ms or ISO-8601 in requests. Every route but the probes and descriptions needs a bearer JWT; `x-wardstream-access` says which roles may call it (nurses and physicians: the patients of their wards). `by` and `recordedBy` must name the token subject (`sub`).',
  },
  security: [{ bearer: [] }],
  paths: withAccess({
    '/healthz': { get: { summary: 'Liveness', responses: { '200': json('Alive', { type: 'object' }) } } },
    '/readyz': {
      get: {
        summary: 'Readiness: every component ok',
        responses: {
          '200': json('Ready', { type: 'object' }),
          '503': problemResponse('A component is down (named in detail)'),
        },
      },
    },
    '/metrics': {
      get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Prometheus text format' } } },
    },
    '/api/v1/health': {
      get: { summary: 'Component health', responses: { '200': json('Health report', { type: 'object' }) } },
    },
    '/api/v1/metrics': {
      get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Prometheus text format' } } },
    },
    '/api/v1/openapi.json': {
      get: { summary: 'This document', responses: { '200': json('OpenAPI 3.1', { type: 'object' }) } },
    },
    '/api/v1/codes': {
      get: {
        summary: 'The code catalogue: MDC codes, LOINC, canonical units, aliases',
        responses: { '200': json('Codes', { type: 'object' }) },
      },
    },
    '/api/v1/patients': {
      get: {
        summary: 'List patients',
        parameters: [param('ward', 'query', 'Only patients of this ward')],
        responses: { '200': json('Patients', { type: 'object' }), ...ERRORS },
      },
      post: {
        summary: 'Create or update a patient',
        requestBody: { content: { 'application/json': { schema: ref('PatientInput') } } },
        responses: {
          '201': json('Created', ref('Patient')),
          '200': json('Updated', ref('Patient')),
          '422': problemResponse('Invalid body'),
        },
      },
    },
    '/api/v1/patients/{patientId}': {
      get: {
        summary: 'One patient with its bound devices',
        parameters: [param('patientId', 'path', 'Patient id')],
        responses: { '200': json('Patient', ref('Patient')), ...ERRORS },
      },
    },
    ...readingPaths('/api/v1/patients/{patientId}', 'patientId'),
    '/api/v1/devices': {
      get: { summary: 'List registered devices', responses: { '200': json('Devices', { type: 'object' }) } },
      post: {
        summary: 'Register a device or update its model',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { id: { type: 'string' }, model: { type: 'string' } },
                required: ['id'],
              },
            },
          },
        },
        responses: {
          '201': json('Created', { type: 'object' }),
          '200': json('Updated', { type: 'object' }),
          '422': problemResponse('Invalid body'),
        },
      },
    },
    '/api/v1/devices/unassigned': {
      get: {
        summary: 'Devices whose readings were received while bound to no patient',
        responses: { '200': json('Devices', { type: 'object' }) },
      },
    },
    '/api/v1/devices/{deviceId}': {
      get: {
        summary: 'One device with its bindings',
        parameters: [param('deviceId', 'path', 'Device id')],
        responses: { '200': json('Device', { type: 'object' }), ...ERRORS },
      },
    },
    '/api/v1/devices/{deviceId}/transfer': {
      post: {
        summary: "End the device's open binding and bind it to another patient",
        parameters: [param('deviceId', 'path', 'Device id')],
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { patientId: { type: 'string' }, at: { type: 'string' } },
                required: ['patientId'],
              },
            },
          },
        },
        responses: {
          '201': json('The new binding', ref('Binding')),
          '409': problemResponse('No open binding'),
          ...ERRORS,
        },
      },
    },
    ...readingPaths('/api/v1/devices/{deviceId}', 'deviceId'),
    ...FLEET_PATHS,
    '/api/v1/bindings': {
      get: {
        summary: 'List bindings',
        parameters: [
          param('deviceId', 'query', 'Device id'),
          param('patientId', 'query', 'Patient id'),
          param('open', 'query', '`true` for open bindings only'),
        ],
        responses: { '200': json('Bindings', { type: 'object' }), ...ERRORS },
      },
      post: {
        summary: 'Admit: bind a device to a patient from `from` (default now)',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { deviceId: { type: 'string' }, patientId: { type: 'string' }, from: { type: 'string' } },
                required: ['deviceId', 'patientId'],
              },
            },
          },
        },
        responses: {
          '201': json('Binding', ref('Binding')),
          '409': problemResponse('The device is already bound'),
          ...ERRORS,
        },
      },
    },
    '/api/v1/bindings/{bindingId}': {
      get: {
        summary: 'One binding',
        parameters: [param('bindingId', 'path', 'Binding id')],
        responses: { '200': json('Binding', ref('Binding')), ...ERRORS },
      },
    },
    '/api/v1/bindings/{bindingId}/discharge': {
      post: {
        summary: 'Discharge: end a binding at `at` (default now)',
        parameters: [param('bindingId', 'path', 'Binding id')],
        responses: { '200': json('Binding', ref('Binding')), '409': problemResponse('Already ended'), ...ERRORS },
      },
    },
    '/api/v1/wards/{wardId}/latest': {
      get: {
        summary: "A ward's patients with their latest readings",
        parameters: [param('wardId', 'path', 'Ward id')],
        responses: { '200': json('Ward view', { type: 'object' }) },
      },
    },
    '/api/v1/wards/{wardId}/live': {
      get: {
        summary:
          "Live readings, alarm events and scores of a ward's patients, and their waveform segments when asked (server-sent events)",
        parameters: [param('wardId', 'path', 'Ward id'), liveWaveforms(false)],
        responses: { '200': sse('An event stream'), '400': ERRORS['400'] },
      },
    },
    ...CLINICAL_PATHS,
    ...BREAK_GLASS_PATHS,
  }),
  components: { schemas: { ...OPENAPI_SCHEMAS, ...CLINICAL_SCHEMAS }, securitySchemes: SECURITY_SCHEMES },
} as const;
