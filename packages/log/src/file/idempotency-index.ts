import { SeqIntervals } from './seq-intervals.js';

/** What the index knows of a (deviceId, boot, seq). */
export type KeyLookup =
  | { readonly kind: 'absent' }
  /** Within the conflict window: the stored record's hash and position. */
  | { readonly kind: 'recent'; readonly contentHash: number; readonly partition: number; readonly offset: number }
  /** Retained, but older than the window: only a scan of the segments tells its hash and position. */
  | { readonly kind: 'retained' }
  /** Not retained, but used by a record that retention deleted: its content is unknown. */
  | { readonly kind: 'retired' };

/** The keys of deleted records, as the index consults them. */
export interface RetiredKeyLookup {
  has(deviceId: string, boot: string, seq: number): boolean;
}

const NOTHING_RETIRED: RetiredKeyLookup = { has: () => false };

/**
 * The idempotency key of a record as one string, unambiguous whatever the ids contain: the
 * deviceId is length-prefixed and the seq (digits only) follows the last colon.
 */
export function idempotencyKey(deviceId: string, boot: string, seq: number): string {
  return `${deviceId.length}:${deviceId}${boot}:${seq}`;
}

const ABSENT: KeyLookup = { kind: 'absent' };
const RETAINED: KeyLookup = { kind: 'retained' };
const RETIRED: KeyLookup = { kind: 'retired' };

class BootHistory {
  readonly seqs = new SeqIntervals();
}

/** One device: its seqs per boot, and a ring of its last `window` messages. */
class DeviceHistory {
  readonly boots = new Map<string, BootHistory>();
  private capacity = 0;
  private next = 0;
  private size = 0;
  private seqs = new Float64Array(0);
  private hashes = new Float64Array(0);
  private offsets = new Float64Array(0);
  private partitions = new Uint16Array(0);
  private owners: (BootHistory | undefined)[] = [];

  remember(owner: BootHistory, seq: number, contentHash: number, partition: number, offset: number, window: number) {
    if (this.size === this.capacity && this.capacity < window)
      this.grow(Math.min(window, Math.max(8, 2 * this.capacity)));
    const at = this.next;
    this.seqs[at] = seq;
    this.hashes[at] = contentHash;
    this.offsets[at] = offset;
    this.partitions[at] = partition;
    this.owners[at] = owner;
    this.next = (at + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Newest first, so a key appended again after retention deleted it finds its latest copy. */
  find(owner: BootHistory, seq: number): KeyLookup {
    for (let n = 1; n <= this.size; n++) {
      const at = (this.next - n + this.capacity) % this.capacity;
      if (this.seqs[at] === seq && this.owners[at] === owner) {
        return {
          kind: 'recent',
          contentHash: this.hashes[at] ?? Number.NaN,
          partition: this.partitions[at] ?? 0,
          offset: this.offsets[at] ?? 0,
        };
      }
    }
    return RETAINED;
  }

  private grow(capacity: number): void {
    const seqs = new Float64Array(capacity);
    const hashes = new Float64Array(capacity);
    const offsets = new Float64Array(capacity);
    const partitions = new Uint16Array(capacity);
    const owners: (BootHistory | undefined)[] = new Array<BootHistory | undefined>(capacity);
    for (let n = 0; n < this.size; n++) {
      const at = (this.next - this.size + n + this.capacity) % this.capacity;
      seqs[n] = this.seqs[at] ?? 0;
      hashes[n] = this.hashes[at] ?? 0;
      offsets[n] = this.offsets[at] ?? 0;
      partitions[n] = this.partitions[at] ?? 0;
      owners[n] = this.owners[at];
    }
    this.seqs = seqs;
    this.hashes = hashes;
    this.offsets = offsets;
    this.partitions = partitions;
    this.owners = owners;
    this.capacity = capacity;
    this.next = this.size % capacity;
  }
}

/**
 * The idempotency index of the file log: which (deviceId, boot, seq) keys the retained segments
 * hold. Every retained key is in a per-device, per-boot `SeqIntervals` (one range while a device
 * counts without gaps), so a re-send is recognised however old it is. The last `window` messages
 * of each device also keep their content hash and position, so within that window a duplicate is
 * told from a conflict without I/O; beyond it the caller must read the segments. A key no longer
 * retained is looked up in `retired` (the keys of deleted records, see `RetiredKeys`). Memory:
 * about 40 bytes per remembered message, so at most `window` × 40 bytes per device.
 */
export class IdempotencyIndex {
  private readonly devices = new Map<string, DeviceHistory>();

  constructor(
    private readonly window: number,
    private readonly retired: RetiredKeyLookup = NOTHING_RETIRED,
  ) {}

  /** Retained keys first: a key both retained and retired (its deletion was cut short) is retained. */
  lookup(deviceId: string, boot: string, seq: number): KeyLookup {
    const device = this.devices.get(deviceId);
    const history = device?.boots.get(boot);
    if (device !== undefined && history !== undefined && history.seqs.has(seq)) return device.find(history, seq);
    return this.retired.has(deviceId, boot, seq) ? RETIRED : ABSENT;
  }

  /** Records a durable record. */
  add(deviceId: string, boot: string, seq: number, contentHash: number, partition: number, offset: number): void {
    let device = this.devices.get(deviceId);
    if (device === undefined) {
      device = new DeviceHistory();
      this.devices.set(deviceId, device);
    }
    let history = device.boots.get(boot);
    if (history === undefined) {
      history = new BootHistory();
      device.boots.set(boot, history);
    }
    history.seqs.add(seq);
    device.remember(history, seq, contentHash, partition, offset, this.window);
  }

  /** Forgets a key whose record is no longer retained. */
  delete(deviceId: string, boot: string, seq: number): void {
    const device = this.devices.get(deviceId);
    const history = device?.boots.get(boot);
    if (device === undefined || history === undefined) return;
    history.seqs.delete(seq);
    if (!history.seqs.isEmpty) return;
    device.boots.delete(boot);
    if (device.boots.size === 0) this.devices.delete(deviceId);
  }
}
