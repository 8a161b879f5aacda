/** The shared schemas of the OpenAPI document (components.schemas); the clinical ones are apart. */
import { ref } from './openapi-parts.js';

export const OPENAPI_SCHEMAS = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem document',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } },
      },
    },
    required: ['type', 'title', 'status', 'detail'],
  },
  Reading: {
    type: 'object',
    properties: {
      deviceId: { type: 'string' },
      patientId: { type: ['string', 'null'] },
      code: { type: 'string', description: 'MDC reference id' },
      value: { type: 'number', description: 'In the canonical unit of the code' },
      unit: { type: 'string', description: 'UCUM' },
      observedAt: { type: 'string', format: 'date-time', description: 'Event time (device clock)' },
      receivedAt: { type: 'string', format: 'date-time', description: 'Ingest time at the gateway' },
      boot: { type: 'string' },
      seq: { type: 'integer' },
      quality: { type: 'array', items: { enum: ['ok', 'implausible', 'artifact', 'late', 'clockSkew'] } },
    },
  },
  ReadingPage: {
    type: 'object',
    properties: {
      from: { type: 'string' },
      to: { type: 'string' },
      readings: { type: 'array', items: ref('Reading') },
      next: { type: 'string' },
    },
  },
  Aggregates: {
    type: 'object',
    properties: {
      code: { type: 'string' },
      unit: { type: 'string' },
      bucketMs: { type: 'integer' },
      buckets: {
        type: 'array',
        items: {
          type: 'object',
          description:
            'Readings flagged implausible or artifact are left out of count/min/max/mean and counted in `excluded`; min/max/mean are null when count is 0',
          properties: {
            startAt: { type: 'integer', description: 'Bucket start, epoch ms' },
            start: { type: 'string', format: 'date-time' },
            count: { type: 'integer' },
            excluded: { type: 'integer' },
            min: { type: ['number', 'null'] },
            max: { type: ['number', 'null'] },
            mean: { type: ['number', 'null'] },
          },
        },
      },
    },
  },
  WaveformSegment: {
    type: 'object',
    description:
      'One waveform segment of one message, every sample, in the canonical unit of the code. Also the data of `event: waveform` on the live feeds.',
    properties: {
      deviceId: { type: 'string' },
      patientId: { type: ['string', 'null'] },
      code: { type: 'string', description: 'MDC reference id' },
      unit: { type: 'string', description: 'UCUM' },
      fsHz: { type: 'number', description: 'Sample rate; sample k is at startAt + k * 1000 / fsHz' },
      startAt: { type: 'number', description: 'Event time of the first sample, epoch ms' },
      start: { type: 'string', format: 'date-time', description: '`startAt` in ISO-8601' },
      samples: { type: 'array', items: { type: 'number' } },
      boot: { type: 'string' },
      seq: { type: 'integer' },
      quality: { type: 'integer', description: 'Quality flag bits (0: none; 2: artifact, 8: clockSkew)' },
    },
  },
  WaveformSegments: {
    type: 'object',
    properties: { waveforms: { type: 'array', items: ref('WaveformSegment') } },
  },
  WaveformOverview: {
    type: 'object',
    description:
      'Min/max envelope per code over [from, to): at most `points` buckets of `bucketMs` each (the last may be shorter); buckets without samples are left out. Every stored sample counts, whatever its quality.',
    properties: {
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      points: { type: 'integer' },
      bucketMs: { type: 'integer', description: '⌈(to − from) / points⌉' },
      envelopes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            unit: { type: 'string' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  startAt: { type: 'integer', description: 'Bucket start, epoch ms: from + i * bucketMs' },
                  start: { type: 'string', format: 'date-time' },
                  min: { type: 'number' },
                  max: { type: 'number' },
                  count: { type: 'integer', description: 'Samples in the bucket (at least 1)' },
                },
              },
            },
          },
        },
      },
    },
  },
  Patient: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      displayName: { type: ['string', 'null'] },
      wardId: { type: ['string', 'null'] },
    },
  },
  PatientInput: {
    type: 'object',
    properties: { id: { type: 'string' }, displayName: { type: 'string' }, wardId: { type: 'string' } },
    required: ['id'],
  },
  Binding: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      deviceId: { type: 'string' },
      patientId: { type: 'string' },
      from: { type: 'string' },
      to: { type: ['string', 'null'] },
    },
  },
} as const;
