import { Catalogue, DEFAULT_WIRE_LIMITS, deviceId as toDeviceId } from '@wardstream/domain';
import {
  admitDevice,
  DEFAULT_ADMIT_WARD,
  DEFAULT_BACKOFF,
  SimulationError,
  UsageError,
  interruptOnSignals,
  type InterruptSignals,
  type TransportFactory,
} from '@wardstream/simulator';
import type { CommandIo } from '../io.js';
import { ChannelError, planChannels, type ChannelPlan } from './channel-map.js';
import { ChunkError, planChunks, type ChunkPlan, type Section } from './chunking.js';
import { readRecording, RecordingError, type Recording } from './recording.js';
import { defaultDeviceId, parseReplayArgs, REPLAY_DEFAULTS, type ReplayArgs } from './replay-args.js';
import { runReplay, type ReplayProgress, type ReplayRunOptions, type ReplaySummary } from './replay-run.js';

export const REPLAY_HELP = `Usage: wardstream replay --record PATH [options]

Plays a recorded waveform as one live device over MQTT (QoS 1): every --chunk-ms of the recording
becomes one telemetry message whose waveforms[] carry each replayed channel (t0 = start + sample
index / fs), sent when its last sample would have been measured, at --speed times real time.
Ctrl-C stops cleanly (waits for outstanding answers); a second Ctrl-C stops at once.

Recording
  --record PATH            a WFDB record (100 or 100.hea, formats 16 and 212, read with its signal
                           files) or a CSV of signals: a header line (Time [s], RESP, PLETH, II, …;
                           "[unit]" optional), then one line of numbers per sample instant
  --fs HZ                  sampling rate of a CSV without a time column (overrides one)
  --channels LIST          replay only these channels, e.g. MLII or II,PLETH (default: every channel
                           with a waveform code)
  --map NAME=CODE,…        send channel NAME as CODE (MDC code or alias of a waveform, see
                           GET /api/v1/codes), e.g. --map V5=MDC_ECG_ELEC_POTL_I
  --offset S               start S seconds into the recording (default 0)
  --duration S             replay S seconds of it (default: to the end)
  --loop                   start again at the end, until Ctrl-C (event time runs on; seq goes on)

  Channel names map to codes as monitors label them: II, MLII → MDC_ECG_ELEC_POTL_II;
  I, MLI → MDC_ECG_ELEC_POTL_I; PLETH, PPG → MDC_PULS_OXIM_PLETH (or a code or alias as the name).
  Channels without a code are skipped, named in one line on stderr. Values are sent in the record's
  physical unit when the catalogue accepts it for the code (WFDB mV; uV and V are converted by the
  platform); arbitrary units (NU, au) of a dimensionless code such as pleth are sent as "1"; a CSV
  column without "[unit]" is taken to be in the code's unit.

Device
  --device ID              device id (default replay-<record name>)
  --patient ID --api URL   first bind the device to patient ID through the HTTP API (e.g.
                           http://127.0.0.1:8080): the patient is registered if it does not exist
                           (on --ward, default ${DEFAULT_ADMIT_WARD}), never changed if it does; the device
                           is admitted from 1970 (or the end of its last binding); a device bound to
                           another patient stops the replay (exit 1), unchanged
  --token TOKEN            bearer token for the API
  --start-at now|ISO|MS    event time of the first sample (default now). Event times more than 60 s
                           from the platform's clock are stored flagged clockSkew: at --speed above 1
                           they run ahead of the clock (a 30-min record at --speed max is 30 min ahead)

Pace and size
  --speed X|max            1 = real time (default), 10 = ten times faster, max = as fast as the platform
                           acknowledges (at most --max-inflight messages unanswered)
  --chunk-ms MS            recording time per message (default ${REPLAY_DEFAULTS.chunkMs}); rounded to whole
                           samples spanning whole milliseconds (at 360 Hz: multiples of 25 ms), at most
                           8,192 samples; refused if a message could exceed the payload limit (without
                           --chunk-ms the default is shortened to fit instead)
  --max-inflight N         unanswered messages at most (default ${REPLAY_DEFAULTS.maxInflight})
  --max-payload-bytes N    the platform's payload limit (default ${DEFAULT_WIRE_LIMITS.maxPayloadBytes}, as wardstream up)

Connection
  --mqtt-url URL           the platform's MQTT endpoint (default ${REPLAY_DEFAULTS.mqttUrl});
                           --url is the same option
  --protocol 4|5           MQTT 3.1.1 or 5 (default 5: refusals come back as PUBACK reason codes)
  --tls-cert/--tls-key/--tls-ca FILE   mutual TLS (with mqtts://); the device id is the certificate's CN
  --connect-timeout S      fail when not connected within S seconds, at the start or after losing the
                           connection (default ${REPLAY_DEFAULTS.connectTimeoutMs / 1000})
  --drain-timeout S        at the end, wait up to S seconds for answers (default ${REPLAY_DEFAULTS.drainTimeoutMs / 1000})

Output
  --progress-interval S    progress line on stderr every S seconds (default ${REPLAY_DEFAULTS.progressIntervalMs / 1000})
  --quiet                  no progress lines

A summary line goes to stdout at the end. Exit status: 0 when everything sent was acknowledged
(also after Ctrl-C); 1 when the platform refused a message (its reason is printed), the connection
failed, the admission failed, or messages stayed unanswered; 2 for a bad command line or a recording
that cannot be read or replayed as asked.
`;

/** Test seams: the transport (in-memory fakes) and the signals that stand for Ctrl-C. */
export interface ReplayCommandHooks {
  readonly openTransport?: TransportFactory;
  readonly signal?: AbortSignal;
  readonly forceSignal?: AbortSignal;
}

/** What is ready to run once the command line and the recording check out. */
interface Prepared {
  readonly args: ReplayArgs;
  readonly recording: Recording;
  readonly section: Section;
  readonly channels: ChannelPlan;
  readonly plan: ChunkPlan;
  readonly deviceId: string;
  readonly boot: string;
}

/**
 * `wardstream replay …` (see REPLAY_HELP): 0 when the replay completed or was interrupted cleanly, 1
 * when it failed while running, 2 for a bad command line or recording. Progress and notes go to
 * stderr, the summary line to stdout. Installs SIGINT/SIGTERM handlers for the duration of the run
 * unless `hooks.signal` is given.
 */
export async function replayCommand(
  argv: readonly string[],
  io: CommandIo,
  hooks: ReplayCommandHooks = {},
): Promise<number> {
  let prepared: Prepared | 'help';
  try {
    prepared = await prepareCommandLine(argv, io);
  } catch (err) {
    if (!isInputError(err)) throw err;
    io.stderr.write(`wardstream replay: ${err.message}${err instanceof UsageError ? ' (see --help)' : ''}\n`);
    return 2;
  }
  if (prepared === 'help') {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  const { args } = prepared;
  const signals = hooks.signal === undefined ? interruptOnSignals(io.stderr, 'replay') : undefined;
  try {
    if (args.admit !== undefined) await admit(prepared, args.admit, io, signals?.stop.signal ?? hooks.signal);
    io.stderr.write(`${startLine(prepared)}\n`);
    const summary = await runReplay(runOptions(prepared), {
      ...(hooks.openTransport === undefined ? {} : { openTransport: hooks.openTransport }),
      ...signalHooks(signals, hooks),
      ...(args.quiet ? {} : { onProgress: (p: ReplayProgress) => io.stderr.write(`${progressLine(p)}\n`) }),
    });
    io.stdout.write(`${summaryLine(prepared, summary)}\n`);
    if (summary.failure === undefined) return 0;
    io.stderr.write(`wardstream replay: ${summary.failure}\n`);
    return 1;
  } catch (err) {
    if (!(err instanceof SimulationError)) throw err;
    io.stderr.write(`wardstream replay: ${err.message}\n`);
    return 1;
  } finally {
    signals?.dispose();
  }
}

/** Errors of the command line or the recording: exit 2, one line. */
function isInputError(err: unknown): err is Error {
  return (
    err instanceof UsageError ||
    err instanceof RecordingError ||
    err instanceof ChannelError ||
    err instanceof ChunkError
  );
}

async function prepareCommandLine(argv: readonly string[], io: CommandIo): Promise<Prepared | 'help'> {
  const args = await parseReplayArgs(argv);
  return args === 'help' ? 'help' : prepare(args, io);
}

function runOptions(p: Prepared): ReplayRunOptions {
  const { args } = p;
  return {
    deviceId: toDeviceId(p.deviceId),
    boot: p.boot,
    fsHz: p.recording.fsHz,
    channels: p.channels.channels,
    plan: p.plan,
    section: p.section,
    startAt: args.startAt,
    loop: args.loop,
    speed: args.speed,
    maxInflight: args.maxInflight,
    connection: {
      url: args.mqttUrl,
      protocolVersion: args.protocolVersion,
      ...(args.tls === undefined ? {} : { tls: args.tls }),
      backoff: DEFAULT_BACKOFF,
      keepaliveS: 30,
      // MQTT.js's own timeout of one attempt; the run gives up after connectTimeoutMs in all.
      connectTimeoutMs: Math.min(args.connectTimeoutMs, 30_000),
    },
    connectTimeoutMs: args.connectTimeoutMs,
    drainTimeoutMs: args.drainTimeoutMs,
    progressIntervalMs: args.progressIntervalMs,
  };
}

/** Reads the recording and plans channels and chunks; throws the usage-level errors of each. */
async function prepare(args: ReplayArgs, io: CommandIo): Promise<Prepared> {
  const recording = await readRecording(args.record, args.fsHz);
  const section = sectionOf(recording, args);
  const channels = planChannels(recording, new Catalogue(), {
    ...(args.channels === undefined ? {} : { only: args.channels }),
    ...(args.map === undefined ? {} : { map: args.map }),
  });
  if (channels.skipped.length > 0) io.stderr.write(`replay: skipping ${describeSkipped(channels.skipped)}\n`);
  for (const note of channels.notes) io.stderr.write(`replay: ${note}\n`);
  // A new boot each run: seq starts again at 1 without colliding with an earlier replay's messages.
  const boot = `replay-${Date.now().toString(36)}`;
  const plan = planChunks({
    fsHz: recording.fsHz,
    chunkMs: args.chunkMs,
    explicit: args.chunkMsExplicit,
    channels: channels.channels.map((c) => ({ ...c, samples: sectionSamples(c.samples, section) })),
    boot,
    limits: { ...DEFAULT_WIRE_LIMITS, maxPayloadBytes: args.maxPayloadBytes },
  });
  if (plan.note !== undefined) io.stderr.write(`replay: ${plan.note}\n`);
  return { args, recording, section, channels, plan, deviceId: args.deviceId ?? defaultDeviceId(recording.name), boot };
}

/** `V, RESP: no waveform code …; X: unit …`: the skipped channels, grouped by reason, for one line. */
function describeSkipped(skipped: ChannelPlan['skipped']): string {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.name]);
  return [...byReason].map(([reason, names]) => `${names.join(', ')}: ${reason}`).join('; ');
}

/** The samples [from, to) of the recording that `--offset` and `--duration` select. */
function sectionOf(recording: Recording, args: ReplayArgs): Section {
  const totalS = recording.length / recording.fsHz;
  const from = Math.round(args.offsetS * recording.fsHz);
  if (from >= recording.length) {
    throw new UsageError(`--offset ${args.offsetS} is past the end of ${recording.name} (${totalS.toFixed(1)} s long)`);
  }
  const to =
    args.durationS === undefined
      ? recording.length
      : Math.min(recording.length, from + Math.round(args.durationS * recording.fsHz));
  if (to <= from)
    throw new UsageError(`--duration ${args.durationS ?? 0} is shorter than one sample at ${recording.fsHz} Hz`);
  return { from, to };
}

function sectionSamples(samples: ArrayLike<number>, section: Section): ArrayLike<number> {
  return Array.prototype.slice.call(samples, section.from, section.to) as number[];
}

async function admit(p: Prepared, target: NonNullable<ReplayArgs['admit']>, io: CommandIo, signal?: AbortSignal) {
  const result = await admitDevice({
    ...target,
    deviceId: toDeviceId(p.deviceId),
    displayName: `Replay of ${p.recording.name}`,
    deviceModel: 'wardstream replay',
    ...(signal === undefined ? {} : { signal }),
  });
  const created = result.patientCreated ? ` (registered on ward ${target.wardId})` : '';
  const how = result.admitted ? 'admitted to' : 'already bound to';
  io.stderr.write(`replay: device ${p.deviceId} ${how} patient ${target.patientId}${created}\n`);
}

function signalHooks(
  signals: InterruptSignals | undefined,
  hooks: ReplayCommandHooks,
): { signal?: AbortSignal; forceSignal?: AbortSignal } {
  if (signals !== undefined) return { signal: signals.stop.signal, forceSignal: signals.force.signal };
  return {
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    ...(hooks.forceSignal === undefined ? {} : { forceSignal: hooks.forceSignal }),
  };
}

/** `1:02:03.4`, `02:03.4`: a duration in seconds as a clock. */
export function clockTime(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = (tenths % 600) / 10;
  const mmss = `${String(m).padStart(2, '0')}:${s.toFixed(1).padStart(4, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

function startLine(p: Prepared): string {
  const { recording, plan, args } = p;
  const sectionS = (p.section.to - p.section.from) / recording.fsHz;
  const channels = p.channels.channels.map((c) => `${c.name} → ${c.code} [${c.unit}]`).join(', ');
  const speed = args.speed === 'max' ? 'as fast as acknowledged' : `${args.speed}× real time`;
  return (
    `replay: ${recording.name} (${recording.fsHz} Hz, ${clockTime(sectionS)} from ${clockTime(p.section.from / recording.fsHz)}` +
    `${args.loop ? ', looped' : ''}) as device ${p.deviceId}, boot ${p.boot}: ${channels}; ` +
    `${plan.samplesPerChunk} samples (${plan.chunkMs} ms) a message, ${speed}, to ${args.mqttUrl}`
  );
}

function progressLine(p: ReplayProgress): string {
  return (
    `replay: ${(p.elapsedMs / 1000).toFixed(1)} s  sent ${p.sent}  acked ${p.acked}  ` +
    `at ${clockTime(p.positionMs / 1000)} of ${clockTime(p.sectionMs / 1000)}${p.pass > 0 ? ` (pass ${p.pass + 1})` : ''}  ` +
    `${Math.round(p.samplesPerS)} samples/s (${p.pace.toFixed(2)}× real time)${p.connected ? '' : '  (disconnected)'}`
  );
}

/** The one summary line on stdout. */
function summaryLine(p: Prepared, s: ReplaySummary): string {
  const n = p.channels.channels.length;
  const span =
    s.firstAt === undefined || s.endAt === undefined
      ? 'nothing acknowledged'
      : `event time ${new Date(s.firstAt).toISOString()} to ${new Date(Math.ceil(s.endAt)).toISOString()}`;
  return (
    `replay: ${s.acked} of ${s.sent} messages acknowledged (${s.refused} refused, ${s.unanswered} unanswered), ` +
    `${s.samplesPerChannel} samples × ${n} channel${n === 1 ? '' : 's'} ` +
    `(${clockTime(s.samplesPerChannel / p.recording.fsHz)} of ${p.recording.name}), ${span}, ` +
    `in ${(s.elapsedMs / 1000).toFixed(1)} s as ${p.deviceId}${s.interrupted ? ', interrupted' : ''}`
  );
}
