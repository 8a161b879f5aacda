import { qualityNames, type CanonicalReading } from '@wardstream/domain';
import type { Context } from 'hono';
import { problem, RequestProblem } from './problem.js';

/** A reading as the API serves it: instants as ISO-8601, quality as flag names. */
export function readingJson(r: CanonicalReading) {
  return {
    deviceId: r.deviceId,
    patientId: r.patientId,
    code: r.code,
    value: r.value,
    unit: r.unit,
    observedAt: new Date(r.observedAt).toISOString(),
    receivedAt: new Date(r.receivedAt).toISOString(),
    boot: r.boot,
    seq: r.seq,
    quality: qualityNames(r.quality),
  };
}

export function isoOrNull(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

/** The request's JSON object body, or a 400 problem. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new RequestProblem(
      problem('invalid-body', 400, 'the body must be a JSON object (Content-Type: application/json)'),
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestProblem(problem('invalid-body', 400, 'the body must be a JSON object'));
  }
  return body as Record<string, unknown>;
}
