import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CertificateAuthority } from '@wardstream/pki';
import { admitFleet, admitProblems, DEFAULT_ADMIT_WARD, describeAdmission, type AdmitTarget } from './admit-fleet.js';
import {
  interruptOnSignals,
  numberFlag,
  parseFlags,
  stringFlag,
  UsageError,
  type CommandIo,
  type FlagSpecs,
  type Flags,
} from './args.js';
import type { TlsMaterial, TlsSource } from './mqtt-transport.js';
import { runSimulation, type FleetIds, type SimulationProgress, type SimulationSummary } from './run-simulation.js';
import { CLOCK_SKEW_KINDS, DEFAULT_SCENARIO_SETTINGS, SCENARIO_NAMES, type ScenarioSettings } from './scenario.js';
import { DEFAULT_SIMULATION_OPTIONS, type SimulationOptions } from './simulation-options.js';

const FLAGS: FlagSpecs = {
  help: 'boolean',
  devices: 'string',
  rate: 'string',
  'device-rate': 'string',
  duration: 'string',
  count: 'string',
  scenario: 'string',
  'mqtt-url': 'string',
  protocol: 'string',
  history: 'string',
  'no-history': 'boolean',
  seed: 'string',
  waveforms: 'boolean',
  'unit-variants': 'boolean',
  'tls-cert': 'string',
  'tls-key': 'string',
  'tls-ca': 'string',
  'tls-dir': 'string',
  'data-dir': 'string',
  'key-dir': 'string',
  'device-prefix': 'string',
  baselines: 'string',
  'max-inflight': 'string',
  'drain-timeout': 'string',
  'connect-timeout': 'string',
  'progress-interval': 'string',
  quiet: 'boolean',
  'deteriorate-after': 'string',
  'deteriorate-over': 'string',
  'arrhythmia-after': 'string',
  'arrhythmia-every': 'string',
  'dropout-after': 'string',
  'dropout-for': 'string',
  'dropout-every': 'string',
  'dropout-mode': 'string',
  skew: 'string',
  'duplicate-share': 'string',
  'malformed-share': 'string',
  'out-of-order-window': 'string',
  'reboot-every': 'string',
  admit: 'string',
  ward: 'string',
  token: 'string',
};

const DEFAULT_HISTORY = 'simulate-history.jsonl';
const DEFAULT_DURATION_S = 60;

const HELP = `Usage: wardstream simulate [options]

A fleet of simulated bedside monitors publishing vital signs over MQTT (QoS 1), recording every
attempt and answer in a history file for \`wardstream check\`. Ctrl-C stops cleanly; a second Ctrl-C
stops without waiting for outstanding answers.

Fleet
  --devices N              number of devices (default: the scenario counts, or 10)
  --rate MSG_PER_S         messages per second over the whole fleet (default: 1 per device)
  --device-rate MSG_PER_S  messages per second per device (instead of --rate)
  --duration S             stop after S seconds (default ${DEFAULT_DURATION_S}; 0 = until Ctrl-C)
  --count N                stop after N messages (instead of --duration)
  --scenario SPEC          e.g. stable:16,deteriorating:4 or deteriorating+duplicates (default stable)
                           scenarios: ${SCENARIO_NAMES.join(', ')}
  --seed N                 seed of every random choice (default ${DEFAULT_SIMULATION_OPTIONS.seed})
  --device-prefix P        device ids are P0001, P0002, … (default ${DEFAULT_SIMULATION_OPTIONS.devicePrefix})
  --baselines bidmc|random patients seeded from BIDMC ICU numerics or drawn at random (default bidmc)
  --waveforms              add ECG lead II and pleth segments (250 Hz) to every message
  --unit-variants          send some readings in [degF], kPa or as fractions

Patients
  --admit API_URL          first bind each device to its own patient through the HTTP API (e.g.
                           http://127.0.0.1:8080): sim-0001 to patient sim-pt-0001 "Simulated patient 1", …
                           (with --device-prefix P: Ppt-0001, …). A device with no binding yet is admitted from
                           1970, so readings from skewed clocks stay with the patient; one bound to its patient
                           is left as it is; one bound to another patient stops the run (exit 1), unchanged
  --ward WARD              the patients' ward (default ${DEFAULT_ADMIT_WARD})
  --token TOKEN            bearer token for the API

Connection
  --mqtt-url URL           default ${DEFAULT_SIMULATION_OPTIONS.mqttUrl} (mqtts://… with --tls-*); several
                           comma-separated: devices spread over them and fail over
  --protocol 4|5           MQTT 3.1.1 (rejections on the errors topic) or 5 (PUBACK reason codes); default 4
  --tls-cert/--tls-key/--tls-ca FILE   mutual TLS: client certificate, its key, the CA (one device)
  --tls-dir DIR            mutual TLS for a fleet: DIR/<device-id>.crt and .key for each device, DIR/ca.crt
                           (the files "wardstream certs issue --out DIR" writes)
  --data-dir DIR           mutual TLS with certificates issued now by the CA of the platform whose data
                           directory is DIR (in DIR-keys/ca; needs read access to it), one per device;
                           the MQTT URL then defaults to mqtts://127.0.0.1:1884
  --key-dir DIR            the same with the platform's key directory given itself (its CA in DIR/ca)
  --max-inflight N         unanswered publishes per device before it skips a turn (default ${DEFAULT_SIMULATION_OPTIONS.maxInflightPerDevice})
  --connect-timeout S      fail if no device connects within S seconds (default ${DEFAULT_SIMULATION_OPTIONS.connectTimeoutMs / 1000})
  --drain-timeout S        at the end, wait up to S seconds for answers (default ${DEFAULT_SIMULATION_OPTIONS.drainTimeoutMs / 1000})

Output
  --history FILE           append the history here (default ${DEFAULT_HISTORY})
  --no-history             keep no history
  --progress-interval S    progress line on stderr every S seconds (default ${DEFAULT_SIMULATION_OPTIONS.progressIntervalMs / 1000})
  --quiet                  no progress lines

Scenario settings
  --deteriorate-after S / --deteriorate-over S   sepsis-like drift start and length (default 0 / ${DEFAULT_SCENARIO_SETTINGS.deteriorationDurationMs / 1000})
  --arrhythmia-after S / --arrhythmia-every S   arrhythmia scenario: first rhythm episode and period (default ${DEFAULT_SCENARIO_SETTINGS.arrhythmiaAfterMs / 1000} / ${DEFAULT_SCENARIO_SETTINGS.arrhythmiaEveryMs / 1000}); in turn
                           extreme tachycardia 165 /min for 45 s, asystole 8 s, extreme bradycardia 32 /min for 45 s
                           (on the ECG with --waveforms; the heart-rate reading follows)
  --dropout-after S / --dropout-for S / --dropout-every S   SpO2 probe dropout timing (default 30 / 45 / 300)
  --dropout-mode silent|artifact|mixed           readings missing, or sent flagged artifact (default mixed)
  --skew +1h|-1d|1970|mixed                      clock-skew kind (default mixed: one per device)
  --duplicate-share F      share of messages re-sent identically (default ${DEFAULT_SCENARIO_SETTINGS.duplicateShare})
  --malformed-share F      share of messages replaced by bad ones (default ${DEFAULT_SCENARIO_SETTINGS.malformedShare})
  --out-of-order-window N  messages shuffled within windows of N (default ${DEFAULT_SCENARIO_SETTINGS.outOfOrderWindow})
  --reboot-every S         reboot period (default ${DEFAULT_SCENARIO_SETTINGS.rebootEveryMs / 1000})
`;

const seconds = (flags: Flags, name: string, min = 0): number | undefined => {
  const s = numberFlag(flags, name, { min });
  return s === undefined ? undefined : s * 1000;
};

function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[]): T | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function scenarioSettings(flags: Flags): ScenarioSettings {
  const d = DEFAULT_SCENARIO_SETTINGS;
  return {
    deteriorationAfterMs: seconds(flags, 'deteriorate-after') ?? d.deteriorationAfterMs,
    deteriorationDurationMs: seconds(flags, 'deteriorate-over') ?? d.deteriorationDurationMs,
    arrhythmiaAfterMs: seconds(flags, 'arrhythmia-after') ?? d.arrhythmiaAfterMs,
    arrhythmiaEveryMs: seconds(flags, 'arrhythmia-every', 0.001) ?? d.arrhythmiaEveryMs,
    dropoutAfterMs: seconds(flags, 'dropout-after') ?? d.dropoutAfterMs,
    dropoutDurationMs: seconds(flags, 'dropout-for', 0.001) ?? d.dropoutDurationMs,
    dropoutEveryMs: seconds(flags, 'dropout-every', 0.001) ?? d.dropoutEveryMs,
    dropoutMode: oneOf(flags, 'dropout-mode', ['silent', 'artifact', 'mixed'] as const) ?? d.dropoutMode,
    clockSkew: oneOf(flags, 'skew', [...CLOCK_SKEW_KINDS, 'mixed'] as const) ?? d.clockSkew,
    duplicateShare: numberFlag(flags, 'duplicate-share', { min: 0, max: 1 }) ?? d.duplicateShare,
    malformedShare: numberFlag(flags, 'malformed-share', { min: 0, max: 1 }) ?? d.malformedShare,
    outOfOrderWindow: numberFlag(flags, 'out-of-order-window', { integer: true, min: 1 }) ?? d.outOfOrderWindow,
    rebootEveryMs: seconds(flags, 'reboot-every', 0.001) ?? d.rebootEveryMs,
    rebootDowntimeMs: d.rebootDowntimeMs,
  };
}

/**
 * The mutual-TLS material named by `--tls-cert`, `--tls-key` and `--tls-ca` (all three, or none: undefined).
 * Throws UsageError naming a missing flag or the first unreadable file.
 */
export async function readTlsFlags(flags: Flags): Promise<TlsSource | undefined> {
  const dir = stringFlag(flags, 'tls-dir');
  const fromPlatform = flags.has('data-dir') || flags.has('key-dir');
  if (fromPlatform && (dir !== undefined || flags.has('tls-cert') || flags.has('tls-key'))) {
    throw new UsageError('give --data-dir (or --key-dir) or --tls-dir or --tls-cert/--tls-key, not several');
  }
  if (flags.has('data-dir') && flags.has('key-dir')) throw new UsageError('give --data-dir or --key-dir, not both');
  if (dir !== undefined) {
    if (flags.has('tls-cert') || flags.has('tls-key'))
      throw new UsageError('give --tls-dir or --tls-cert/--tls-key, not both');
    return tlsDirectory(dir);
  }
  const names = ['tls-cert', 'tls-key', 'tls-ca'] as const;
  const paths = names.map((n) => stringFlag(flags, n));
  if (paths.every((p) => p === undefined)) return undefined;
  const missing = names.filter((_, i) => paths[i] === undefined);
  if (missing.length > 0)
    throw new UsageError(`mutual TLS needs --tls-cert, --tls-key and --tls-ca (missing --${missing.join(', --')})`);
  // One after the other, so the error names the first unreadable file, always the same one.
  const pem: Buffer[] = [];
  for (const [i, name] of names.entries()) {
    const path = paths[i] ?? '';
    try {
      pem.push(await readFile(path));
    } catch (err) {
      throw new UsageError(`cannot read --${name} ${path}: ${(err as Error).message}`);
    }
  }
  const [cert, key, ca] = pem;
  return cert === undefined || key === undefined || ca === undefined ? undefined : { cert, key, ca };
}

/**
 * Each device's certificate and key from `dir` (`<id>.crt`, `<id>.key`) and the CA from `dir/ca.crt`.
 * The CA is read now so a wrong directory fails at once; a device's files are read when it connects
 * (a missing one fails that device's connection, naming the file).
 */
function tlsDirectory(dir: string): TlsSource {
  let ca: Buffer;
  try {
    ca = readFileSync(join(dir, 'ca.crt'));
  } catch (err) {
    throw new UsageError(`cannot read --tls-dir ${dir}/ca.crt: ${(err as Error).message}`);
  }
  const cache = new Map<string, TlsMaterial>();
  return (deviceId: string) => {
    let material = cache.get(deviceId);
    if (material === undefined) {
      material = {
        cert: readFileSync(join(dir, `${deviceId}.crt`)),
        key: readFileSync(join(dir, `${deviceId}.key`)),
        ca,
      };
      cache.set(deviceId, material);
    }
    return material;
  };
}

/** The device CA in `<keyDir>/ca` (`flag` names the option it came from), or UsageError. */
async function openPlatformCa(flag: string, keyDir: string): Promise<CertificateAuthority> {
  const caDir = join(resolve(keyDir), 'ca');
  try {
    return await CertificateAuthority.open(caDir);
  } catch (err) {
    throw new UsageError(`--${flag}: cannot open the platform's CA in ${caDir}: ${(err as Error).message}`);
  }
}

/** Options of a `simulate` command line. Throws UsageError naming the first bad flag. */
export async function simulateOptions(
  flags: Flags,
): Promise<Partial<SimulationOptions> & Pick<SimulationOptions, 'scenarioSettings' | 'waveforms' | 'unitVariants'>> {
  const protocol = oneOf(flags, 'protocol', ['4', '5'] as const);
  const duration = seconds(flags, 'duration');
  const count = numberFlag(flags, 'count', { integer: true, min: 1 });
  if (duration !== undefined && count !== undefined) throw new UsageError('give --duration or --count, not both');
  const history = flags.has('no-history') ? undefined : (stringFlag(flags, 'history') ?? DEFAULT_HISTORY);
  const tls = await readTlsFlags(flags);
  const optional = {
    devices: numberFlag(flags, 'devices', { integer: true, min: 1 }),
    ratePerS: numberFlag(flags, 'rate', { min: 0.001 }),
    deviceRatePerS: numberFlag(flags, 'device-rate', { min: 0.001 }),
    durationMs: count === undefined ? (duration ?? DEFAULT_DURATION_S * 1000) : undefined,
    count,
    historyPath: history,
    tls,
    scenario: stringFlag(flags, 'scenario'),
    mqttUrl: stringFlag(flags, 'mqtt-url'),
    protocolVersion: protocol === undefined ? undefined : protocol === '5' ? (5 as const) : (4 as const),
    seed: stringFlag(flags, 'seed'),
    devicePrefix: stringFlag(flags, 'device-prefix'),
    baselines: oneOf(flags, 'baselines', ['bidmc', 'random'] as const),
    maxInflightPerDevice: numberFlag(flags, 'max-inflight', { integer: true, min: 1 }),
    drainTimeoutMs: seconds(flags, 'drain-timeout'),
    connectTimeoutMs: seconds(flags, 'connect-timeout'),
    progressIntervalMs: seconds(flags, 'progress-interval', 0.1),
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return {
    ...(defined as Partial<SimulationOptions>),
    waveforms: flags.has('waveforms'),
    unitVariants: flags.has('unit-variants'),
    scenarioSettings: scenarioSettings(flags),
  };
}

/** The --admit target, or undefined without --admit. Throws UsageError for a bad one. */
export function admitTarget(flags: Flags): AdmitTarget | undefined {
  const apiUrl = stringFlag(flags, 'admit');
  if (apiUrl === undefined) {
    const stray = ['ward', 'token'].find((name) => flags.has(name));
    if (stray !== undefined) throw new UsageError(`--${stray} only applies with --admit API_URL`);
    return undefined;
  }
  const token = stringFlag(flags, 'token');
  const target = {
    apiUrl,
    wardId: stringFlag(flags, 'ward') ?? DEFAULT_ADMIT_WARD,
    ...(token === undefined ? {} : { token }),
  };
  const [problem] = admitProblems(target);
  if (problem !== undefined) throw new UsageError(`--admit: ${problem}`);
  return target;
}

function progressLine(p: SimulationProgress): string {
  return (
    `simulate: ${(p.elapsedMs / 1000).toFixed(1)} s  connected ${p.connected}/${p.devices}  sent ${p.sent}  ` +
    `acked ${p.acked}  rejected ${p.rejected}  pending ${p.pending}  ${p.ratePerS.toFixed(1)} msg/s` +
    (p.connected < p.devices && p.lastError !== undefined ? `  (${p.lastError})` : '')
  );
}

/** The final summary of a run, as printed on stdout. */
export function formatSimulationSummary(s: SimulationSummary): string {
  const st = s.stats;
  const mix = Object.entries(s.scenarios)
    .map(([label, n]) => `${label} ${n}`)
    .join(', ');
  const row = (label: string, value: number, note = ''): string =>
    `  ${label.padEnd(14)}${String(value).padStart(9)}${note === '' ? '' : `   ${note}`}`;
  return (
    [
      `simulate: ${st.devices} devices (${mix}), ${(s.elapsedMs / 1000).toFixed(1)} s${s.interrupted ? ', interrupted' : ''}`,
      row('messages', st.composed, 'composed'),
      row('publishes', st.sent, 'including deliberate re-sends'),
      row('acknowledged', st.acked),
      row('rejected', st.rejected),
      row('unanswered', st.pending + st.abandoned, 'connection closed or drain timed out before an answer'),
      row('throttled', st.throttled, 'turns skipped: too many unanswered'),
      row('disconnects', st.disconnects),
      s.historyPath === undefined
        ? '  history       none'
        : `  history       ${s.historyPath} (check it: wardstream check --history ${s.historyPath})`,
    ].join('\n') + '\n'
  );
}

/**
 * `wardstream simulate …`: runs a fleet (see --help) and returns the exit code: 0 when the run completed
 * or was interrupted cleanly, 1 when it could not run, 2 for a bad command line. Progress goes to
 * stderr, the summary to stdout. Installs SIGINT/SIGTERM handlers for the duration of the run.
 */
export async function simulateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let options: Partial<SimulationOptions>;
  let flags: Flags;
  let admit: AdmitTarget | undefined;
  // With --data-dir: the platform's CA, and each device's credential once beforeStart has issued it.
  let platformCa: CertificateAuthority | undefined;
  const issued = new Map<string, TlsMaterial>();
  try {
    flags = parseFlags(argv, FLAGS);
    if (flags.has('help')) {
      io.stdout.write(HELP);
      return 0;
    }
    options = await simulateOptions(flags);
    admit = admitTarget(flags);
    const dataDir = stringFlag(flags, 'data-dir');
    const keyDir = stringFlag(flags, 'key-dir') ?? (dataDir === undefined ? undefined : `${resolve(dataDir)}-keys`);
    if (keyDir !== undefined) {
      platformCa = await openPlatformCa(dataDir === undefined ? 'key-dir' : 'data-dir', keyDir);
      options = {
        ...options,
        mqttUrl: options.mqttUrl ?? 'mqtts://127.0.0.1:1884',
        tls: (id: string) => {
          const material = issued.get(id);
          if (material === undefined) throw new Error(`no certificate was issued for ${id}`);
          return material;
        },
      };
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`wardstream simulate: ${err.message} (see --help)\n`);
    return 2;
  }
  const { stop, force, dispose } = interruptOnSignals(io.stderr, 'simulate');
  try {
    const quiet = flags.has('quiet');
    const summary = await runSimulation(options, {
      signal: stop.signal,
      forceSignal: force.signal,
      ...(quiet ? {} : { onProgress: (p: SimulationProgress) => io.stderr.write(progressLine(p) + '\n') }),
      beforeStart: async (fleet: FleetIds) => {
        if (platformCa !== undefined) {
          for (const id of fleet.deviceIds) {
            const credential = await platformCa.issueDevice(id);
            issued.set(id, { cert: credential.certificatePem, key: credential.keyPem, ca: platformCa.certificatePem });
          }
          io.stderr.write(`simulate: issued ${fleet.deviceIds.length} device certificate(s) from ${platformCa.dir}\n`);
        }
        if (admit !== undefined) {
          const counts = await admitFleet({ ...admit, ...fleet, signal: stop.signal });
          io.stderr.write(`simulate: ${describeAdmission(counts, admit.wardId)}\n`);
        }
      },
    });
    io.stdout.write(formatSimulationSummary(summary));
    return 0;
  } catch (err) {
    io.stderr.write(`wardstream simulate: ${(err as Error).message}\n`);
    return 1;
  } finally {
    dispose();
  }
}
