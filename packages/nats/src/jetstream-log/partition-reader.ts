import {
  DeliverPolicy,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { LogCorruptionError, type LogEntry } from '@wardstream/log';
import { readRecordHeaders } from './record-headers.js';

/** Messages one pull asks for; the client pulls again once three quarters have arrived. */
const PULL_BATCH = 256;
/** Entries buffered per partition before the reader stops pulling until a fetch takes some. */
const BUFFER_LIMIT = 1024;
/** How long a pull stays open on the server (heartbeats every half of it detect a lost consumer). */
const PULL_EXPIRES_MS = 30_000;
/** An ordered consumer the reader lost (a crash) is removed by the server after this idle time. */
const INACTIVE_THRESHOLD_MS = 60_000;
/** Longest wait for the server to delete a consumer when the reader stops. */
const DELETE_WAIT_MS = 2_000;
/** How often a reader checks that its consumer is on the stream's leader. */
const PLACEMENT_CHECK_MS = 1_000;
/** Consumers created in a row to get one on the leader before backing off between attempts. */
const PLACEMENT_ATTEMPTS = 6;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function toEntry(partition: number, msg: JsMsg): LogEntry | LogCorruptionError {
  const offset = msg.seq - 1;
  const read = readRecordHeaders(msg.headers);
  if ('problem' in read) {
    return new LogCorruptionError(
      `telemetry log partition ${partition} offset ${offset} cannot be read (${read.problem})`,
      partition,
      offset,
    );
  }
  return { partition, offset, ...read.key, payload: msg.data };
}

/**
 * Streams one partition from an offset on through a JetStream ordered consumer (ephemeral, in
 * memory, no acks; the client recreates it from the last sequence seen when it detects a gap or
 * loses it) into a bounded buffer that fetches take from. `nextOffset` is the offset of the next
 * entry a fetch should get; a fetch from any other offset replaces the reader (see `reposition`).
 * Offsets may jump where retention deleted records, never go back, never skip a retained one.
 */
export class PartitionReader {
  private readonly buffer: (LogEntry | LogCorruptionError)[] = [];
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  private stopped = false;
  private resumePump: (() => void) | undefined;
  private readonly running: Promise<void>;
  /** Why the reader cannot go on (its consumer could not be created, or the client gave up). */
  failure: unknown;
  nextOffset: number;

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    readonly partition: number,
    offset: number,
    private readonly onData: () => void,
  ) {
    this.nextOffset = offset;
    this.running = this.run(offset).catch((error: unknown) => {
      if (!this.stopped) this.failure = error;
      this.onData();
    });
  }

  /** Entries buffered now. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** The error of the first buffered message if it cannot be read. */
  get headError(): LogCorruptionError | undefined {
    const head = this.buffer[0];
    return head instanceof LogCorruptionError ? head : undefined;
  }

  /**
   * Prepares the reader to serve `offset`: true if it is its next offset, or one it has buffered
   * (the entries before it are dropped); false if a new reader is needed.
   */
  reposition(offset: number): boolean {
    if (offset === this.nextOffset) return true;
    if (offset < this.nextOffset) return false;
    const at = this.buffer.findIndex((entry) => entry.offset === offset);
    if (at < 0) return false;
    this.buffer.splice(0, at);
    this.nextOffset = offset;
    this.wakePump();
    return true;
  }

  /**
   * Removes and returns up to `max` buffered entries in offset order. Throws the
   * `LogCorruptionError` of an unreadable message when it is the first due; stops before one
   * that follows good entries (the next take throws).
   */
  take(max: number): LogEntry[] {
    const taken: LogEntry[] = [];
    while (taken.length < max) {
      const head = this.buffer[0];
      if (head === undefined) break;
      if (head instanceof LogCorruptionError) {
        if (taken.length > 0) break;
        throw head;
      }
      this.buffer.shift();
      taken.push(head);
      this.nextOffset = head.offset + 1;
    }
    if (taken.length > 0) this.wakePump();
    return taken;
  }

  /** Stops pulling and deletes the consumer (best effort: the server also expires it). */
  async stop(): Promise<void> {
    if (this.stopped) return this.running;
    this.stopped = true;
    this.wakePump();
    // Not close(): it resolves once the iterator is drained, and run() may not have begun to.
    this.messages?.stop();
    await this.running;
    const consumer = this.consumer;
    if (consumer !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELETE_WAIT_MS)));
      await Promise.race([consumer.delete().catch(() => false), timeout]);
      clearTimeout(timer);
    }
  }

  /**
   * Pulls from `offset` on. Every message must be the next sequence, or one after a range the
   * stream no longer holds (retention): a consumer that delivers past messages the stream still
   * holds (seen after a stream leader changed, with the server of Debian bookworm) would make a
   * processor go past records it never read, so the reader drops that consumer and starts a new one
   * at the sequence it expects, and a duplicate delivery after the client's own reset is ignored.
   *
   * The consumer must live on the stream's leader. A consumer reads the store of the server it is
   * placed on, and nats-server 2.9 let a replica's store diverge from the leader's when a node was
   * paused (other messages at the same sequences, for good); a consumer on that replica delivered
   * them, and the acknowledged messages the leader holds at those sequences were never read. So
   * the reader creates consumers until one is on the leader; takes nothing from a consumer the
   * client recreated by itself until that one is known to be on the leader; and drops the consumer
   * for a new one, taking nothing more from it, when a check every second finds it elsewhere.
   */
  private async run(offset: number): Promise<void> {
    let expected = offset + 1;
    for (let restarts = 0; ; restarts++) {
      if (restarts > 0) await delay(Math.min(2_000, 100 * restarts));
      if (this.isStopped()) return;
      const { consumer, name } = await this.consumerOnLeader(expected);
      this.consumer = consumer;
      if (this.isStopped()) return;
      const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS });
      this.messages = messages;
      if (this.isStopped()) {
        messages.stop();
        return;
      }
      /** The consumer last known to be on the leader: only its messages are taken. */
      let verified = name;
      const watch = this.watchPlacement(() => verified, messages);
      let gap = false;
      try {
        for await (const msg of messages) {
          if (this.isStopped() || watch.misplaced) break;
          if (msg.info.consumer !== verified) {
            // The client recreated the consumer (a missed heartbeat): wherever the server put it.
            if ((await this.placementOf(msg.info.consumer)) !== true) {
              watch.misplace();
              break;
            }
            verified = msg.info.consumer;
          }
          if (msg.seq < expected) continue;
          if (msg.seq > expected && !(await this.deletedBefore(msg.seq))) {
            gap = true;
            break;
          }
          expected = msg.seq + 1;
          this.buffer.push(toEntry(this.partition, msg));
          this.onData();
          while (this.buffer.length >= BUFFER_LIMIT && !this.isStopped()) {
            await new Promise<void>((resolve) => (this.resumePump = resolve));
          }
        }
      } finally {
        watch.stop();
      }
      if (this.isStopped()) return;
      messages.stop();
      void consumer.delete().catch(() => false);
      if (!gap && !watch.misplaced) throw new Error(`the consumer of ${this.stream} stopped`);
    }
  }

  /**
   * An ordered consumer from `seq` on, on the stream's leader: the server places each new one on
   * any replica, so it creates them (backing off, while there is no leader) until one is there.
   */
  private async consumerOnLeader(seq: number): Promise<{ consumer: Consumer; name: string }> {
    for (let attempt = 1; ; attempt++) {
      const consumer = await this.js.consumers.get(this.stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: seq,
        inactive_threshold: INACTIVE_THRESHOLD_MS,
      });
      const { name } = await consumer.info(true);
      if (this.isStopped() || (await this.placementOf(name)) === true) return { consumer, name };
      void consumer.delete().catch(() => false);
      if (attempt >= PLACEMENT_ATTEMPTS) await delay(Math.min(2_000, 100 * (attempt - PLACEMENT_ATTEMPTS + 1)));
    }
  }

  /**
   * Whether consumer `name` is on the stream's leader: undefined when unknown (no leader now, or
   * the server did not answer). A server without clustering has one store.
   */
  private async placementOf(name: string): Promise<boolean | undefined> {
    try {
      const jsm = await this.js.jetstreamManager(false);
      // By name, not `consumer.info()`: that would overwrite the client's cached info of the
      // consumer with an older one's if the client recreated it meanwhile.
      const [mine, stream] = await Promise.all([jsm.consumers.info(this.stream, name), jsm.streams.info(this.stream)]);
      const leader = stream.cluster?.leader;
      if (stream.cluster?.replicas === undefined || stream.cluster.replicas.length === 0) return true;
      if (leader === undefined || leader === '') return undefined;
      return mine.cluster?.leader === leader;
    } catch {
      return undefined;
    }
  }

  /**
   * Checks every `PLACEMENT_CHECK_MS` that the verified consumer is still on the leader; when it is
   * not, marks it misplaced (the run loop takes nothing more from it) and stops its messages.
   */
  private watchPlacement(
    verified: () => string,
    messages: ConsumerMessages,
  ): { readonly misplaced: boolean; misplace(): void; stop(): void } {
    // Fields, not locals: they change in callbacks, which narrowing cannot see.
    const state = { misplaced: false, checking: false, stopped: false };
    const misplace = (): void => {
      if (state.misplaced) return;
      state.misplaced = true;
      messages.stop();
    };
    const timer = setInterval(() => {
      if (state.checking || state.stopped) return;
      state.checking = true;
      void this.placementOf(verified()).then((onLeader) => {
        state.checking = false;
        if (onLeader === false && !state.stopped) misplace();
      });
    }, PLACEMENT_CHECK_MS);
    return {
      get misplaced() {
        return state.misplaced;
      },
      misplace,
      stop() {
        state.stopped = true;
        clearInterval(timer);
      },
    };
  }

  /** Whether the stream has deleted everything before `seq` that a consumer skipped (retention). */
  private async deletedBefore(seq: number): Promise<boolean> {
    try {
      const jsm = await this.js.jetstreamManager(false);
      const info = await jsm.streams.info(this.stream);
      return info.state.first_seq >= seq;
    } catch {
      return false; // unknown: read again rather than skip
    }
  }

  /** Read through a call: `stop()` sets the flag while `run()` awaits, which narrowing cannot see. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private wakePump(): void {
    const resume = this.resumePump;
    this.resumePump = undefined;
    resume?.();
  }
}
