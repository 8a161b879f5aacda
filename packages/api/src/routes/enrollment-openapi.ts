/** The OpenAPI paths of the enrollment decisions (`enrollment.ts`), described when they are mounted. */
import { body, ERRORS, json, param, problemResponse, type Schema } from '../openapi-parts.js';

const STATE: Schema = { type: 'string', enum: ['pending', 'approved', 'rejected'] };
const ENROLLMENT: Schema = {
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    state: STATE,
    manufacturer: { type: ['string', 'null'] },
    bootstrapSerial: { type: ['string', 'null'] },
    enrolledAt: { type: ['string', 'null'], format: 'date-time' },
    decision: {
      type: ['object', 'null'],
      properties: {
        state: STATE,
        by: { type: 'string' },
        at: { type: 'string', format: 'date-time' },
        reason: { type: ['string', 'null'] },
      },
    },
  },
};

function decision(what: 'approve' | 'reject') {
  return {
    post: {
      summary:
        what === 'approve'
          ? 'Approve a device enrolled zero-touch: it may connect to MQTT from its next connection'
          : 'Reject a device enrolled zero-touch: it stays refused (device-not-approved); final',
      parameters: [param('deviceId', 'path', 'Device id')],
      requestBody: body({ type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } }),
      responses: {
        '200': json('The device enrollment after the decision', ENROLLMENT),
        ...ERRORS,
        '409': problemResponse('The device is not pending (already decided)'),
        '422': problemResponse('Invalid body'),
      },
    },
  };
}

export const ENROLLMENT_PATHS = {
  '/api/v1/devices/{deviceId}/approve': decision('approve'),
  '/api/v1/devices/{deviceId}/reject': decision('reject'),
  '/api/v1/enrollments': {
    get: {
      summary: 'Devices enrolled zero-touch, optionally by state (docs/ENROLLMENT.md)',
      parameters: [param('state', 'query', 'pending, approved or rejected', STATE)],
      responses: {
        '200': json('Enrollments', {
          type: 'object',
          properties: { enrollments: { type: 'array', items: ENROLLMENT } },
        }),
        ...ERRORS,
      },
    },
  },
};
