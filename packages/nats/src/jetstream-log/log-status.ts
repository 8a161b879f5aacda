import type { Clock } from '@wardstream/domain';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import type { LogState, LogStatus } from '@wardstream/log';
import { streamName } from './names.js';

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * What `status()` reports: `unavailable` from a disconnect until the reconnect, and from a failed
 * publish until the next acknowledged one or the next refresh every stream answered; end offsets as the largest of the sequences this
 * process was acknowledged and the streams' last sequences (refreshed every interval, so records
 * other gateways append show up); bytes from the last refresh.
 */
export class LogStatusTracker {
  private state: LogState = { kind: 'ok' };
  private disconnected = false;
  private readonly ends: number[];
  private readonly bytes: number[];
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> | undefined;
  private stopped = false;
  /** The connection's status events (a queued iterator, which `stop()` ends). */
  private readonly events: AsyncIterable<Status> & { stop?: () => void };

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
    infos: readonly StreamInfo[],
    private readonly clock: Clock,
    intervalMs: number,
  ) {
    this.ends = infos.map((info) => info.state.last_seq);
    this.bytes = infos.map((info) => info.state.bytes);
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
    this.events = nc.status();
    void this.watch();
  }

  /** The next offset of `partition` as far as this process knows. */
  endOffset(partition: number): number {
    return this.ends[partition] ?? 0;
  }

  status(): LogStatus {
    return {
      state: this.state,
      endOffsets: new Map(this.ends.map((end, p) => [p, end])),
      bytes: this.bytes.reduce((sum, b) => sum + b, 0),
    };
  }

  noteStored(partition: number, seq: number): void {
    if (seq > (this.ends[partition] ?? 0)) this.ends[partition] = seq;
    if (this.state.kind === 'unavailable' && !this.disconnected) this.state = { kind: 'ok' };
  }

  noteFailure(error: unknown): void {
    this.unavailable(`append failed: ${describe(error)}`);
  }

  /** Reads every stream's info once (at most one refresh at a time; failures leave the figures). */
  refresh(): Promise<void> {
    this.refreshing ??= Promise.all(
      this.ends.map(async (_, p) => {
        const info = await this.jsm.streams.info(streamName(this.prefix, p));
        if (info.state.last_seq > (this.ends[p] ?? 0)) this.ends[p] = info.state.last_seq;
        this.bytes[p] = info.state.bytes;
      }),
    )
      .then(() => {
        // Every stream's leader answered: a failed publish no longer says the log cannot take
        // appends. Waiting for the next acknowledged publish instead would never end in a gateway,
        // which refuses devices, and so publishes nothing, while the log is unavailable.
        if (this.state.kind === 'unavailable' && !this.disconnected) this.state = { kind: 'ok' };
      })
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.events.stop?.();
    await this.refreshing;
  }

  private async watch(): Promise<void> {
    for await (const event of this.events) {
      if (this.stopped) break;
      if (event.type === 'disconnect') {
        this.disconnected = true;
        this.unavailable(`disconnected from ${event.server}`);
      } else if (event.type === 'reconnect') {
        this.disconnected = false;
        this.state = { kind: 'ok' };
        void this.refresh();
      }
    }
    if (!this.stopped) this.unavailable('the NATS connection is closed');
  }

  private unavailable(reason: string): void {
    if (this.state.kind === 'unavailable' && this.state.reason === reason) return;
    this.state = { kind: 'unavailable', reason, since: this.clock.now() };
  }
}
