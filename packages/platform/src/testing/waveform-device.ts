import { deviceId, type DeviceId } from '@wardstream/domain';
import type { OutgoingMessage } from '@wardstream/simulator';
import type { MessageSource } from './clinical-pipeline.js';

/**
 * A recording played as a device for the pipeline harnesses: one wire message per `chunkMs` of
 * samples, sent once its last sample has been "recorded" (at t0 + chunkMs), samples rounded to
 * 0.1 µV as a device's JSON would carry them.
 */
export class WaveformDevice implements MessageSource {
  readonly deviceId: DeviceId;
  private next = 0;
  private seq = 0;
  private readonly perChunk: number;

  constructor(
    device: string,
    private readonly code: string,
    private readonly fsHz: number,
    private readonly samples: ArrayLike<number>,
    private readonly startAt: number,
    private readonly chunkMs = 250,
    /** The monitor's own heart-rate number at an event time, sent with each chunk when given. */
    private readonly heartRate?: (at: number) => number,
  ) {
    this.deviceId = deviceId(device);
    this.perChunk = Math.round((chunkMs * fsHz) / 1000);
  }

  /** Event time just after the last sample. */
  get endAt(): number {
    return this.startAt + Math.round((this.samples.length * 1000) / this.fsHz);
  }

  tick(at: number): { readonly messages: readonly OutgoingMessage[] } {
    const messages: OutgoingMessage[] = [];
    while (this.next < this.samples.length) {
      const t0 = this.startAt + Math.round((this.next * 1000) / this.fsHz);
      if (t0 + this.chunkMs > at) break;
      const end = Math.min(this.samples.length, this.next + this.perChunk);
      const chunk: number[] = [];
      for (let i = this.next; i < end; i++) chunk.push(Math.round(this.samples[i]! * 10_000) / 10_000);
      this.next = end;
      const seq = ++this.seq;
      const payload = {
        seq,
        boot: 'recording',
        ts: t0,
        waveforms: [{ code: this.code, fs: this.fsHz, t0, unit: 'mV', samples: chunk }],
        ...(this.heartRate === undefined
          ? {}
          : { readings: [{ code: 'MDC_ECG_HEART_RATE', value: this.heartRate(t0), unit: '/min' }] }),
      };
      messages.push({
        deviceId: this.deviceId,
        boot: 'recording',
        seq,
        ts: t0,
        payload: Buffer.from(JSON.stringify(payload)),
        codes: this.heartRate === undefined ? [] : ['MDC_ECG_HEART_RATE'],
        identifiable: true,
        resend: false,
      });
    }
    return { messages };
  }
}
