import type { Socket } from 'node:net';

const SLAB_BYTES = 4096;

/**
 * The bytes a connection will write at the end of this tick, so that the PUBACKs of a whole batch
 * leave in one socket write (one system call, one TLS record) instead of one per message.
 * Plain PUBACKs (4 bytes: 0x40 0x02 id — also valid for v5 when the reason is Success and there are
 * no properties [MQTT-3.4.2-1]) are written into a slab without allocating per message.
 */
export class Outbox {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private slabUsed = 0;
  private runStart = 0;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly flushOnTick = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly socket: Socket) {}

  /** A PUBACK with reason Success and no properties. */
  puback(packetId: number): void {
    if (this.slabUsed + 4 > this.slab.length) {
      this.sealRun();
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.slabUsed = 0;
      this.runStart = 0;
    }
    const s = this.slab;
    const at = this.slabUsed;
    s[at] = 0x40;
    s[at + 1] = 0x02;
    s[at + 2] = packetId >> 8;
    s[at + 3] = packetId & 0xff;
    this.slabUsed = at + 4;
    this.bytes += 4;
    this.schedule();
  }

  /** Any other encoded packet, written after everything queued before it. */
  packet(bytes: Buffer): void {
    this.sealRun();
    this.chunks.push(bytes);
    this.bytes += bytes.length;
    this.schedule();
  }

  /** Writes what is queued now. */
  flush(): void {
    this.sealRun();
    const { chunks } = this;
    if (chunks.length === 0) return;
    const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    if (data !== undefined && !this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  private sealRun(): void {
    if (this.slabUsed > this.runStart) {
      this.chunks.push(this.slab.subarray(this.runStart, this.slabUsed));
      this.runStart = this.slabUsed;
    }
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushOnTick);
    }
  }
}
