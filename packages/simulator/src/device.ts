import type { DeviceId, RejectReason } from '@wardstream/domain';
import { DeviceStatusModel, reportedTime } from './device-status.js';
import { MALFORMED_KINDS, malformedPayload } from './malformed.js';
import { PatientModel } from './patient-model.js';
import { encodeJson, wireReading, type TelemetryPayload, type WireReading } from './payload.js';
import type { Random } from './random.js';
import { rhythmEpisode, type DeviceScenario } from './scenario.js';
import { CONTINUOUS_CODES, NIBP_CODES, TEMPERATURE_CODE, type CodeStyle, type VitalCode } from './vital-codes.js';
import type { Baseline, VitalSigns } from './vitals.js';
import { WaveformSynth, type WireWaveform } from './waveform.js';

/** Everything one simulated device needs; built by `buildDeviceConfigs`. */
export interface DeviceConfig {
  readonly deviceId: DeviceId;
  /** The device's own random stream. */
  readonly random: Random;
  readonly scenario: DeviceScenario;
  readonly baseline: Baseline;
  /** When the device starts, epoch ms (true time). */
  readonly startAt: number;
  /** A token unique to this run: boot ids are `{runToken}-{n}`, so reruns never reuse a (boot, seq). */
  readonly runToken: string;
  readonly codeStyle: CodeStyle;
  /** Send some readings in °F, kPa or as fractions (conversion coverage). */
  readonly unitVariants: boolean;
  readonly waveforms: boolean;
  readonly temperatureIntervalMs: number;
  readonly nibpIntervalMs: number;
}

/** One MQTT message a device sends, with what the history and the checker need to know about it. */
export interface OutgoingMessage {
  readonly deviceId: DeviceId;
  readonly boot: string;
  /** The device's counter for this message (also for malformed payloads that do not carry it). */
  readonly seq: number;
  readonly payload: Uint8Array;
  /** The event time the payload reports, when it carries a usable one. */
  readonly ts?: number;
  /** Canonical codes of the numeric readings that must be stored once the message is acknowledged. */
  readonly codes: readonly string[];
  /** For a malformed message: the rejection it must get. */
  readonly expect?: RejectReason;
  /** Whether the gateway can read (boot, seq) from the payload (see `MalformedMessage.identifiable`). */
  readonly identifiable: boolean;
  /** A deliberate second send of an already sent (boot, seq) (`duplicates` scenario). */
  readonly resend: boolean;
}

/** What a device does at one instant. */
export interface DeviceTick {
  readonly messages: readonly OutgoingMessage[];
  /** New messages composed at this instant (0 or 1); some may be held back and sent later. */
  readonly composed: number;
  /** The device restarted at this instant: its MQTT connection must be restarted too. */
  readonly rebooted: boolean;
}

/** The longest waveform segment one message carries; a longer gap starts a fresh segment. */
const MAX_WAVEFORM_SEGMENT_MS = 4_000;
/** Deliberate re-sends go out up to this long after the original. */
const MAX_RESEND_DELAY_MS = 3_000;

/**
 * A simulated bedside monitor: its patient's vitals, its clock, its boot and sequence counter, and its
 * scenario's misbehaviour. Pure: it sends nothing itself, and time comes from the caller.
 */
export class SimulatedDevice {
  readonly deviceId: DeviceId;
  private readonly model: PatientModel;
  private readonly synth: WaveformSynth;
  private readonly status: DeviceStatusModel;
  private bootIndex = 1;
  private bootAt: number;
  private seq = 0;
  private lastAt: number;
  private offUntilAt = -Infinity;
  private nextRebootAt = Infinity;
  private lastTemperatureAt = -Infinity;
  private lastNibpAt = -Infinity;
  private lastWaveAt = -Infinity;
  private held: { message: OutgoingMessage; ticks: number }[] = [];
  private resends: { dueAt: number; message: OutgoingMessage }[] = [];

  constructor(private readonly config: DeviceConfig) {
    const { random, scenario, startAt } = config;
    this.deviceId = config.deviceId;
    this.bootAt = startAt;
    this.lastAt = startAt;
    const d = scenario.deterioration;
    this.model = new PatientModel(
      config.baseline,
      random.fork('patient'),
      startAt,
      d === undefined ? undefined : { onsetAt: startAt + d.afterMs, durationMs: d.durationMs, severity: 1 },
    );
    this.synth = new WaveformSynth(random.fork('waveform'), startAt);
    this.status = new DeviceStatusModel(random.fork('status'), startAt);
    this.scheduleReboot(startAt);
  }

  /** The device's scenario. */
  get scenario(): DeviceScenario {
    return this.config.scenario;
  }

  /** The current boot id. */
  get boot(): string {
    return `${this.config.runToken}-${this.bootIndex}`;
  }

  /** The messages the device sends at `nowAt` (epoch ms, true time; earlier than a previous call counts as that). */
  tick(nowAt: number): DeviceTick {
    const at = Math.max(nowAt, this.lastAt);
    this.lastAt = at;
    let rebooted = false;
    if (at >= this.nextRebootAt) {
      this.restart(at);
      rebooted = true;
    }
    const out = this.dueResends(at);
    if (at < this.offUntilAt) return { messages: out, composed: 0, rebooted };
    const message = this.compose(at);
    const { random, scenario } = this.config;
    if (scenario.duplicateShare > 0 && random.chance(scenario.duplicateShare)) {
      this.resends.push({ dueAt: at + random.between(0, MAX_RESEND_DELAY_MS), message: { ...message, resend: true } });
    }
    if (scenario.outOfOrderWindow <= 1) return { messages: [...out, message], composed: 1, rebooted };
    this.held.push({ message, ticks: 0 });
    for (const h of this.held) h.ticks++;
    if (this.held.length >= scenario.outOfOrderWindow) {
      // Release a random held message, or the oldest once it has waited two windows: bounded lateness.
      const oldest = this.held[0];
      const i =
        oldest !== undefined && oldest.ticks >= 2 * scenario.outOfOrderWindow ? 0 : random.int(0, this.held.length);
      const [released] = this.held.splice(i, 1);
      if (released !== undefined) out.push(released.message);
    }
    return { messages: out, composed: 1, rebooted };
  }

  /** Everything held back (out-of-order window, pending re-sends), for a clean stop. */
  drain(): OutgoingMessage[] {
    const out = [...this.held.map((h) => h.message), ...this.resends.map((r) => r.message)];
    this.held = [];
    this.resends = [];
    return out;
  }

  private dueResends(at: number): OutgoingMessage[] {
    const due = this.resends.filter((r) => r.dueAt <= at).map((r) => r.message);
    if (due.length > 0) this.resends = this.resends.filter((r) => r.dueAt > at);
    return due;
  }

  /** A restart loses what was in RAM: held and pending messages are never sent. */
  private restart(at: number): void {
    const reboot = this.config.scenario.reboot;
    this.bootIndex++;
    this.bootAt = at;
    this.seq = 0;
    this.held = [];
    this.resends = [];
    this.lastWaveAt = -Infinity;
    this.offUntilAt = at + (reboot?.downtimeMs ?? 0);
    this.scheduleReboot(at);
  }

  private scheduleReboot(at: number): void {
    const reboot = this.config.scenario.reboot;
    if (reboot !== undefined) this.nextRebootAt = at + reboot.everyMs * this.config.random.between(0.8, 1.2);
  }

  private compose(at: number): OutgoingMessage {
    const { config } = this;
    this.seq++;
    const ts = reportedTime(config.scenario.clockSkew, at, this.bootAt);
    const episode = rhythmEpisode(config.scenario, config.startAt, at);
    const sampled = this.model.sample(at);
    // A rhythm episode sets the heart rate (the ECG's beats, and the monitor's number with it).
    const vitals =
      episode?.heartRateBpm === undefined || episode.heartRateBpm === null
        ? sampled
        : { ...sampled, heartRateBpm: episode.heartRateBpm };
    const asystole = episode?.kind === 'asystole';
    const probe = probeState(config.scenario, config.startAt, at);
    const readings = this.readings(vitals, at, probe);
    const waveforms = config.waveforms
      ? this.waveforms(asystole ? { ...vitals, heartRateBpm: 0 } : vitals, at, ts - at, probe)
      : [];
    const payload: TelemetryPayload = {
      seq: this.seq,
      boot: this.boot,
      ts,
      readings: readings.map((r) => r.reading),
      ...(waveforms.length > 0 ? { waveforms } : {}),
      status: this.status.at(at, probe === 'ok' ? [] : [probe === 'off' ? 'SPO2_PROBE_OFF' : 'SPO2_MOTION_ARTIFACT']),
    };
    const base = { deviceId: this.deviceId, boot: this.boot, seq: this.seq, resend: false };
    const { malformedShare } = config.scenario;
    if (malformedShare > 0 && config.random.chance(malformedShare)) {
      const bad = malformedPayload(config.random.pick(MALFORMED_KINDS), payload);
      const badTs = bad.kind === 'bad-timestamp' ? {} : { ts };
      return { ...base, ...badTs, payload: bad.payload, codes: [], expect: bad.expect, identifiable: bad.identifiable };
    }
    return { ...base, ts, payload: encodeJson(payload), codes: readings.map((r) => r.code), identifiable: true };
  }

  private readings(vitals: VitalSigns, at: number, probe: ProbeState): { code: string; reading: WireReading }[] {
    const { config } = this;
    const out: { code: string; reading: WireReading }[] = [];
    const add = (code: VitalCode, value: number, artifact = false): void => {
      const variant = config.unitVariants && code.variant !== undefined && config.random.chance(0.25);
      out.push({ code: code.code, reading: wireReading(code, value, config.codeStyle, variant, artifact) });
    };
    for (const code of CONTINUOUS_CODES) {
      const fromProbe = code.vital === 'spo2Percent' || code.vital === 'pulseRateBpm';
      if (fromProbe && probe === 'off') continue;
      if (fromProbe && probe === 'artifact') {
        // Motion artifact: the oximeter shows erratic numbers and flags them.
        const erratic = code.vital === 'spo2Percent' ? config.random.between(70, 100) : config.random.between(40, 180);
        add(code, erratic, true);
      } else {
        add(code, vitals[code.vital]);
      }
    }
    if (at - this.lastTemperatureAt >= config.temperatureIntervalMs) {
      this.lastTemperatureAt = at;
      add(TEMPERATURE_CODE, vitals.temperatureCel);
    }
    if (at - this.lastNibpAt >= config.nibpIntervalMs) {
      this.lastNibpAt = at;
      for (const code of NIBP_CODES) add(code, vitals[code.vital]);
    }
    return out;
  }

  private waveforms(vitals: VitalSigns, at: number, clockOffsetMs: number, probe: ProbeState): WireWaveform[] {
    const fromAt = at - this.lastWaveAt > MAX_WAVEFORM_SEGMENT_MS ? at - 1000 : this.lastWaveAt;
    this.lastWaveAt = at;
    if (at - fromAt < 4) return [];
    const { ecg, pleth } = this.synth.segment(fromAt, at, vitals.heartRateBpm, vitals.respRatePerMin, clockOffsetMs);
    if (probe === 'off') return [ecg];
    return [ecg, probe === 'artifact' ? { ...pleth, artifact: true } : pleth];
  }
}

/** The pulse oximeter probe: working, off the finger (`dropout` silent), or disturbed (`dropout` artifact). */
type ProbeState = 'ok' | 'off' | 'artifact';

function probeState(scenario: DeviceScenario, startAt: number, at: number): ProbeState {
  const d = scenario.dropout;
  if (d === undefined) return 'ok';
  const elapsed = at - startAt - d.afterMs;
  if (elapsed < 0 || elapsed % d.everyMs >= d.durationMs) return 'ok';
  return d.mode === 'silent' ? 'off' : 'artifact';
}
