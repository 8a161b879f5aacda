import type { ConsoleApiAlarm } from '../../src/model/alarm-console.js';
import type { ApiReading, ApiScore } from '../../src/model/ward.js';

export interface LiveHandlers {
  /** The stream is (again) open: re-read what may have been missed while it was down. */
  readonly onOpen: () => void;
  /** The stream is down; it reconnects by itself. */
  readonly onLost: () => void;
  /** The token ran out (the feed said so, or none is left to reconnect with): sign in again. */
  readonly onSessionEnded: () => void;
  readonly onReadings: (readings: readonly ApiReading[]) => void;
  readonly onScore: (score: ApiScore) => void;
  /** An alarm changed (raised, acknowledged, resolved, …): its state after the change. */
  readonly onAlarm: (alarm: ConsoleApiAlarm) => void;
}

/** Waits before reopening a stream the server closed: 1 s, doubling, at most 15 s. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 15_000;
/**
 * The server sends a `ping` after 15 s without other events (packages/api/src/routes/live.ts). An
 * open stream silent for this long has stalled without closing (a Wi-Fi drop the TCP stack has not
 * noticed; it may not for minutes), or one still waiting for its answer, is reported lost and reopened.
 */
export const STALL_AFTER_MS = 40_000;
const STALL_CHECK_MS = 5_000;

/**
 * A server-sent event feed (`…/live?access_token=…`) that stays up: the browser's EventSource
 * retries a dropped connection itself; a stream the server ended (refused, `overflow`, `expired`
 * for a grant or access change) is reopened here with a fresh URL (and so the current token).
 * `url()` answers undefined when there is no usable token any more.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private retryMs = FIRST_RETRY_MS;
  private timer: number | undefined;
  private closed = false;
  /** When the open stream last said anything (any event, pings included). */
  private lastEventAt = 0;
  private watchdog: number | undefined;

  constructor(
    private readonly url: () => string | undefined,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.closed = false;
    this.open();
    this.watchdog ??= window.setInterval(() => this.checkStall(), STALL_CHECK_MS);
  }

  close(): void {
    this.closed = true;
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.source?.close();
    this.source = undefined;
  }

  private open(): void {
    this.timer = undefined;
    if (this.closed) return;
    const url = this.url();
    if (url === undefined) {
      this.handlers.onSessionEnded();
      return;
    }
    const source = new EventSource(url);
    this.source = source;
    this.lastEventAt = Date.now();
    const heard = () => {
      if (this.source === source) this.lastEventAt = Date.now();
    };
    for (const name of ['ready', 'ping', 'readings', 'waveform', 'score', 'ecg', 'alarm', 'overflow', 'expired']) {
      source.addEventListener(name, heard);
    }
    source.addEventListener('ready', () => {
      this.retryMs = FIRST_RETRY_MS;
      this.handlers.onOpen();
    });
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      this.handlers.onLost();
      if (source.readyState === EventSource.CLOSED) this.reopen();
    });
    source.addEventListener('readings', (e) => {
      this.handlers.onReadings(JSON.parse((e as MessageEvent<string>).data) as ApiReading[]);
    });
    source.addEventListener('score', (e) => {
      this.handlers.onScore(JSON.parse((e as MessageEvent<string>).data) as ApiScore);
    });
    source.addEventListener('alarm', (e) => {
      this.handlers.onAlarm((JSON.parse((e as MessageEvent<string>).data) as { alarm: ConsoleApiAlarm }).alarm);
    });
    source.addEventListener('overflow', () => {
      this.handlers.onLost();
      this.reopen(0);
    });
    source.addEventListener('expired', (e) => {
      const { ended } = JSON.parse((e as MessageEvent<string>).data) as { ended?: string };
      if (ended === 'token') {
        this.close();
        this.handlers.onSessionEnded();
      } else {
        this.handlers.onLost();
        this.reopen(0);
      }
    });
  }

  /**
   * A stream silent for STALL_AFTER_MS, open or still connecting (an answer that never comes):
   * reported lost and reopened.
   */
  private checkStall(): void {
    const source = this.source;
    if (this.closed || source === undefined || source.readyState === EventSource.CLOSED) return;
    if (Date.now() - this.lastEventAt < STALL_AFTER_MS) return;
    this.handlers.onLost();
    this.reopen(0);
  }

  private reopen(delayMs: number = this.retryMs): void {
    this.source?.close();
    this.source = undefined;
    if (this.closed || this.timer !== undefined) return;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.timer = window.setTimeout(() => this.open(), delayMs);
  }
}
