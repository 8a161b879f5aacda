import { Random, WaveformSynth } from '@wardstream/simulator';

/**
 * The ECG the waveform benchmark's devices send: a pool of synthetic patients (the simulator's
 * McSharry-style lead II, 60–100 /min with beat-to-beat jitter, breathing baseline and 10 µV noise,
 * rounded to 1 µV), drawn once, each cut into segments of `chunkMs`. Device `i` plays patient
 * `i % POOL` from segment `(i × 7) % segments`, one segment per message, cycling. Deterministic, so
 * the verification can tell which samples each (device, seq) carried without being told.
 */
export const POOL_PATIENTS = 25;
/** Seconds of signal drawn per pool patient (the cycle a device repeats). */
export const POOL_SECONDS = 60;
export const ECG_CODE = 'MDC_ECG_ELEC_POTL_II';

export interface WavePoolSpec {
  readonly fsHz: number;
  readonly chunkMs: number;
}

interface PoolPatient {
  readonly heartRateBpm: number;
  /** Per segment: the samples, and the same as JSON text (the load generator splices it in). */
  readonly segments: readonly number[][];
  readonly json: readonly string[];
}

export class WavePool {
  readonly samplesPerChunk: number;
  private readonly patients: PoolPatient[] = [];

  constructor(readonly spec: WavePoolSpec) {
    this.samplesPerChunk = Math.round((spec.fsHz * spec.chunkMs) / 1000);
    if (this.samplesPerChunk < 1 || this.samplesPerChunk > 8192) {
      throw new RangeError(`${this.samplesPerChunk} samples per message: the wire contract takes 1–8,192`);
    }
    const count = Math.max(1, Math.floor((POOL_SECONDS * 1000) / spec.chunkMs));
    const random = new Random('wardstream-bench-waveform');
    for (let p = 0; p < POOL_PATIENTS; p++) {
      const heartRateBpm = 60 + ((p * 37) % 41);
      const synth = new WaveformSynth(random.fork(p), 0, spec.fsHz);
      const segments: number[][] = [];
      for (let k = 0; k < count; k++) {
        const from = k * spec.chunkMs;
        const { ecg } = synth.segment(from, from + spec.chunkMs, heartRateBpm, 14, 0);
        segments.push(ecg.samples.slice(0, this.samplesPerChunk));
      }
      this.patients.push({ heartRateBpm, segments, json: segments.map((s) => JSON.stringify(s)) });
    }
  }

  private at(deviceIndex: number, seq: number): { patient: PoolPatient; k: number } {
    const patient = this.patients[deviceIndex % POOL_PATIENTS] as PoolPatient;
    const k = (deviceIndex * 7 + seq - 1) % patient.segments.length;
    return { patient, k };
  }

  /** The samples device `deviceIndex` (0-based) sends in message `seq` (1-based). */
  samples(deviceIndex: number, seq: number): readonly number[] {
    const { patient, k } = this.at(deviceIndex, seq);
    return patient.segments[k] as number[];
  }

  /** The telemetry payload (wire contract) of that message: the ECG segment, heart rate and SpO2. */
  payload(deviceIndex: number, seq: number, boot: string, ts: number, t0: number): string {
    const { patient, k } = this.at(deviceIndex, seq);
    const hr = patient.heartRateBpm + (seq % 3);
    const spo2 = 97 + (seq % 3);
    return (
      `{"seq":${seq},"boot":"${boot}","ts":${ts},"readings":[` +
      `{"code":"MDC_ECG_HEART_RATE","value":${hr},"unit":"/min"},` +
      `{"code":"MDC_PULS_OXIM_SAT_O2","value":${spo2},"unit":"%"}],` +
      `"waveforms":[{"code":"${ECG_CODE}","fs":${this.spec.fsHz},"t0":${t0},"unit":"mV","samples":${patient.json[k] as string}}]}`
    );
  }
}
