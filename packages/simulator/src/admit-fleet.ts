import { isValidId, type DeviceId } from '@wardstream/domain';
import { SimulationError } from './run-simulation.js';

/** The ward simulated patients are admitted to unless told otherwise. */
export const DEFAULT_ADMIT_WARD = 'sim-ward';
/** The `model` the simulated devices are registered with. */
export const SIMULATED_DEVICE_MODEL = 'simulated bedside monitor';
const DEFAULT_CONCURRENCY = 8;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Where to admit a fleet: the HTTP API, the ward, and the credentials. */
export interface AdmitTarget {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl: string;
  readonly wardId: string;
  /** Sent as `Authorization: Bearer …` when given. */
  readonly token?: string;
}

/** A fleet to admit: its devices as the fleet names them (`{devicePrefix}{n}`), and where. */
export interface AdmitOptions extends AdmitTarget {
  readonly deviceIds: readonly DeviceId[];
  readonly devicePrefix: string;
  /** Requests in flight at once; default 8. */
  readonly concurrency?: number;
  /** A request unanswered this long fails the admission; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Aborting fails the requests under way (Ctrl-C while admitting). */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

/** What an admission did. */
export interface AdmitCounts {
  readonly patientsCreated: number;
  readonly devicesCreated: number;
  /** Devices bound to their patient by this call. */
  readonly admitted: number;
  /** Devices already bound to their patient (an open binding), left as they were. */
  readonly alreadyBound: number;
}

/** Every problem with a target, each a short sentence; empty when it is usable. */
export function admitProblems(t: AdmitTarget): string[] {
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(t.apiUrl);
  } catch {
    // reported below
  }
  if (url === undefined || !['http:', 'https:'].includes(url.protocol))
    problems.push(`the API URL "${t.apiUrl}" is not an http:// or https:// URL`);
  if (!isValidId(t.wardId)) problems.push(`the ward "${t.wardId}" is not a valid id (1-64 of A-Z a-z 0-9 . _ -)`);
  if (t.token !== undefined && !/^[\x21-\x7e]+$/.test(t.token))
    problems.push('the token must be printable ASCII without spaces');
  return problems;
}

/** One device of the fleet and the patient it belongs to: `sim-0007` → `sim-pt-0007`, "Simulated patient 7". */
interface Member {
  readonly deviceId: DeviceId;
  readonly patientId: string;
  readonly displayName: string;
}

/** A device's bindings as the API lists them: bound (open binding) or free from an instant on. */
type BindingState = { readonly bound: string } | { readonly freeFromAt: number };

/**
 * Registers one patient per device of the fleet (`{prefix}pt-{n}` on the ward, "Simulated patient n"),
 * registers the device (model "simulated bedside monitor"), and admits the device to its patient, through
 * `POST /api/v1/patients`, `POST /api/v1/devices` and `POST /api/v1/bindings`. A device with no binding at
 * all is admitted from epoch 0, so that readings from clocks skewed into the past still belong to the
 * patient; one whose bindings have all ended is admitted from the end of the last. Idempotent: a device
 * already bound to its patient is left as it is. Every device's bindings are read before anything is
 * written, and a device bound to another patient fails the whole call with nothing changed: the simulator
 * never moves a device. Rejects with SimulationError: `config` for unusable options, `admit` naming the
 * request and the API's problem `detail` when a request fails, or naming the device and its patient when
 * a device is bound elsewhere.
 */
export async function admitFleet(o: AdmitOptions): Promise<AdmitCounts> {
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  const problems = admitProblems(o);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    problems.push('the concurrency must be a positive integer');
  if (o.requestTimeoutMs !== undefined && !(o.requestTimeoutMs > 0))
    problems.push('the request timeout must be positive');
  if (problems.length > 0) throw new SimulationError('config', problems.join('; '));
  const members = o.deviceIds.map((id) => memberOf(id, o.devicePrefix));
  const api = new AdmitApi(o);

  const states = new Array<BindingState>(members.length);
  await forEachLimit(members, concurrency, async (m, i) => {
    states[i] = await api.bindingState(m.deviceId);
  });
  const elsewhere = members.flatMap((m, i) => {
    const state = states[i];
    return state !== undefined && 'bound' in state && state.bound !== m.patientId ? [{ m, patient: state.bound }] : [];
  });
  const [first] = elsewhere;
  if (first !== undefined) {
    const more = elsewhere.length > 1 ? ` (${elsewhere.length - 1} more devices are bound to other patients)` : '';
    throw boundElsewhere(first.m, first.patient, `${more}; nothing was changed`);
  }

  const counts = { patientsCreated: 0, devicesCreated: 0, admitted: 0, alreadyBound: 0 };
  await forEachLimit(members, concurrency, async (m, i) => {
    const patient = { id: m.patientId, displayName: m.displayName, wardId: o.wardId };
    if ((await api.post(`register patient ${m.patientId}`, 'api/v1/patients', patient, [200, 201])) === 201)
      counts.patientsCreated++;
    const device = { id: m.deviceId, model: SIMULATED_DEVICE_MODEL };
    if ((await api.post(`register device ${m.deviceId}`, 'api/v1/devices', device, [200, 201])) === 201)
      counts.devicesCreated++;
    const state = states[i] ?? { freeFromAt: 0 };
    if ('bound' in state) {
      counts.alreadyBound++;
      return;
    }
    const binding = { deviceId: m.deviceId, patientId: m.patientId, from: state.freeFromAt };
    const what = `admit device ${m.deviceId} to patient ${m.patientId}`;
    if ((await api.post(what, 'api/v1/bindings', binding, [201, 409])) === 201) {
      counts.admitted++;
      return;
    }
    // 409: bound by someone else since it was read. Fine if to this patient; never moved otherwise.
    const now = await api.bindingState(m.deviceId);
    if (!('bound' in now))
      throw new SimulationError('admit', `cannot ${what}: the API answered 409 but lists no open binding`);
    if (now.bound !== m.patientId) throw boundElsewhere(m, now.bound, '');
    counts.alreadyBound++;
  });
  return counts;
}

/** One device to bind to one named patient (`wardstream replay --patient`). */
export interface AdmitDeviceOptions extends AdmitTarget {
  readonly deviceId: DeviceId;
  readonly patientId: string;
  /** The patient's display name, should it have to be registered. */
  readonly displayName: string;
  /** The `model` the device is registered with. */
  readonly deviceModel: string;
  readonly requestTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

/** What `admitDevice` did. */
export interface AdmitDeviceResult {
  /** The patient did not exist and was registered (on the target's ward). */
  readonly patientCreated: boolean;
  /** The device was bound to the patient by this call; false when it already was. */
  readonly admitted: boolean;
}

/**
 * Binds one device to one patient through the API, as `admitFleet` does for a fleet: the device's bindings
 * are read first, and a device bound to another patient fails the call with nothing changed. Unlike
 * `admitFleet` the patient may be a real one: it is registered (with `displayName`, on the ward) only when
 * it does not exist yet, never updated. The device is registered (or its model updated) and, when free,
 * admitted from epoch 0 or from the end of its last binding. Rejects with SimulationError (`config`,
 * `admit`) naming the request and the API's answer.
 */
export async function admitDevice(o: AdmitDeviceOptions): Promise<AdmitDeviceResult> {
  const problems = admitProblems(o);
  if (!isValidId(o.patientId))
    problems.push(`the patient "${o.patientId}" is not a valid id (1-64 of A-Z a-z 0-9 . _ -)`);
  if (problems.length > 0) throw new SimulationError('config', problems.join('; '));
  const api = new AdmitApi(o);
  const device = o.deviceId;
  const patient = o.patientId;
  const elsewhere = (other: string) =>
    new SimulationError(
      'admit',
      `device ${device} is already bound to patient ${other}, not ${patient}: discharge it first ` +
        '(POST /api/v1/bindings/{id}/discharge), or use another device id',
    );
  const state = await api.bindingState(device);
  if ('bound' in state && state.bound !== patient) throw elsewhere(state.bound);
  const lookup = await api.get(
    `look up patient ${patient}`,
    `api/v1/patients/${encodeURIComponent(patient)}`,
    [200, 404],
  );
  let patientCreated = false;
  if (lookup === 404) {
    const body = { id: patient, displayName: o.displayName, wardId: o.wardId };
    patientCreated = (await api.post(`register patient ${patient}`, 'api/v1/patients', body, [200, 201])) === 201;
  }
  await api.post(`register device ${device}`, 'api/v1/devices', { id: device, model: o.deviceModel }, [200, 201]);
  if ('bound' in state) return { patientCreated, admitted: false };
  const what = `admit device ${device} to patient ${patient}`;
  const binding = { deviceId: device, patientId: patient, from: state.freeFromAt };
  if ((await api.post(what, 'api/v1/bindings', binding, [201, 409])) === 201) return { patientCreated, admitted: true };
  const now = await api.bindingState(device);
  if (!('bound' in now))
    throw new SimulationError('admit', `cannot ${what}: the API answered 409 but lists no open binding`);
  if (now.bound !== patient) throw elsewhere(now.bound);
  return { patientCreated, admitted: false };
}

/** The summary line of an admission, e.g. `admitted 20 devices to 20 patients on ward sim-ward (0 already bound)`. */
export function describeAdmission(counts: AdmitCounts, wardId: string): string {
  const n = counts.admitted + counts.alreadyBound;
  return `admitted ${n} devices to ${n} patients on ward ${wardId} (${counts.alreadyBound} already bound)`;
}

function memberOf(id: DeviceId, prefix: string): Member {
  const n = id.slice(prefix.length);
  const patientId = `${prefix}pt-${n}`;
  if (!id.startsWith(prefix) || n === '' || !isValidId(patientId))
    throw new SimulationError('config', `device ${id} cannot be given a patient id of the form ${prefix}pt-N`);
  return { deviceId: id, patientId, displayName: `Simulated patient ${/^\d+$/.test(n) ? Number(n) : n}` };
}

function boundElsewhere(m: Member, patient: string, tail: string): SimulationError {
  return new SimulationError(
    'admit',
    `device ${m.deviceId} is already bound to patient ${patient}, not ${m.patientId}${tail}: ` +
      'discharge it first, or use another device prefix',
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The few requests an admission makes, each failure a one-line SimulationError naming it. */
class AdmitApi {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(o: AdmitTarget & Pick<AdmitOptions, 'requestTimeoutMs' | 'signal' | 'fetch'>) {
    this.base = o.apiUrl.replace(/\/?$/, '/');
    this.fetch = o.fetch ?? fetch;
    this.timeoutMs = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.signal = o.signal;
    this.headers = {
      accept: 'application/json, application/problem+json',
      ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
    };
  }

  /** Reads `GET /api/v1/bindings?deviceId=`: the open binding's patient, or when the device is free. */
  async bindingState(id: DeviceId): Promise<BindingState> {
    const url = new URL('api/v1/bindings', this.base);
    url.searchParams.set('deviceId', id);
    const what = `look up the bindings of device ${id}`;
    const { body } = await this.send(what, 'GET', url, undefined, [200]);
    const list = isRecord(body) ? body['bindings'] : undefined;
    if (!Array.isArray(list)) throw new SimulationError('admit', `${what}: GET ${url.href} did not answer {bindings}`);
    let freeFromAt = 0;
    for (const b of list as unknown[]) {
      const to = isRecord(b) ? b['to'] : undefined;
      const patient = isRecord(b) ? b['patientId'] : undefined;
      if (typeof patient !== 'string' || (to !== null && typeof to !== 'string'))
        throw new SimulationError('admit', `${what}: GET ${url.href} answered a binding without patientId or to`);
      if (to === null) return { bound: patient };
      const toAt = Date.parse(to);
      if (Number.isNaN(toAt)) throw new SimulationError('admit', `${what}: a binding ends at "${to}", not a time`);
      freeFromAt = Math.max(freeFromAt, toAt);
    }
    return { freeFromAt };
  }

  /** GETs `path`; resolves with the status when it is one of `expected`. */
  async get(what: string, path: string, expected: readonly number[]): Promise<number> {
    return (await this.send(what, 'GET', new URL(path, this.base), undefined, expected)).status;
  }

  /** POSTs `body` as JSON; resolves with the status when it is one of `expected`. */
  async post(what: string, path: string, body: unknown, expected: readonly number[]): Promise<number> {
    return (await this.send(what, 'POST', new URL(path, this.base), body, expected)).status;
  }

  private async send(
    what: string,
    method: 'GET' | 'POST',
    url: URL,
    body: unknown,
    expected: readonly number[],
  ): Promise<{ status: number; body: unknown }> {
    const request = `${method} ${url.href}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal === undefined ? timeout : AbortSignal.any([this.signal, timeout]);
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, {
        method,
        signal,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (err) {
      const cause = (err as Error).cause;
      const why = timeout.aborted
        ? `no answer within ${this.timeoutMs / 1000} s`
        : cause instanceof Error
          ? `${(err as Error).message} (${cause.message})`
          : (err as Error).message;
      throw new SimulationError('admit', `cannot ${what}: ${request} failed: ${why}`, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (expected.includes(response.status)) return { status: response.status, body: parsed };
    throw new SimulationError(
      'admit',
      `cannot ${what}: ${request} answered ${response.status}: ${problemDetail(parsed, text, response.statusText)}`,
    );
  }
}

/** An RFC 9457 problem's `detail` (or `title`), else the start of the body, on one line. */
function problemDetail(body: unknown, text: string, statusText: string): string {
  const field = (name: string): string | undefined => {
    const v = isRecord(body) ? body[name] : undefined;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const detail = field('detail') ?? field('title') ?? (text.trim() === '' ? statusText : text.slice(0, 200));
  return detail.replace(/\s+/g, ' ').trim();
}

/**
 * Calls `fn` for every item, at most `limit` at a time. After a failure no new call starts; the calls
 * under way are awaited, then the first failure is thrown.
 */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        await fn(items[index] as T, index);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
