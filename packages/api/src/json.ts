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

/** What a waveform segment is made of, whether read from the store or fresh from the processor. */
export interface WaveformSegment {
  readonly deviceId: string;
  readonly patientId: string | null;
  readonly code: string;
  readonly unit: string;
  readonly fsHz: number;
  readonly startAt: number;
  readonly samples: readonly number[];
  readonly boot: string;
  readonly seq: number;
  readonly quality: number;
}

/**
 * A waveform segment as `GET …/waveforms` and the live feeds' `event: waveform` serve it: the stored
 * fields (`startAt` epoch ms, `quality` as the flag bits), and `start`, the same instant in ISO-8601.
 */
export function waveformJson(w: WaveformSegment) {
  return {
    deviceId: w.deviceId,
    patientId: w.patientId,
    code: w.code,
    unit: w.unit,
    fsHz: w.fsHz,
    startAt: w.startAt,
    samples: w.samples,
    boot: w.boot,
    seq: w.seq,
    quality: w.quality,
    start: new Date(w.startAt).toISOString(),
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
