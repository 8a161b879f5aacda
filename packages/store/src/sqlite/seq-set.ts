import { WardstreamError } from '@wardstream/domain';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { verifiedBody, withChecksum } from './checksum.js';

/**
 * The seqs stored for one (deviceId, boot), as sorted disjoint closed intervals. A device that
 * counts 1, 2, 3, … costs one interval whatever its age; each gap that is never filled costs one
 * more. Seqs are non-negative safe integers (the wire contract).
 * Blob: varint count, then varint deltas (start − previous end, end − start), CRC-32.
 */
export class SeqSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private total = 0;

  /** How many seqs the set holds. */
  get size(): number {
    return this.total;
  }

  get intervals(): number {
    return this.starts.length;
  }

  has(seq: number): boolean {
    const last = this.starts.length - 1;
    if (last < 0) return false;
    if (seq > (this.ends[last] as number)) return false;
    const i = this.indexAtOrBefore(seq);
    return i >= 0 && seq <= (this.ends[i] as number);
  }

  /** Adds `seq`; returns false (and changes nothing) when it is already held. */
  add(seq: number): boolean {
    const n = this.starts.length;
    const lastEnd = n > 0 ? (this.ends[n - 1] as number) : -Infinity;
    if (seq === lastEnd + 1) {
      this.ends[n - 1] = seq;
    } else if (seq > lastEnd) {
      this.starts.push(seq);
      this.ends.push(seq);
    } else {
      const i = this.indexAtOrBefore(seq);
      if (i >= 0 && seq <= (this.ends[i] as number)) return false;
      this.insertBetween(i, seq);
    }
    this.total++;
    return true;
  }

  encode(): Uint8Array {
    const w = new ByteWriter(16 + this.starts.length * 4);
    w.varint(this.starts.length);
    let previous = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i] as number;
      const end = this.ends[i] as number;
      w.varint(start - previous);
      w.varint(end - start);
      previous = end;
    }
    return withChecksum(w);
  }

  /** Decodes a blob written by `encode`; throws CORRUPT when it fails its checksum. */
  static decode(bytes: Uint8Array, label: string): SeqSet {
    const r = new ByteReader(verifiedBody(bytes, label));
    const set = new SeqSet();
    try {
      const n = r.varint();
      let previous = 0;
      for (let i = 0; i < n; i++) {
        const start = previous + r.varint();
        const end = start + r.varint();
        set.starts.push(start);
        set.ends.push(end);
        set.total += end - start + 1;
        previous = end;
      }
    } catch (err) {
      throw new WardstreamError('CORRUPT', `${label}: undecodable seq set`, { cause: err });
    }
    return set;
  }

  /** Index of the last interval starting at or before `seq`, or −1. */
  private indexAtOrBefore(seq: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Inserts `seq`, known absent, after interval i (−1: before all), merging with neighbours. */
  private insertBetween(i: number, seq: number): void {
    const joinsLeft = i >= 0 && (this.ends[i] as number) === seq - 1;
    const joinsRight = i + 1 < this.starts.length && (this.starts[i + 1] as number) === seq + 1;
    if (joinsLeft && joinsRight) {
      this.ends[i] = this.ends[i + 1] as number;
      this.starts.splice(i + 1, 1);
      this.ends.splice(i + 1, 1);
    } else if (joinsLeft) {
      this.ends[i] = seq;
    } else if (joinsRight) {
      this.starts[i + 1] = seq;
    } else {
      this.starts.splice(i + 1, 0, seq);
      this.ends.splice(i + 1, 0, seq);
    }
  }
}
