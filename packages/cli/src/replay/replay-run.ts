import type { DeviceId } from '@wardstream/domain';
import {
  encodeJson,
  mqttTransportFactory,
  Random,
  waitUntil,
  type MqttConnectionOptions,
  type PublishAnswer,
  type TransportFactory,
} from '@wardstream/simulator';
import type { ReplayChannel } from './channel-map.js';
import { ChunkCursor, chunkPayload, type Chunk, type ChunkPlan, type Section } from './chunking.js';

/** Everything a replay run needs once the recording is read and the channels and chunks are planned. */
export interface ReplayRunOptions {
  readonly deviceId: DeviceId;
  readonly boot: string;
  readonly fsHz: number;
  readonly channels: readonly ReplayChannel[];
  readonly plan: ChunkPlan;
  readonly section: Section;
  /** Event time of the first sample, epoch ms, or the moment publishing starts. */
  readonly startAt: number | 'now';
  readonly loop: boolean;
  /** 1 = real time, 10 = ten times faster; 'max' = as fast as acknowledgements allow. */
  readonly speed: number | 'max';
  /** Messages published and not yet answered, at most. */
  readonly maxInflight: number;
  readonly connection: MqttConnectionOptions;
  /** Fail when not connected within this long, at the start or after losing the connection. */
  readonly connectTimeoutMs: number;
  /** At the end, wait this long for outstanding answers. */
  readonly drainTimeoutMs: number;
  readonly progressIntervalMs: number;
}

/** A progress report (stderr, every few seconds). */
export interface ReplayProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly acked: number;
  /** Position in the section of the last chunk acknowledged, ms from its start, and the section's length. */
  readonly positionMs: number;
  readonly sectionMs: number;
  readonly pass: number;
  /** Samples (per channel) acknowledged per second since the previous report. */
  readonly samplesPerS: number;
  /** Recording time acknowledged per wall-clock time since the previous report (1 = real time). */
  readonly pace: number;
  readonly connected: boolean;
}

/** What a run did; `failure` says why it failed, when it did. */
export interface ReplaySummary {
  readonly sent: number;
  readonly acked: number;
  readonly refused: number;
  /** Published and never answered (drain timed out, or forced stop). */
  readonly unanswered: number;
  /** Samples acknowledged per channel (the same for every channel). */
  readonly samplesPerChannel: number;
  /** Event time of the first sample sent and just after the last sample acknowledged, epoch ms. */
  readonly firstAt: number | undefined;
  readonly endAt: number | undefined;
  readonly elapsedMs: number;
  readonly interrupted: boolean;
  readonly failure?: string;
}

export interface ReplayHooks {
  /** Aborting stops publishing; answers still owed are awaited up to the drain timeout. */
  readonly signal?: AbortSignal;
  /** Aborting skips the drain (a second Ctrl-C). */
  readonly forceSignal?: AbortSignal;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** The device transport; the MQTT one by default. */
  readonly openTransport?: TransportFactory;
  readonly now?: () => number;
}

const WATCHDOG_MS = 100;

/**
 * Publishes the chunks of a recording as one device over MQTT (QoS 1), paced at `speed` × real time:
 * a chunk goes out when its last sample would have been measured, as a live device sends it. At most
 * `maxInflight` messages wait for their PUBACK; publishing pauses while they do (with `speed` 'max' that
 * is the only limit). The first refused message stops the run and names the reason the platform gave; so
 * does a connection that cannot be made, or is lost for longer than `connectTimeoutMs`.
 */
export async function runReplay(o: ReplayRunOptions, hooks: ReplayHooks = {}): Promise<ReplaySummary> {
  const run = new ReplayRun(o, hooks);
  return run.run();
}

class ReplayRun {
  private readonly now: () => number;
  private readonly started: number;
  private sent = 0;
  private acked = 0;
  private refused = 0;
  private failed = 0;
  private samplesPerChannel = 0;
  private firstAt: number | undefined;
  private endAt: number | undefined;
  private lastAcked: Chunk | undefined;
  private connected = false;
  private lastError: string | undefined;
  private downSince: number;
  private failure: string | undefined;
  private readonly wakers = new Set<() => void>();
  private readonly bySeq = new Map<number, Chunk>();

  constructor(
    private readonly o: ReplayRunOptions,
    private readonly hooks: ReplayHooks,
  ) {
    this.now = hooks.now ?? Date.now;
    this.started = this.now();
    this.downSince = this.started;
  }

  async run(): Promise<ReplaySummary> {
    const open = this.hooks.openTransport ?? mqttTransportFactory(this.o.connection);
    const transport = open({
      deviceId: this.o.deviceId,
      connectDelayMs: 0,
      random: new Random(`replay/${this.o.deviceId}`),
      listener: {
        onConnect: () => {
          this.connected = true;
          this.wake();
        },
        onDisconnect: (error) => {
          if (this.connected) this.downSince = this.now();
          this.connected = false;
          if (error !== undefined) this.lastError = error;
          this.wake();
        },
        onErrorReport: (report) => {
          const detail = report.detail === undefined ? '' : `: ${report.detail}`;
          this.refuse(report.seq, `${report.reason}${detail}`);
        },
      },
    });
    const watchdog = setInterval(() => {
      this.checkConnection();
    }, WATCHDOG_MS);
    const progress = this.startProgress();
    try {
      await this.waitFor(() => this.connected);
      if (this.connected && this.failure === undefined)
        await this.publishAll((bytes, answer) => transport.publish(bytes, answer));
      await this.drain();
    } finally {
      clearInterval(watchdog);
      progress?.stop();
      await transport.close(0);
    }
    return this.summary();
  }

  private async publishAll(publish: (bytes: Uint8Array, onAnswer: (a: PublishAnswer) => void) => void): Promise<void> {
    const { o } = this;
    const startAt = o.startAt === 'now' ? this.now() : o.startAt;
    const startedWall = this.now();
    const cursor = new ChunkCursor(o.plan, o.section, o.fsHz, startAt, o.loop);
    for (let chunk = cursor.next(); chunk !== undefined; chunk = cursor.next()) {
      await this.waitFor(() => this.sent - this.answered() < o.maxInflight);
      if (o.speed !== 'max') {
        const due = startedWall + chunk.endOffsetMs / o.speed;
        await this.waitFor(
          () => this.now() >= due,
          () => due - this.now(),
        );
      }
      if (this.stopping()) return;
      const seq = chunk.seq;
      this.bySeq.set(seq, chunk);
      this.firstAt ??= chunk.t0;
      this.sent++;
      publish(encodeJson(chunkPayload(chunk, o.channels, o.boot, o.fsHz)), (answer) => {
        this.answer(seq, answer);
      });
    }
  }

  /**
   * Waits for every answer, up to the drain timeout: not at all after a forced stop, nor once the
   * connection is given up (no answer can come).
   */
  private async drain(): Promise<void> {
    const deadline = this.now() + this.o.drainTimeoutMs;
    const hopeless = () => this.hooks.forceSignal?.aborted === true || (this.failure !== undefined && !this.connected);
    while (this.sent > this.answered() && !hopeless() && this.now() < deadline) {
      await waitUntil((done) => this.wakers.add(done), deadline - this.now(), this.hooks.forceSignal);
    }
    const owed = this.sent - this.answered();
    if (owed > 0 && this.failure === undefined && this.hooks.forceSignal?.aborted !== true) {
      this.failure = `${owed} messages unanswered after waiting ${this.o.drainTimeoutMs / 1000} s: they may not be stored`;
    }
  }

  private answer(seq: number, answer: PublishAnswer): void {
    const chunk = this.bySeq.get(seq);
    this.bySeq.delete(seq);
    if (answer.kind === 'acked') {
      this.acked++;
      if (chunk !== undefined) {
        this.samplesPerChannel += chunk.to - chunk.from;
        const end = chunk.t0 + ((chunk.to - chunk.from) * 1000) / this.o.fsHz;
        this.endAt = Math.max(this.endAt ?? end, end);
        if (this.lastAcked === undefined || chunk.seq > this.lastAcked.seq) this.lastAcked = chunk;
      }
    } else if (answer.kind === 'rejected') {
      this.refused++;
      const code = answer.reasonCode === undefined ? '' : ` (reason code 0x${answer.reasonCode.toString(16)})`;
      this.fail(`message seq ${seq} was refused: ${answer.reason}${code}`);
    } else {
      this.failed++;
    }
    this.wake();
  }

  /**
   * An MQTT 3.1.1 refusal, reported on the errors topic (the PUBACK came, or comes, as usual). Also a
   * message stored without some of its segments (`items-refused`): for a replay that is samples lost.
   */
  private refuse(seq: number | undefined, reason: string): void {
    this.refused++;
    const which = seq === undefined ? '(seq unknown)' : `seq ${seq}`;
    this.fail(
      reason.startsWith('items-refused')
        ? `message ${which} was stored without some of its waveforms: ${reason}`
        : `message ${which} was refused: ${reason}`,
    );
  }

  private checkConnection(): void {
    if (this.connected || this.failure !== undefined) return;
    if (this.now() - this.downSince < this.o.connectTimeoutMs) return;
    const url = this.o.connection.url;
    const why = this.lastError === undefined ? '' : `: ${this.lastError}`;
    this.fail(
      this.sent === 0
        ? `cannot connect to ${url} within ${this.o.connectTimeoutMs / 1000} s${why}`
        : `lost the connection to ${url} and could not reconnect within ${this.o.connectTimeoutMs / 1000} s${why}`,
    );
  }

  private fail(message: string): void {
    this.failure ??= message;
    this.wake();
  }

  private answered(): number {
    return this.acked + this.refused + this.failed;
  }

  private stopping(): boolean {
    return this.failure !== undefined || this.hooks.signal?.aborted === true;
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const w of wakers) w();
  }

  /**
   * Waits until `ready()` or the run is stopping, waking on every answer or connection change, and
   * after `remainingMs()` when given (pacing).
   */
  private async waitFor(ready: () => boolean, remainingMs: () => number = () => 1_000): Promise<void> {
    while (!ready() && !this.stopping()) {
      await waitUntil((done) => this.wakers.add(done), Math.max(1, remainingMs()), this.hooks.signal);
    }
  }

  private startProgress(): { stop(): void } | undefined {
    const { onProgress } = this.hooks;
    if (onProgress === undefined) return undefined;
    let last = { at: this.started, samples: 0 };
    const sectionSamples = this.o.section.to - this.o.section.from;
    const timer = setInterval(() => {
      const at = this.now();
      const seconds = Math.max(1e-3, (at - last.at) / 1000);
      const samplesPerS = (this.samplesPerChannel - last.samples) / seconds;
      last = { at, samples: this.samplesPerChannel };
      const chunk = this.lastAcked;
      onProgress({
        elapsedMs: at - this.started,
        sent: this.sent,
        acked: this.acked,
        positionMs: chunk === undefined ? 0 : ((chunk.to - this.o.section.from) * 1000) / this.o.fsHz,
        sectionMs: (sectionSamples * 1000) / this.o.fsHz,
        pass: chunk?.pass ?? 0,
        samplesPerS,
        pace: samplesPerS / this.o.fsHz,
        connected: this.connected,
      });
    }, this.o.progressIntervalMs);
    return { stop: () => clearInterval(timer) };
  }

  private summary(): ReplaySummary {
    return {
      sent: this.sent,
      acked: this.acked,
      refused: this.refused,
      unanswered: this.sent - this.answered() + this.failed,
      samplesPerChannel: this.samplesPerChannel,
      firstAt: this.firstAt,
      endAt: this.endAt,
      elapsedMs: this.now() - this.started,
      interrupted: this.hooks.signal?.aborted === true,
      ...(this.failure === undefined ? {} : { failure: this.failure }),
    };
  }
}
