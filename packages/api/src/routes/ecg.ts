import type { EcgMetrics } from '@wardstream/clinical';
import type { Context, Hono } from 'hono';
import type { ApiDeps, ClinicalApiDeps } from '../deps.js';
import { intParam, ParamErrors } from '../params.js';
import { windowParams } from './scores.js';
import { deviceDataSince, deviceParam, knownPatient } from './subjects.js';

const HOUR_MS = 3_600_000;
const iso = (at: number): string => new Date(at).toISOString();

/** One ECG metrics window as served: instants as ISO-8601 (and epoch ms for the beats, compact). */
export function ecgJson(m: EcgMetrics) {
  return {
    deviceId: m.deviceId,
    patientId: m.patientId,
    code: m.code,
    at: iso(m.at),
    heartRateBpm: m.heartRateBpm,
    lastRrMs: m.lastRrMs,
    sdnnMs: m.sdnnMs,
    rmssdMs: m.rmssdMs,
    rrCount: m.rrCount,
    sqi: m.sqi,
    quality: m.quality,
    beatsAt: m.beatsAt,
  };
}

/**
 * ECG heart rate, RR, HRV (SDNN, RMSSD over 5 min), signal quality and the detected beats, one
 * window per 5 s of signal per device and lead, as the clinical service computed them:
 * `GET /api/v1/patients/{id}/ecg` and `GET /api/v1/devices/{id}/ecg` with `from`, `to` (default
 * the last hour) and `limit` (default 720, at most 10,000); `latest` is the newest window.
 */
export function mountEcgRoutes(app: Hono, deps: ApiDeps, clinical: ClinicalApiDeps): void {
  const serve = (
    c: Context,
    subject: { patientId: string } | { deviceId: string },
    errors: ParamErrors,
    since = -Infinity,
  ) => {
    const { fromAt, toAt } = windowParams(c, errors, deps.clock.now(), HOUR_MS);
    const limit = intParam(errors, 'limit', c.req.query('limit'), 720, 1, 10_000);
    errors.throwIfAny();
    const windows = clinical.store.ecgMetrics(subject, Math.min(Math.max(fromAt, since), toAt), toAt, limit);
    const latest = windows.at(-1);
    return c.json({
      from: iso(fromAt),
      to: iso(toAt),
      latest: latest === undefined ? null : ecgJson(latest),
      windows: windows.map(ecgJson),
    });
  };
  app.get('/api/v1/patients/:patientId/ecg', async (c) => {
    const errors = new ParamErrors();
    const patientId = await knownPatient(c, deps);
    return serve(c, { patientId }, errors);
  });
  app.get('/api/v1/devices/:deviceId/ecg', async (c) => {
    const id = deviceParam(c);
    return serve(c, { deviceId: id }, new ParamErrors(), await deviceDataSince(c, deps, id));
  });
}
