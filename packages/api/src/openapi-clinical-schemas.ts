/** The schemas of the clinical part of the OpenAPI document: alarms, scores, charts, rules, audit. */
import { ref, type Schema } from './openapi-parts.js';

const instant: Schema = { type: 'string', format: 'date-time' };
const instantOrNull: Schema = { type: ['string', 'null'], format: 'date-time' };
const actor: Schema = {
  type: 'string',
  pattern: '^[A-Za-z0-9._@-]{1,64}$',
  description: 'Who acts, as the caller declares it (there is no authentication yet)',
};
const note: Schema = { type: ['string', 'null'], maxLength: 500 };
const strings: Schema = { type: 'array', items: { type: 'string' } };

export const CLINICAL_SCHEMAS = {
  Alarm: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      category: { enum: ['physiological', 'technical', 'score', 'anomaly'] },
      ruleId: { type: 'string' },
      patientId: { type: ['string', 'null'] },
      deviceId: { type: ['string', 'null'] },
      parameter: { type: ['string', 'null'], description: 'MDC code, score name, or null' },
      priority: { enum: ['high', 'medium', 'low'] },
      latching: { type: 'boolean' },
      state: { enum: ['active', 'acknowledged', 'resolved'] },
      conditionActive: { type: 'boolean' },
      message: { type: 'string' },
      onsetAt: instant,
      raisedAt: instant,
      value: { type: ['number', 'null'] },
      limit: { type: ['number', 'null'] },
      details: { type: 'object' },
      acknowledgedAt: instantOrNull,
      acknowledgedBy: { type: ['string', 'null'] },
      silencedUntil: instantOrNull,
      escalations: { type: 'integer' },
      conditionEndedAt: instantOrNull,
      conditionChangedAt: instant,
      resolvedAt: instantOrNull,
      resolvedBy: { type: ['string', 'null'] },
      version: { type: 'integer', description: 'seq of the last event' },
    },
  },
  AlarmHistoryEntry: {
    type: 'object',
    properties: {
      id: { type: 'string', description: '`<alarmId>:<seq>`' },
      seq: { type: 'integer' },
      type: {
        enum: ['raised', 'acknowledged', 'silenced', 'escalated', 'condition-ended', 'condition-returned', 'resolved'],
      },
      at: instant,
      by: { type: 'string', description: '`system` for the engine' },
      note,
    },
  },
  AlarmEvent: {
    description: 'The data of a live `event: alarm`: one state change and the alarm after it',
    allOf: [
      ref('AlarmHistoryEntry'),
      { type: 'object', properties: { alarmId: { type: 'string' }, alarm: ref('Alarm') } },
    ],
  },
  AlarmCommand: {
    type: 'object',
    properties: { by: actor, note },
    required: ['by'],
  },
  ResolveCommand: {
    type: 'object',
    properties: {
      by: actor,
      note: { type: 'string', minLength: 1, maxLength: 500, description: 'Why the alarm is resolved' },
    },
    required: ['by', 'note'],
  },
  SilenceCommand: {
    type: 'object',
    properties: {
      by: actor,
      note,
      durationSeconds: { type: 'number', exclusiveMinimum: 0, description: 'At most the policy maximum' },
    },
    required: ['by', 'durationSeconds'],
  },
  Score: {
    type: 'object',
    properties: {
      patientId: { type: 'string' },
      score: { enum: ['news2', 'qsofa', 'mews'] },
      at: instant,
      value: { type: 'number', description: 'Over the parameters present' },
      complete: { type: 'boolean' },
      missing: strings,
      stale: strings,
      subscores: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
      band: { type: ['string', 'null'], description: 'null when partial' },
      inputs: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: {
            value: { type: ['number', 'string', 'boolean'] },
            observedAt: instant,
            source: { type: 'string', description: 'MDC code, `charted` or `context`' },
          },
        },
      },
    },
  },
  EcgWindow: {
    type: 'object',
    description: 'One 5 s window of an analysed ECG lead (docs/CLINICAL.md, ECG)',
    properties: {
      deviceId: { type: 'string' },
      patientId: { type: ['string', 'null'] },
      code: { type: 'string', description: 'The lead, e.g. MDC_ECG_ELEC_POTL_II' },
      at: { ...instant, description: 'End of the window (event time)' },
      heartRateBpm: { type: ['number', 'null'], description: 'Median of the last 8 RR intervals' },
      lastRrMs: { type: ['number', 'null'] },
      sdnnMs: { type: ['number', 'null'], description: 'Over the last 5 minutes' },
      rmssdMs: { type: ['number', 'null'], description: 'Over the last 5 minutes' },
      rrCount: { type: 'integer', description: 'RR intervals in the HRV window' },
      sqi: { type: ['number', 'null'], description: 'Mean signal-quality index of the window, 0–1' },
      quality: {
        type: ['string', 'null'],
        enum: ['good', 'low-amplitude', 'noisy', 'flat', 'saturated', null],
        description: 'Quality of its last second',
      },
      beatsAt: { type: 'array', items: { type: 'integer' }, description: 'Detected beats in the window, epoch ms' },
    },
  },
  EcgWindows: {
    type: 'object',
    properties: {
      from: instant,
      to: instant,
      latest: { oneOf: [{ $ref: '#/components/schemas/EcgWindow' }, { type: 'null' }] },
      windows: { type: 'array', items: { $ref: '#/components/schemas/EcgWindow' } },
    },
  },
  ObservationInput: {
    type: 'object',
    description:
      'kind consciousness: `value` A|C|V|P|U; oxygen: `onOxygen`; spo2Scale: `scale` 1|2; vital: `code` (numeric catalogue code or alias) and `value` in its canonical unit',
    properties: {
      kind: { enum: ['consciousness', 'oxygen', 'spo2Scale', 'vital'] },
      value: { type: ['string', 'number'] },
      onOxygen: { type: 'boolean' },
      scale: { enum: [1, 2] },
      code: { type: 'string' },
      observedAt: { type: ['string', 'integer'], description: 'ISO-8601 or epoch ms; default now' },
      recordedBy: actor,
      id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'Client id for safe retries' },
    },
    required: ['kind', 'recordedBy'],
  },
  Observation: {
    type: 'object',
    description: 'The input fields with the stored id, patientId and recordedAt',
    properties: {
      id: { type: 'string' },
      patientId: { type: 'string' },
      kind: { enum: ['consciousness', 'oxygen', 'spo2Scale', 'vital'] },
      observedAt: instant,
      recordedAt: instant,
      recordedBy: { type: 'string' },
    },
  },
  AlarmRule: {
    type: 'object',
    description:
      'kind `threshold` (id, label, codes, direction, limit, hysteresis, delayMs, clearDelayMs, priority, latching, enabled, source) or `news2Band` (id, label, band, response, delayMs, clearDelayMs, priority, latching, enabled, source); every field required',
    properties: { kind: { enum: ['threshold', 'news2Band'] }, id: { type: 'string' } },
    required: ['kind', 'id'],
  },
  RuleSet: {
    type: 'object',
    properties: {
      scope: { type: 'object', description: '{kind: default} | {kind: ward, wardId} | {kind: patient, patientId}' },
      rules: { type: 'array', items: ref('AlarmRule') },
      version: { type: 'integer', description: '0 when the scope was never set' },
      updatedAt: instantOrNull,
      updatedBy: { type: ['string', 'null'] },
    },
  },
  RuleSetInput: {
    type: 'object',
    properties: {
      by: actor,
      rules: { type: 'array', items: ref('AlarmRule') },
      expectedVersion: { type: 'integer', minimum: 0, description: 'Alternative to If-Match' },
    },
    required: ['by', 'rules'],
  },
  AlarmBurden: {
    type: 'object',
    properties: {
      from: instant,
      to: instant,
      monitoredPatientHours: { type: 'number' },
      bedDays: { type: 'number' },
      raised: { type: 'integer' },
      byType: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            category: { type: 'string' },
            priority: { type: 'string' },
            count: { type: 'integer' },
            perPatientHour: { type: ['number', 'null'] },
            perBedDay: { type: ['number', 'null'] },
          },
        },
      },
      acknowledged: { type: 'integer' },
      shareAcknowledged: { type: ['number', 'null'] },
      timeToAcknowledgeMs: {
        type: ['object', 'null'],
        properties: { p50: { type: 'number' }, p90: { type: 'number' }, mean: { type: 'number' } },
      },
    },
  },
  AuditEntry: {
    type: 'object',
    properties: {
      seq: { type: 'integer' },
      at: instant,
      actor: { type: 'string' },
      action: { type: 'string', description: 'e.g. alarm.acknowledge, rules.put, charted.record' },
      subject: { type: 'string', description: 'e.g. alarm:<id>, patient:<id>, ward:<id>, rules:default' },
      details: { type: 'object' },
    },
  },
} as const;
