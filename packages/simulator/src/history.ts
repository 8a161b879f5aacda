/**
 * The simulator's history: every attempt and every answer, one event per line (JSON lines), in the shape
 * the delivery checker reads (RELIABILITY "The checker"). A message is identified by (deviceId, boot, seq).
 */
/** What happened to a message: sent (an attempt), acked (PUBACK), rejected (the platform said why not). */
export type HistoryEventKind = 'sent' | 'acked' | 'rejected';

/** One line of the history. */
export interface HistoryEvent {
  readonly deviceId: string;
  readonly boot: string;
  readonly seq: number;
  readonly event: HistoryEventKind;
  /** When the simulator sent the message or received the answer, epoch ms (wall clock). */
  readonly at: number;
  /** `rejected`: the reason the platform gave (MQTT 5 reason string, or the errors-topic reason). */
  readonly reason?: string;
  /** `rejected` over MQTT 5: the PUBACK reason code (≥ 0x80). */
  readonly reasonCode?: number;
  /** `sent`: canonical codes of the numeric readings the message carries (what the store must hold). */
  readonly codes?: readonly string[];
  /** `sent`: the event time the payload reports, epoch ms (may be skewed). */
  readonly ts?: number;
  /** `sent` of a malformed message: the rejection reason it must get. */
  readonly expect?: string;
  /** `sent`: a deliberate second send of the same (boot, seq). */
  readonly resend?: boolean;
}

/** Where history events go: a JSON-lines file, or memory in tests. */
export interface HistorySink {
  record(event: HistoryEvent): void;
}

/** A history sink that keeps the events in an array. */
export class MemoryHistory implements HistorySink {
  readonly events: HistoryEvent[] = [];
  record(event: HistoryEvent): void {
    this.events.push(event);
  }
}

/** A history line that is not a valid event; `line` is 1-based. */
export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`history line ${line}: ${message}`);
  }
}

const KINDS: readonly string[] = ['sent', 'acked', 'rejected'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks one history line. Throws HistoryFormatError naming the first problem. */
export function parseHistoryLine(text: string, line: number): HistoryEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HistoryFormatError(line, 'not JSON');
  }
  if (!isRecord(value)) throw new HistoryFormatError(line, 'not a JSON object');
  const { deviceId, boot, seq, event, at, reason, reasonCode, codes, ts, expect, resend } = value;
  const fail = (what: string): never => {
    throw new HistoryFormatError(line, what);
  };
  if (typeof deviceId !== 'string' || deviceId === '') fail('deviceId must be a non-empty string');
  if (typeof boot !== 'string') fail('boot must be a string');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) fail('seq must be an integer');
  if (typeof event !== 'string' || !KINDS.includes(event)) fail('event must be sent, acked or rejected');
  if (typeof at !== 'number' || !Number.isFinite(at)) fail('at must be epoch milliseconds');
  if (reason !== undefined && typeof reason !== 'string') fail('reason must be a string');
  if (reasonCode !== undefined && typeof reasonCode !== 'number') fail('reasonCode must be a number');
  if (codes !== undefined && (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string'))) {
    fail('codes must be an array of strings');
  }
  if (ts !== undefined && typeof ts !== 'number') fail('ts must be epoch milliseconds');
  if (expect !== undefined && typeof expect !== 'string') fail('expect must be a string');
  if (resend !== undefined && typeof resend !== 'boolean') fail('resend must be a boolean');
  return value as unknown as HistoryEvent;
}

/** One event as a history line (without the newline). Optional fields that are absent are left out. */
export function formatHistoryLine(event: HistoryEvent): string {
  return JSON.stringify(event);
}
