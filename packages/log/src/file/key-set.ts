import { SeqIntervals } from './seq-intervals.js';

/**
 * A set of idempotency keys (deviceId, boot, seq), kept per (deviceId, boot) as a `SeqIntervals`:
 * a device that counts without gaps costs one range per boot however many messages it sent.
 *
 * With `maxRangesPerBoot` finite the set is bounded: once a boot has more ranges than that, its
 * two closest ranges are joined, so the set then also holds the seqs of that gap (it only ever
 * grows into a superset, never loses a key). Unbounded (the default) it is exact.
 */
export class KeySet {
  private readonly devices = new Map<string, Map<string, SeqIntervals>>();
  private boots = 0;
  private ranges = 0;

  constructor(readonly maxRangesPerBoot = Infinity) {
    if (!(maxRangesPerBoot >= 1)) throw new RangeError(`maxRangesPerBoot must be at least 1 (got ${maxRangesPerBoot})`);
  }

  /** (deviceId, boot) pairs held. */
  get bootCount(): number {
    return this.boots;
  }

  /** Ranges held over every (deviceId, boot). */
  get rangeCount(): number {
    return this.ranges;
  }

  get isEmpty(): boolean {
    return this.boots === 0;
  }

  has(deviceId: string, boot: string, seq: number): boolean {
    return this.devices.get(deviceId)?.get(boot)?.has(seq) ?? false;
  }

  add(deviceId: string, boot: string, seq: number): void {
    const seqs = this.seqsOf(deviceId, boot);
    const before = seqs.rangeCount;
    seqs.add(seq);
    this.settle(seqs, before);
  }

  /** Adds seqs `start` … `end` (inclusive) of (deviceId, boot). */
  addRange(deviceId: string, boot: string, start: number, end: number): void {
    const seqs = this.seqsOf(deviceId, boot);
    const before = seqs.rangeCount;
    seqs.addRange(start, end);
    this.settle(seqs, before);
  }

  /** Adds every key of `other`. */
  addAll(other: KeySet): void {
    other.forEachRange((deviceId, boot, start, end) => {
      this.addRange(deviceId, boot, start, end);
    });
  }

  /** Calls `visit` with every range of every (deviceId, boot). */
  forEachRange(visit: (deviceId: string, boot: string, start: number, end: number) => void): void {
    for (const [deviceId, boots] of this.devices) {
      for (const [boot, seqs] of boots) {
        seqs.forEachRange((start, end) => {
          visit(deviceId, boot, start, end);
        });
      }
    }
  }

  /** Every (deviceId, boot) with its ranges as [start0, end0, start1, end1, …]. */
  *boundsByBoot(): Generator<readonly [deviceId: string, boot: string, bounds: number[]]> {
    for (const [deviceId, boots] of this.devices) {
      for (const [boot, seqs] of boots) yield [deviceId, boot, seqs.toBounds()];
    }
  }

  /** Adds the ranges of one (deviceId, boot), as `boundsByBoot` gave them; throws a RangeError if malformed. */
  addBounds(deviceId: string, boot: string, bounds: readonly number[]): void {
    SeqIntervals.fromBounds(bounds).forEachRange((start, end) => {
      this.addRange(deviceId, boot, start, end);
    });
  }

  private seqsOf(deviceId: string, boot: string): SeqIntervals {
    let boots = this.devices.get(deviceId);
    if (boots === undefined) {
      boots = new Map();
      this.devices.set(deviceId, boots);
    }
    let seqs = boots.get(boot);
    if (seqs === undefined) {
      seqs = new SeqIntervals();
      boots.set(boot, seqs);
      this.boots++;
    }
    return seqs;
  }

  private settle(seqs: SeqIntervals, rangesBefore: number): void {
    while (seqs.rangeCount > this.maxRangesPerBoot) seqs.bridgeSmallestGap();
    this.ranges += seqs.rangeCount - rangesBefore;
  }
}
