import { SeqSet } from './seq-set.js';

/** A seq set that changed since the last flush, encoded for the flush transaction. */
export interface EncodedSeqSet {
  readonly deviceId: string;
  readonly boot: string;
  readonly intervals: Uint8Array;
}

interface Entry {
  readonly deviceId: string;
  readonly boot: string;
  readonly set: SeqSet;
  dirty: boolean;
}

/**
 * The idempotency keys (deviceId, boot, seq) of every stored message, durable or not, per
 * (deviceId, boot). A flush persists the sets that changed, encoded at the moment the flush takes
 * its snapshot, so the durable sets always describe exactly the durable data.
 */
export class MessageKeys {
  private readonly byDevice = new Map<string, Map<string, Entry>>();
  private dirty: Entry[] = [];
  private total = 0;

  /** Messages held. */
  get size(): number {
    return this.total;
  }

  /** Records the key; returns false (changing nothing) when it is already held. */
  claim(deviceId: string, boot: string, seq: number): boolean {
    const entry = this.entry(deviceId, boot);
    if (!entry.set.add(seq)) return false;
    this.total++;
    if (!entry.dirty) {
      entry.dirty = true;
      this.dirty.push(entry);
    }
    return true;
  }

  /** Encodes the sets changed since the last call and marks them clean. */
  takeChanged(): EncodedSeqSet[] {
    const out = this.dirty.map((e) => {
      e.dirty = false;
      return { deviceId: e.deviceId, boot: e.boot, intervals: e.set.encode() };
    });
    this.dirty = [];
    return out;
  }

  /** Adds a set loaded from the database. */
  load(deviceId: string, boot: string, set: SeqSet): void {
    const entry = this.entry(deviceId, boot);
    if (entry.set.size > 0) throw new RangeError(`seq set of ${deviceId}/${boot} loaded twice`);
    this.byDevice.get(deviceId)?.set(boot, { deviceId, boot, set, dirty: false });
    this.total += set.size;
  }

  private entry(deviceId: string, boot: string): Entry {
    let boots = this.byDevice.get(deviceId);
    if (boots === undefined) {
      boots = new Map();
      this.byDevice.set(deviceId, boots);
    }
    let entry = boots.get(boot);
    if (entry === undefined) {
      entry = { deviceId, boot, set: new SeqSet(), dirty: false };
      boots.set(boot, entry);
    }
    return entry;
  }
}
