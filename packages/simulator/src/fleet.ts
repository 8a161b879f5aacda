import type { Clock } from '@wardstream/domain';
import type { OutgoingMessage, SimulatedDevice } from './device.js';
import { answerEvent, reportEvent, sentEvent } from './history-events.js';
import type { HistorySink } from './history.js';
import type { Random } from './random.js';
import type { DeviceTransport, ErrorReport, PublishAnswer, TransportFactory } from './transport.js';
import { sleep, waitUntil } from './wait.js';

/** What a fleet is made of and how it paces itself. */
export interface FleetOptions {
  readonly devices: readonly SimulatedDevice[];
  readonly openTransport: TransportFactory;
  readonly history: HistorySink;
  readonly clock: Clock;
  /** Jitter of connects and back-off. */
  readonly random: Random;
  /** Each device sends a message every `intervalMs`. */
  readonly intervalMs: number;
  /** A device with this many publishes unanswered skips its turn (bounded memory when the platform stalls). */
  readonly maxInflightPerDevice: number;
  /** Stop composing after this many new messages (re-sends not counted); undefined: no limit. */
  readonly messageLimit?: number;
  /** First connects are spread uniformly over this long. */
  readonly connectSpreadMs: number;
  /** How long a rebooting device's old connection may take to collect its outstanding answers. */
  readonly rebootCloseGraceMs: number;
  /**
   * At stop, after the last PUBACK, wait this long for out-of-band rejections still on their way (the
   * MQTT 3.1.1 errors topic: a gateway may publish the error after its PUBACK). 0 for MQTT 5.
   */
  readonly trailingReportsGraceMs?: number;
}

/** Counters of a running fleet. Publishes and answers, not distinct messages (the checker counts those). */
export interface FleetStats {
  readonly devices: number;
  readonly connected: number;
  /** Devices that have connected at least once. */
  readonly everConnected: number;
  /** New messages composed (what `messageLimit` bounds). */
  readonly composed: number;
  /** Publishes, including deliberate re-sends and out-of-order releases. */
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  /** Publishes awaiting an answer. */
  readonly pending: number;
  /** Publishes whose connection was closed before they were answered. */
  readonly abandoned: number;
  /** Turns skipped because the device had `maxInflightPerDevice` publishes unanswered. */
  readonly throttled: number;
  /** Connections lost or connect attempts failed. */
  readonly disconnects: number;
  /** Errors-topic reports that named no message and matched no unanswered malformed one. */
  readonly unattributed: number;
  /** Errors-topic reports of messages stored without some of their items (not rejections). */
  readonly partiallyStored: number;
  readonly lastError?: string;
}

interface Session {
  readonly transport: DeviceTransport;
  inflight: number;
  closed: boolean;
}

class Runtime {
  /** The device's current connection; replaced when the device reboots. Set right after construction. */
  session!: Session;
  connected = false;
  /** Unanswered malformed messages whose payload names no (boot, seq), oldest first. */
  unidentified: { boot: string; seq: number }[] = [];

  constructor(
    readonly device: SimulatedDevice,
    public nextDueAt: number,
  ) {}
}

/** The errors-topic reason of a message stored without some of its items (the gateway's `items-refused`). */
const PARTIAL_REPORT_REASON = 'items-refused';
/** At most this many unidentifiable messages are remembered per device for errors-topic matching. */
const MAX_UNIDENTIFIED = 1_000;
/** A device more than this many intervals behind skips the missed turns instead of bursting. */
const MAX_CATCH_UP_INTERVALS = 5;

/**
 * A fleet of simulated devices: paces their messages, publishes them through their transports, and
 * records every attempt and answer in the history. Driven from outside: `start`, then `step` often
 * (each call sends what is due at the clock's now), then `stop`.
 */
export class Fleet {
  private readonly runtimes: Runtime[] = [];
  private counters = { composed: 0, sent: 0, acked: 0, rejected: 0, abandoned: 0, throttled: 0 };
  /** Publishes awaiting an answer, over every connection still open (including closing ones). */
  private pending = 0;
  private disconnects = 0;
  private unattributed = 0;
  private partiallyStored = 0;
  private lastError: string | undefined;
  private readonly everConnected = new Set<string>();
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  /** Connections of rebooted devices still closing. */
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly options: FleetOptions) {}

  /** Opens every device's transport and schedules the devices' first messages, spread over one interval. */
  start(): void {
    const { devices, clock, intervalMs } = this.options;
    const startAt = clock.now();
    devices.forEach((device, i) => {
      const runtime = new Runtime(device, startAt + (i * intervalMs) / devices.length);
      runtime.session = this.openSession(runtime, this.options.random.between(0, this.options.connectSpreadMs));
      this.runtimes.push(runtime);
    });
  }

  /** Sends everything due at the clock's now. Returns the number of publishes made. */
  step(): number {
    if (this.stopping) return 0;
    const { clock, intervalMs, maxInflightPerDevice, messageLimit } = this.options;
    const now = clock.now();
    const before = this.counters.sent;
    for (const rt of this.runtimes) {
      if (now - rt.nextDueAt > MAX_CATCH_UP_INTERVALS * intervalMs) rt.nextDueAt = now;
      while (rt.nextDueAt <= now && !this.limitReached(messageLimit)) {
        const at = rt.nextDueAt;
        rt.nextDueAt += intervalMs;
        if (rt.session.inflight >= maxInflightPerDevice) {
          this.counters.throttled++;
          continue;
        }
        const tick = rt.device.tick(at);
        this.counters.composed += tick.composed;
        if (tick.rebooted) this.restart(rt);
        for (const message of tick.messages) this.publish(rt, message);
      }
    }
    return this.counters.sent - before;
  }

  /** True once `messageLimit` new messages have been composed. */
  get done(): boolean {
    return this.limitReached(this.options.messageLimit);
  }

  private limitReached(limit: number | undefined): boolean {
    return limit !== undefined && this.counters.composed >= limit;
  }

  stats(): FleetStats {
    return {
      devices: this.runtimes.length,
      connected: this.runtimes.filter((rt) => rt.connected).length,
      everConnected: this.everConnected.size,
      ...this.counters,
      pending: this.pending,
      disconnects: this.disconnects,
      unattributed: this.unattributed,
      partiallyStored: this.partiallyStored,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /**
   * Stops composing, sends what devices still hold (out-of-order windows, pending re-sends), waits up to
   * `drainTimeoutMs` for every answer (aborting `signal` cuts the wait short), then closes every
   * connection. Publishes still unanswered then count as abandoned.
   */
  async stop(drainTimeoutMs: number, signal?: AbortSignal): Promise<FleetStats> {
    if (!this.stopping) {
      this.stopping = true;
      for (const rt of this.runtimes) for (const message of rt.device.drain()) this.publish(rt, message);
    }
    if (this.pending > 0 && drainTimeoutMs > 0) {
      await waitUntil((done) => this.idleWaiters.push(done), drainTimeoutMs, signal);
    }
    const graceMs = this.options.trailingReportsGraceMs ?? 0;
    if (graceMs > 0 && drainTimeoutMs > 0) await sleep(graceMs, signal);
    await Promise.all([...this.runtimes.map((rt) => this.closeSession(rt.session, 0)), ...this.closing]);
    for (const rt of this.runtimes) rt.connected = false;
    return this.stats();
  }

  private openSession(rt: Runtime, connectDelayMs: number, after?: Promise<void>): Session {
    // Events of a replaced (rebooted-away) connection no longer describe the device. (`session` is
    // assigned below, before any event can arrive: transports report asynchronously.)
    const current = (): boolean => rt.session === session && !session.closed;
    const transport = this.options.openTransport({
      deviceId: rt.device.deviceId,
      connectDelayMs,
      random: this.options.random.fork(`backoff/${rt.device.deviceId}/${rt.device.boot}`),
      ...(after === undefined ? {} : { after }),
      listener: {
        onConnect: () => {
          if (!current()) return;
          rt.connected = true;
          this.everConnected.add(rt.device.deviceId);
        },
        onDisconnect: (error) => {
          if (!current()) return;
          rt.connected = false;
          this.disconnects++;
          if (error !== undefined) this.lastError = error;
        },
        onErrorReport: (report) => {
          this.onErrorReport(rt, report);
        },
      },
    });
    const session: Session = { transport, inflight: 0, closed: false };
    return session;
  }

  private async closeSession(session: Session, graceMs: number): Promise<void> {
    if (session.closed) return;
    try {
      await session.transport.close(graceMs);
    } catch (err) {
      // Closing is best effort: the session is over either way, and its unanswered publishes abandoned.
      this.lastError = `closing a connection: ${(err as Error).message}`;
    } finally {
      session.closed = true;
      this.counters.abandoned += session.inflight;
      this.pending -= session.inflight;
      session.inflight = 0;
      this.wakeIfIdle();
    }
  }

  /** A rebooted device drops its connection (politely, briefly) and connects afresh once it is closed. */
  private restart(rt: Runtime): void {
    const old = rt.session;
    const closed = this.closeSession(old, this.options.rebootCloseGraceMs);
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
    rt.connected = false;
    rt.unidentified = [];
    rt.session = this.openSession(rt, 0, closed);
  }

  private publish(rt: Runtime, message: OutgoingMessage): void {
    const { boot, seq } = message;
    this.options.history.record(sentEvent(message, this.options.clock.now()));
    if (!message.identifiable) {
      rt.unidentified.push({ boot, seq });
      if (rt.unidentified.length > MAX_UNIDENTIFIED) rt.unidentified.shift();
    }
    const session = rt.session;
    session.inflight++;
    this.pending++;
    this.counters.sent++;
    session.transport.publish(message.payload, (answer) => {
      this.onAnswer(session, message, answer);
    });
  }

  private onAnswer(session: Session, message: OutgoingMessage, answer: PublishAnswer): void {
    if (!session.closed) {
      session.inflight--;
      this.pending--;
    }
    if (answer.kind === 'failed') {
      this.counters.abandoned++;
      this.lastError = answer.error;
    } else {
      this.counters[answer.kind]++;
    }
    const event = answerEvent(message, answer, this.options.clock.now());
    if (event !== undefined) this.options.history.record(event);
    this.wakeIfIdle();
  }

  private onErrorReport(rt: Runtime, report: ErrorReport): void {
    // The gateway also reports messages it stored without some items: those are not rejections.
    if (report.reason === PARTIAL_REPORT_REASON) {
      this.partiallyStored++;
      return;
    }
    let target: { boot: string; seq: number } | undefined;
    if (report.seq === undefined) {
      target = rt.unidentified.shift();
    } else {
      target = { boot: report.boot ?? rt.device.boot, seq: report.seq };
      // A gateway that could read more than expected named a message waiting in the queue: take it out.
      const { boot, seq } = target;
      const i = rt.unidentified.findIndex((u) => u.boot === boot && u.seq === seq);
      if (i !== -1) rt.unidentified.splice(i, 1);
    }
    if (target === undefined) {
      this.unattributed++;
      return;
    }
    this.counters.rejected++;
    this.options.history.record(
      reportEvent({ deviceId: rt.device.deviceId, ...target }, report, this.options.clock.now()),
    );
  }

  private wakeIfIdle(): void {
    if (this.idleWaiters.length > 0 && this.pending === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
