import { crc32 } from 'node:zlib';
import {
  Catalogue,
  DEFAULT_PLAUSIBILITY,
  DEFAULT_WIRE_LIMITS,
  encodeIngestRecord,
  validateTelemetry,
  type DeviceId,
  type ItemProblem,
  type PatientId,
  type RejectReason,
  type WireContext,
} from '@wardstream/domain';
import type { AppendOutcome, AppendRequest, LogState, TelemetryLog } from '@wardstream/log';
import type { BindingResolver } from './binding-resolver.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { IngestAnswer, IngestRejectReason, IngestSink } from './ingest-answer.js';
import { describeLogFailure } from './log-failure.js';

/** A batch is appended when it reaches this many records, without waiting for the end of the tick. */
export const DEFAULT_MAX_BATCH_RECORDS = 1024;

export interface IngestPipelineOptions {
  readonly log: TelemetryLog;
  readonly bindings: BindingResolver;
  readonly metrics: GatewayMetrics;
  /** Catalogue, plausibility limits and wire limits; defaults to the domain's. */
  readonly wire?: WireContext;
  readonly maxBatchRecords?: number;
  /** Receives an error a sink threw from `deliver` (a transport bug); the batch goes on. */
  readonly onInternalError?: (error: unknown) => void;
  /**
   * Told of each refusal the device is answered with (e.g. for a fleet view): once per whole message
   * refused and once per item refused inside a stored message. Not told of `unavailable` (the
   * platform's failure, not the device's) nor of duplicates. Synchronous, on the ingest path: keep
   * it cheap. A throw goes to `onInternalError`; the answer is unchanged.
   */
  readonly onRefused?: (deviceId: DeviceId, refusal: IngestRefusal) => void;
}

/** What the pipeline refused of one device's message: the whole message, or one item of it. */
export interface IngestRefusal {
  readonly what: 'message' | 'item';
  readonly reason: IngestRejectReason;
}

/** The messages collected during one event-loop turn: parallel arrays, one slot per message. */
class Batch {
  readonly requests: AppendRequest[] = [];
  readonly sinks: IngestSink[] = [];
  readonly tokens: number[] = [];
  readonly problems: (readonly ItemProblem[])[] = [];
  readonly readings: number[] = [];
  readonly devices: DeviceId[] = [];
}

/**
 * The transport-independent ingest path: validate (domain wire contract) → bind the device to its
 * patient at the message's event time → encode → append to the telemetry log, in batches.
 *
 * Every message submitted during one event-loop turn (all sockets read in that turn) goes into one
 * `log.append` call, so the log's group commit sees whole batches. Each message gets exactly one
 * `IngestAnswer` through its sink; see `IngestAnswer` for which answers may be acknowledged.
 */
export class IngestPipeline {
  private readonly log: TelemetryLog;
  private readonly bindings: BindingResolver;
  private readonly metrics: GatewayMetrics;
  private readonly wire: WireContext;
  private readonly maxBatchRecords: number;
  private readonly onInternalError: (error: unknown) => void;
  private readonly onRefused: ((deviceId: DeviceId, refusal: IngestRefusal) => void) | undefined;
  private batch = new Batch();
  private flushScheduled = false;
  private appendsInFlight = 0;
  private messagesInFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly flushOnImmediate = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  constructor(options: IngestPipelineOptions) {
    this.log = options.log;
    this.bindings = options.bindings;
    this.metrics = options.metrics;
    this.wire = options.wire ?? {
      catalogue: new Catalogue(),
      plausibility: DEFAULT_PLAUSIBILITY,
      limits: DEFAULT_WIRE_LIMITS,
    };
    this.maxBatchRecords = options.maxBatchRecords ?? DEFAULT_MAX_BATCH_RECORDS;
    if (!Number.isSafeInteger(this.maxBatchRecords) || this.maxBatchRecords < 1) {
      throw new RangeError(`maxBatchRecords must be a positive integer, got ${this.maxBatchRecords}`);
    }
    this.onInternalError =
      options.onInternalError ??
      ((error: unknown) => {
        process.emitWarning(`ingest pipeline: a sink threw: ${String(error)}`);
      });
    this.onRefused = options.onRefused;
  }

  /** Messages submitted and not yet answered. */
  get inFlight(): number {
    return this.messagesInFlight;
  }

  /** The log's state: transports refuse new devices while it is `unavailable`. */
  logState(): LogState {
    return this.log.status().state;
  }

  /**
   * Submits one raw telemetry payload of `deviceId`, received at `receivedAt` (epoch ms). The
   * answer goes to `sink.deliver(token, …)`: synchronously for a message the wire contract
   * rejects, otherwise once the batch's append settles.
   */
  submit(deviceId: DeviceId, payload: Uint8Array, receivedAt: number, sink: IngestSink, token: number): void {
    const verdict = validateTelemetry(this.wire, deviceId, payload, receivedAt);
    if (verdict.kind === 'rejected') {
      this.metrics.messageRejected(verdict.reason);
      this.refused(deviceId, 'message', verdict.reason);
      const key = peekKey(payload, verdict.reason);
      sink.deliver(token, { kind: 'rejected', reason: verdict.reason, detail: verdict.detail, ...key });
      return;
    }
    const { message, problems } = verdict;
    let patientId: PatientId | null;
    try {
      // A reading belongs to the patient bound at its event time; when the device clock is flagged
      // skewed that time cannot be trusted, and the receipt time places it instead (DESIGN 3.2, 3.3).
      const skewed = Math.abs(message.observedAt - receivedAt) > this.wire.limits.clockSkewToleranceMs;
      patientId = this.bindings.patientAt(deviceId, skewed ? receivedAt : message.observedAt);
    } catch (error) {
      this.metrics.messageUnavailable();
      sink.deliver(token, { kind: 'unavailable', detail: `device binding lookup failed: ${String(error)}` });
      return;
    }
    const batch = this.batch;
    batch.requests.push({
      key: patientId ?? deviceId,
      deviceId,
      boot: message.boot,
      seq: message.seq,
      contentHash: crc32(payload),
      payload: encodeIngestRecord({ ...message, patientId, receivedAt }),
    });
    batch.sinks.push(sink);
    batch.tokens.push(token);
    batch.problems.push(problems);
    batch.readings.push(message.readings.length);
    batch.devices.push(deviceId);
    this.messagesInFlight++;
    if (batch.requests.length >= this.maxBatchRecords) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushOnImmediate);
    }
  }

  /** Submits one message and resolves with its answer: for transports with no batching of their own. */
  ingest(deviceId: DeviceId, payload: Uint8Array, receivedAt: number): Promise<IngestAnswer> {
    return new Promise((resolve) => {
      const sink: IngestSink = {
        deliver: (_token, answer) => {
          resolve(answer);
        },
      };
      this.submit(deviceId, payload, receivedAt, sink, 0);
    });
  }

  /** Starts appending the messages collected so far, without waiting for the end of the turn. */
  flush(): void {
    const batch = this.batch;
    if (batch.requests.length === 0) return;
    this.batch = new Batch();
    this.appendsInFlight++;
    let appended: Promise<AppendOutcome[]>;
    try {
      appended = this.log.append(batch.requests);
    } catch (error) {
      appended = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    void appended.then(
      (outcomes) => {
        this.settle(batch, outcomes);
      },
      (error: unknown) => {
        this.fail(batch, error);
      },
    );
  }

  /** Resolves once every submitted message has been answered. */
  idle(): Promise<void> {
    if (this.messagesInFlight === 0 && this.appendsInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settle(batch: Batch, outcomes: readonly AppendOutcome[]): void {
    const { requests, sinks, tokens, problems, readings, devices } = batch;
    if (outcomes.length !== requests.length) {
      this.fail(batch, new Error(`the log answered ${outcomes.length} outcomes for ${requests.length} records`));
      return;
    }
    for (let i = 0; i < requests.length; i++) {
      const outcome = outcomes[i];
      const request = requests[i];
      const sink = sinks[i];
      const device = devices[i];
      if (outcome === undefined || request === undefined || sink === undefined || device === undefined) continue;
      const { boot, seq } = request;
      let answer: IngestAnswer;
      switch (outcome.kind) {
        case 'appended': {
          const itemProblems = problems[i] ?? [];
          this.metrics.messageAccepted(readings[i] ?? 0);
          for (const p of itemProblems) {
            this.metrics.itemRejected(p.reason);
            this.refused(device, 'item', p.reason);
          }
          answer = { kind: 'stored', boot, seq, problems: itemProblems };
          break;
        }
        case 'duplicate':
          this.metrics.messageDuplicate();
          answer = { kind: 'duplicate', boot, seq };
          break;
        case 'conflict':
          this.metrics.messageRejected('conflict');
          this.refused(device, 'message', 'conflict');
          answer = {
            kind: 'rejected',
            reason: 'conflict',
            detail: `the log already holds different content for boot "${boot}" seq ${seq} of this device`,
            boot,
            seq,
          };
          break;
        case 'retired':
          this.metrics.messageRejected('key-retired');
          this.refused(device, 'message', 'key-retired');
          answer = {
            kind: 'rejected',
            reason: 'key-retired',
            detail:
              `(boot "${boot}", seq ${seq}) was used by a message older than the log's retention; it cannot be ` +
              'compared — if this is new data the device must start a new boot id',
            boot,
            seq,
          };
          break;
      }
      this.deliver(sink, tokens[i] ?? 0, answer);
    }
    this.settled(requests.length);
  }

  private fail(batch: Batch, error: unknown): void {
    const answer: IngestAnswer = { kind: 'unavailable', detail: describeLogFailure(error) };
    const { sinks, tokens } = batch;
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i];
      if (sink === undefined) continue;
      this.metrics.messageUnavailable();
      this.deliver(sink, tokens[i] ?? 0, answer);
    }
    this.settled(sinks.length);
  }

  private refused(deviceId: DeviceId, what: IngestRefusal['what'], reason: IngestRejectReason): void {
    if (this.onRefused === undefined) return;
    try {
      this.onRefused(deviceId, { what, reason });
    } catch (error) {
      this.onInternalError(error);
    }
  }

  private deliver(sink: IngestSink, token: number, answer: IngestAnswer): void {
    try {
      sink.deliver(token, answer);
    } catch (error) {
      this.onInternalError(error);
    }
  }

  private settled(messages: number): void {
    this.appendsInFlight--;
    this.messagesInFlight -= messages;
    if (this.messagesInFlight === 0 && this.appendsInFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

const UTF8 = new TextDecoder();

/**
 * Best effort: the boot and seq of a rejected payload, so that the device can tell which message
 * its errors-topic report is about. Only on the rejection path; never throws.
 */
function peekKey(payload: Uint8Array, reason: RejectReason): { boot: string | null; seq: number | null } {
  if (reason === 'payload-too-large' || reason === 'malformed-json') return { boot: null, seq: null };
  try {
    const body: unknown = JSON.parse(UTF8.decode(payload));
    if (typeof body !== 'object' || body === null) return { boot: null, seq: null };
    const { boot, seq } = body as { boot?: unknown; seq?: unknown };
    return {
      boot: typeof boot === 'string' ? boot.slice(0, 64) : null,
      seq: typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null,
    };
  } catch {
    return { boot: null, seq: null };
  }
}
