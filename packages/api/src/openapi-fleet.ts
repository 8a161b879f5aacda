/** The fleet-status path of the OpenAPI document (GET /api/v1/fleet) and its schema. */
import { ERRORS, json, param, type Schema } from './openapi-parts.js';

const INSTANT: Schema = { type: ['string', 'null'], format: 'date-time' };
const COUNT: Schema = { type: 'integer', minimum: 0 };

const ATTENTION_REASONS = [
  'silent',
  'certificate-expired',
  'certificate-expiring',
  'not-approved',
  'battery-low',
  'clock-skew',
  'device-errors',
  'rejected-messages',
];

const FLEET_DEVICE: Schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    model: { type: ['string', 'null'] },
    enrollment: {
      enum: ['pending', 'approved', 'rejected', null],
      description: 'Zero-touch enrollment state; null for a device registered or first seen connecting',
    },
    lastConnectedAt: INSTANT,
    connected: {
      type: 'boolean',
      description: 'A live MQTT connection now; absent when the gateway runs in another process',
    },
    binding: {
      type: 'object',
      description: "Whether the device is bound, since when and to which patient's ward; never the patient",
      properties: { bound: { type: 'boolean' }, since: INSTANT, wardId: { type: ['string', 'null'] } },
    },
    lastSeenAt: { ...INSTANT, description: 'Ingest time of the newest stored message' },
    lastObservedAt: { ...INSTANT, description: 'Event time (device clock) of that message' },
    battery: { type: ['number', 'null'], description: 'Fraction 0..1, from the newest status that had one' },
    rssiDbm: { type: ['number', 'null'] },
    firmware: { type: ['string', 'null'] },
    clockSkewMs: {
      type: ['number', 'null'],
      description:
        'Median of observedAt − receivedAt over the newest 20 messages; includes transit latency (a correct clock reads slightly negative)',
    },
    certificate: {
      type: ['object', 'null'],
      description: 'The client certificate of its newest connection',
      properties: { notAfter: { type: 'string', format: 'date-time' } },
    },
    counters: {
      type: 'object',
      description: 'Since `observedSince`: messages stored, readings per quality flag, refusals',
      properties: {
        messages: COUNT,
        implausible: COUNT,
        artifact: COUNT,
        late: COUNT,
        clockSkew: COUNT,
        refusedMessages: COUNT,
        refusedItems: COUNT,
      },
    },
    deviceErrors: { type: 'array', items: { type: 'string' }, description: 'Errors of the newest status' },
    attention: { type: 'array', items: { enum: ATTENTION_REASONS } },
  },
};

export const FLEET_PATHS = {
  '/api/v1/fleet': {
    get: {
      summary:
        "Every device's operational status (binding's ward, last seen, battery, signal, clock skew, firmware, certificate expiry, counters) and the reasons it needs attention",
      parameters: [
        param('attention', 'query', '`true`: only the devices with at least one attention reason', {
          type: 'boolean',
        }),
      ],
      responses: {
        '200': json('The fleet, by device id', {
          type: 'object',
          properties: {
            observedSince: {
              type: 'string',
              format: 'date-time',
              description: 'When this process started observing (the status is kept in memory)',
            },
            limits: {
              type: 'object',
              properties: {
                staleAfterMs: COUNT,
                batteryLowFraction: { type: 'number' },
                clockSkewLimitMs: COUNT,
                certificateExpiringWithinMs: COUNT,
              },
            },
            devices: { type: 'array', items: FLEET_DEVICE },
          },
        }),
        ...ERRORS,
      },
    },
  },
} as const;
