import type { PatientId, WardId } from '@wardstream/domain';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { accessOf } from '../access/context.js';
import { alarmEventJson, scoreJson } from '../clinical-json.js';
import type { ApiDeps } from '../deps.js';
import { readingJson, waveformJson } from '../json.js';
import type { LiveEvent, LiveOptions, LiveTopic } from '../live-hub.js';
import { ParamErrors } from '../params.js';
import { ecgJson } from './ecg.js';
import { deviceParam, knownPatient } from './subjects.js';

const DEFAULT_PING_MS = 15_000;
const DEFAULT_QUEUE_LIMIT = 1_000;
const DEFAULT_REFRESH_MS = 10_000;

/** The SSE event of a live delivery: its name and JSON data. */
function sseOf(event: LiveEvent): { event: string; data: string } {
  switch (event.kind) {
    case 'readings':
      return { event: 'readings', data: JSON.stringify(event.readings.map(readingJson)) };
    case 'waveform':
      return { event: 'waveform', data: JSON.stringify(waveformJson(event.waveform)) };
    case 'alarm':
      return { event: 'alarm', data: JSON.stringify(alarmEventJson(event.event)) };
    case 'score':
      return { event: 'score', data: JSON.stringify(scoreJson(event.score)) };
    case 'ecg':
      return { event: 'ecg', data: JSON.stringify(ecgJson(event.ecg)) };
  }
}

/**
 * `?waveforms=true|false`: whether the feed carries `event: waveform`. The default differs by feed: a
 * patient's or a device's feed is one bedside (a 250 Hz ECG and a pleth are about 500 numbers a
 * second), so it carries them; a ward feed would carry every bed's (30 beds: some 15,000 numbers a
 * second), so it does not unless asked.
 */
function liveOptions(c: Context, byDefault: boolean): LiveOptions {
  const raw = c.req.query('waveforms');
  if (raw === undefined || raw === '') return { waveforms: byDefault };
  if (raw === 'true' || raw === 'false') return { waveforms: raw === 'true' };
  const errors = new ParamErrors();
  errors.add('waveforms', `must be true or false, not "${raw.slice(0, 20)}"`);
  errors.throwIfAny();
  return { waveforms: byDefault };
}

/**
 * Server-sent events: `event: readings` with a JSON array of readings as the processor stores them,
 * `event: waveform` with each stored waveform segment (when `options.waveforms`; the data is a
 * segment as `…/waveforms` serves it), `event: alarm` with each alarm state change (the event and the
 * alarm after it) of the topic's patients or device, `event: score` with each stored score of its
 * patients, `event: ecg` with each ECG window (heart rate, HRV, quality, beats; as `…/ecg` serves
 * it) of its patients or device, and `event: ping` keep-alives. A subscriber that falls more than `liveQueueLimit` events behind gets
 * `event: overflow` and the stream ends (bounded memory); it reconnects and re-reads the latest
 * values, open alarms and scores over REST. When the caller's access ends (the token expires, or
 * the break-glass grant it was opened under) the stream sends `event: expired` and ends; the client
 * reconnects with a fresh token. Every `liveRefreshMs`, access given through a ward or a grant is
 * decided again on the target as it stands (the device's patient, the patient's ward): when it no
 * longer holds, or cannot be established, the stream sends `event: expired` with `ended: "access"`.
 * `refreshTopic`: the topic itself changes (a ward's patients) and is re-read on the same timer.
 */
function liveStream(
  c: Context,
  deps: ApiDeps,
  options: LiveOptions,
  resolveTopic: () => Promise<LiveTopic>,
  refreshTopic = false,
) {
  const { endsAt, grant, recheck } = accessOf(c);
  const refreshMs = deps.liveRefreshMs ?? DEFAULT_REFRESH_MS;
  return streamSSE(c, async (stream) => {
    const queue: LiveEvent[] = [];
    let wake: (() => void) | undefined;
    const state: { overflow: boolean; accessEndedAt?: number } = { overflow: false };
    const limit = deps.liveQueueLimit ?? DEFAULT_QUEUE_LIMIT;
    const listener = (event: LiveEvent) => {
      if (queue.length >= limit) state.overflow = true;
      else queue.push(event);
      wake?.();
    };
    let unsubscribe = deps.live.subscribe(await resolveTopic(), listener, options);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One refresh at a time: the next is scheduled when this one is done.
    const refresh = async () => {
      // Fail closed: access that cannot be established now has ended.
      if (recheck !== undefined && !(await recheck().catch(() => false))) {
        state.accessEndedAt = deps.clock.now();
        wake?.();
        return;
      }
      if (refreshTopic) {
        try {
          const topic = await resolveTopic();
          if (!stopped) {
            unsubscribe();
            unsubscribe = deps.live.subscribe(topic, listener, options);
          }
        } catch {
          // The registry did not answer: keep the topic as it was, try again next time.
        }
      }
      if (!stopped) timer = setTimeout(() => void refresh(), refreshMs);
    };
    if (recheck !== undefined || refreshTopic) timer = setTimeout(() => void refresh(), refreshMs);
    stream.onAbort(() => wake?.());
    try {
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted && !stream.closed) {
        if (deps.clock.now() >= endsAt) {
          const ended = grant !== undefined && grant.expiresAt === endsAt ? 'break-glass' : 'token';
          await stream.writeSSE({
            event: 'expired',
            data: JSON.stringify({ ended, at: new Date(endsAt).toISOString() }),
          });
          break;
        }
        if (state.accessEndedAt !== undefined) {
          await stream.writeSSE({
            event: 'expired',
            data: JSON.stringify({ ended: 'access', at: new Date(state.accessEndedAt).toISOString() }),
          });
          break;
        }
        if (state.overflow) {
          await stream.writeSSE({ event: 'overflow', data: JSON.stringify({ limit }) });
          break;
        }
        const next = queue.shift();
        if (next !== undefined) {
          await stream.writeSSE(sseOf(next));
          continue;
        }
        // Nothing for a whole ping interval (or until the access ends, if sooner): send a keep-alive.
        const waitMs = Math.max(0, Math.min(deps.livePingMs ?? DEFAULT_PING_MS, endsAt - deps.clock.now()));
        const woke = await new Promise<'data' | 'timeout'>((resolve) => {
          wake = () => resolve('data');
          setTimeout(() => resolve('timeout'), waitMs).unref();
        });
        wake = undefined;
        if (woke === 'timeout' && queue.length === 0 && deps.clock.now() < endsAt) {
          await stream.writeSSE({ event: 'ping', data: '{}' });
        }
      }
    } finally {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
    }
  });
}

/** Live feeds of a patient, a device and a ward, and a ward's latest values. */
export function mountLiveRoutes(app: Hono, deps: ApiDeps): void {
  const wardPatients = async (ward: string): Promise<Set<PatientId>> =>
    new Set((await deps.registry.listPatients({ wardId: ward as WardId })).map((p) => p.id));

  app.get('/api/v1/patients/:patientId/live', async (c) => {
    const options = liveOptions(c, true);
    const id = await knownPatient(c, deps);
    return liveStream(c, deps, options, () => Promise.resolve({ kind: 'patients', patientIds: new Set([id]) }));
  });

  app.get('/api/v1/devices/:deviceId/live', (c) => {
    const options = liveOptions(c, true);
    const id = deviceParam(c);
    return liveStream(c, deps, options, () => Promise.resolve({ kind: 'device', deviceId: id }));
  });

  app.get('/api/v1/wards/:wardId/live', (c) => {
    const options = liveOptions(c, false);
    const ward = c.req.param('wardId');
    return liveStream(c, deps, options, async () => ({ kind: 'patients', patientIds: await wardPatients(ward) }), true);
  });

  app.get('/api/v1/wards/:wardId/latest', async (c) => {
    const ward = c.req.param('wardId');
    const patients = await deps.registry.listPatients({ wardId: ward as WardId });
    const latest = await deps.store.latestForPatients(patients.map((p) => p.id));
    return c.json({
      wardId: ward,
      patients: patients.map((p) => ({
        id: p.id,
        displayName: p.displayName,
        readings: (latest.get(p.id) ?? []).map(readingJson),
      })),
    });
  });
}
