import { basename } from 'node:path';
import { DEFAULT_WIRE_LIMITS, isValidId, parseEventTime } from '@wardstream/domain';
import {
  DEFAULT_ADMIT_WARD,
  admitProblems,
  numberFlag,
  parseFlags,
  readTlsFlags,
  stringFlag,
  UsageError,
  type FlagSpecs,
  type Flags,
  type TlsSource,
} from '@wardstream/simulator';

/** The options of `wardstream replay` (see HELP in replay-command.ts). */
export const REPLAY_FLAGS: FlagSpecs = {
  help: 'boolean',
  record: 'string',
  fs: 'string',
  device: 'string',
  patient: 'string',
  api: 'string',
  ward: 'string',
  token: 'string',
  'mqtt-url': 'string',
  url: 'string',
  protocol: 'string',
  'tls-cert': 'string',
  'tls-key': 'string',
  'tls-ca': 'string',
  speed: 'string',
  'chunk-ms': 'string',
  channels: 'string',
  map: 'string',
  'start-at': 'string',
  offset: 'string',
  duration: 'string',
  loop: 'boolean',
  'max-inflight': 'string',
  'max-payload-bytes': 'string',
  'connect-timeout': 'string',
  'drain-timeout': 'string',
  'progress-interval': 'string',
  quiet: 'boolean',
};

export const REPLAY_DEFAULTS = {
  mqttUrl: 'mqtt://127.0.0.1:1884',
  chunkMs: 250,
  maxInflight: 64,
  connectTimeoutMs: 10_000,
  drainTimeoutMs: 10_000,
  progressIntervalMs: 2_000,
} as const;

/** Where and how to admit the replayed device (`--patient` with `--api`). */
export interface ReplayAdmit {
  readonly apiUrl: string;
  readonly patientId: string;
  readonly wardId: string;
  readonly token?: string;
}

export interface ReplayArgs {
  readonly record: string;
  readonly fsHz?: number;
  /** The device id given, or undefined: derived from the record's name once it is read. */
  readonly deviceId?: string;
  readonly admit?: ReplayAdmit;
  readonly mqttUrl: string;
  readonly protocolVersion: 4 | 5;
  readonly tls?: TlsSource;
  readonly speed: number | 'max';
  readonly chunkMs: number;
  readonly chunkMsExplicit: boolean;
  readonly channels?: readonly string[];
  readonly map?: ReadonlyMap<string, string>;
  readonly startAt: number | 'now';
  readonly offsetS: number;
  readonly durationS?: number;
  readonly loop: boolean;
  readonly maxInflight: number;
  readonly maxPayloadBytes: number;
  readonly connectTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly progressIntervalMs: number;
  readonly quiet: boolean;
}

/** `--help`, or the options of a command line; throws UsageError naming the first bad flag. */
export async function parseReplayArgs(argv: readonly string[]): Promise<'help' | ReplayArgs> {
  const flags = parseFlags(argv, REPLAY_FLAGS);
  if (flags.has('help')) return 'help';
  const record = stringFlag(flags, 'record');
  if (record === undefined || record === '') throw new UsageError('--record PATH is required (a WFDB .hea or a CSV)');
  const deviceId = stringFlag(flags, 'device');
  if (deviceId !== undefined && !isValidId(deviceId))
    throw new UsageError(`--device "${deviceId}" is not a valid device id (1-64 of A-Z a-z 0-9 . _ -)`);
  const fsHz = positiveOf(flags, 'fs');
  const tls = await readTlsFlags(flags);
  const durationS = positiveOf(flags, 'duration');
  const mqttUrl = mqttUrlOf(flags, tls !== undefined);
  const admit = admitOf(flags);
  const chunkMs = positiveOf(flags, 'chunk-ms');
  return {
    record,
    ...(fsHz === undefined ? {} : { fsHz }),
    ...(deviceId === undefined ? {} : { deviceId }),
    ...(admit === undefined ? {} : { admit }),
    mqttUrl,
    protocolVersion: protocolOf(flags),
    ...(tls === undefined ? {} : { tls }),
    speed: speedOf(flags),
    chunkMs: chunkMs ?? REPLAY_DEFAULTS.chunkMs,
    chunkMsExplicit: chunkMs !== undefined,
    ...listsOf(flags),
    startAt: startAtOf(flags),
    offsetS: numberFlag(flags, 'offset', { min: 0 }) ?? 0,
    ...(durationS === undefined ? {} : { durationS }),
    loop: flags.has('loop'),
    maxInflight: numberFlag(flags, 'max-inflight', { integer: true, min: 1 }) ?? REPLAY_DEFAULTS.maxInflight,
    maxPayloadBytes:
      numberFlag(flags, 'max-payload-bytes', { integer: true, min: 1024 }) ?? DEFAULT_WIRE_LIMITS.maxPayloadBytes,
    connectTimeoutMs: secondsOf(flags, 'connect-timeout') ?? REPLAY_DEFAULTS.connectTimeoutMs,
    drainTimeoutMs: secondsOf(flags, 'drain-timeout', 0) ?? REPLAY_DEFAULTS.drainTimeoutMs,
    progressIntervalMs: secondsOf(flags, 'progress-interval') ?? REPLAY_DEFAULTS.progressIntervalMs,
    quiet: flags.has('quiet'),
  };
}

/** The device id of a replay without `--device`: `replay-` and the record's name, made a valid id. */
export function defaultDeviceId(recordName: string): string {
  const cleaned = basename(recordName)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 57);
  return `replay-${cleaned === '' ? 'record' : cleaned}`;
}

/** A flag that must be a number above 0, or undefined when absent. */
function positiveOf(flags: Flags, name: string): number | undefined {
  const value = numberFlag(flags, name);
  if (value !== undefined && !(value > 0)) throw new UsageError(`--${name} must be more than 0`);
  return value;
}

function secondsOf(flags: Flags, name: string, min = 0.001): number | undefined {
  const s = numberFlag(flags, name, { min });
  return s === undefined ? undefined : s * 1000;
}

/** `--speed X` (a positive factor; 1 = real time) or `--speed max`. */
function speedOf(flags: Flags): number | 'max' {
  const text = stringFlag(flags, 'speed');
  if (text === undefined) return 1;
  if (text === 'max') return 'max';
  const speed = Number(text);
  if (text.trim() === '' || !Number.isFinite(speed) || speed <= 0)
    throw new UsageError(
      `--speed must be a positive number (1 = real time, 10 = ten times faster) or max, not "${text}"`,
    );
  return speed;
}

/** `--start-at now` (default), an ISO-8601 instant with an offset, or epoch milliseconds. */
function startAtOf(flags: Flags): number | 'now' {
  const text = stringFlag(flags, 'start-at');
  if (text === undefined || text === 'now') return 'now';
  const at = parseEventTime(/^-?\d+$/.test(text) ? Number(text) : text);
  if (at === undefined)
    throw new UsageError(
      `--start-at must be now, ISO-8601 with an offset (2026-11-25T08:00:00Z) or epoch ms, not "${text}"`,
    );
  return at;
}

function mqttUrlOf(flags: Flags, tls: boolean): string {
  const [a, b] = [stringFlag(flags, 'mqtt-url'), stringFlag(flags, 'url')];
  if (a !== undefined && b !== undefined) throw new UsageError('give --mqtt-url or --url (the same option), not both');
  const url = a ?? b ?? REPLAY_DEFAULTS.mqttUrl;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--mqtt-url "${url}" is not a URL (e.g. mqtt://127.0.0.1:1884)`);
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'].includes(parsed.protocol))
    throw new UsageError(`--mqtt-url: unsupported scheme ${parsed.protocol} (mqtt:// or mqtts://)`);
  if (tls && !['mqtts:', 'tls:', 'wss:'].includes(parsed.protocol))
    throw new UsageError('TLS client certificates need an mqtts:// URL');
  return url;
}

function protocolOf(flags: Flags): 4 | 5 {
  const text = stringFlag(flags, 'protocol');
  if (text === undefined || text === '5') return 5;
  if (text === '4') return 4;
  throw new UsageError(`--protocol must be 4 (MQTT 3.1.1) or 5, not "${text}"`);
}

/** `--patient ID --api URL [--ward W] [--token T]`: all or nothing. */
function admitOf(flags: Flags): ReplayAdmit | undefined {
  const patientId = stringFlag(flags, 'patient');
  const apiUrl = stringFlag(flags, 'api');
  if (patientId === undefined) {
    const stray = ['api', 'ward', 'token'].find((name) => flags.has(name));
    if (stray !== undefined) throw new UsageError(`--${stray} only applies with --patient ID`);
    return undefined;
  }
  if (apiUrl === undefined)
    throw new UsageError('--patient needs --api URL (e.g. http://127.0.0.1:8080) to bind the device to the patient');
  if (!isValidId(patientId))
    throw new UsageError(`--patient "${patientId}" is not a valid patient id (1-64 of A-Z a-z 0-9 . _ -)`);
  const token = stringFlag(flags, 'token');
  const target = {
    apiUrl,
    wardId: stringFlag(flags, 'ward') ?? DEFAULT_ADMIT_WARD,
    ...(token === undefined ? {} : { token }),
  };
  const [problem] = admitProblems(target);
  if (problem !== undefined) throw new UsageError(`--api: ${problem}`);
  return { ...target, patientId };
}

/** `--channels A,B` and `--map NAME=CODE,NAME=CODE`. */
function listsOf(flags: Flags): { channels?: readonly string[]; map?: ReadonlyMap<string, string> } {
  const channelsText = stringFlag(flags, 'channels');
  const channels = channelsText?.split(',').map((s) => s.trim());
  if (channels?.some((c) => c === '') === true)
    throw new UsageError('--channels: an empty channel name (e.g. --channels MLII,V5)');
  const mapText = stringFlag(flags, 'map');
  let map: Map<string, string> | undefined;
  if (mapText !== undefined) {
    map = new Map();
    for (const pair of mapText.split(',')) {
      const [name, code, ...rest] = pair.split('=').map((s) => s.trim());
      if (name === undefined || name === '' || code === undefined || code === '' || rest.length > 0)
        throw new UsageError(`--map: "${pair}" is not NAME=CODE (e.g. --map V5=MDC_ECG_ELEC_POTL_I)`);
      if (map.has(name)) throw new UsageError(`--map names ${name} twice`);
      map.set(name, code);
    }
  }
  return { ...(channels === undefined ? {} : { channels }), ...(map === undefined ? {} : { map }) };
}
