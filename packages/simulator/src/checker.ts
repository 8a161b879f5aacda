import type { HistoryEvent } from './history.js';

/**
 * The delivery checker, in the shape Jepsen uses for queues (RELIABILITY "The checker"): compares what
 * the simulator was told (its history) with what the store holds. Only messages acknowledged and not
 * rejected are promised; a rejected message must not be stored.
 */

/** A message's identity. */
export interface MessageKey {
  readonly deviceId: string;
  readonly boot: string;
  readonly seq: number;
}

/** One stored reading's identity: the idempotency key of DESIGN 3.4. */
export interface StoredReadingKey extends MessageKey {
  readonly code: string;
}

/** Where a lost message sits among its device's acknowledged messages, in send order. */
export type LossPosition = 'prefix' | 'middle' | 'suffix';

/** An acknowledged message not (fully) stored. */
export interface LostMessage extends MessageKey {
  readonly position: LossPosition;
  /** Codes acknowledged but not stored; empty when the history does not list the message's codes. */
  readonly missingCodes: readonly string[];
  /** Nothing at all of the message is stored. */
  readonly whole: boolean;
}

/** One device's lost messages, counted by position. */
export interface DeviceLoss {
  readonly deviceId: string;
  readonly prefix: number;
  readonly middle: number;
  readonly suffix: number;
}

/** The checker's verdict: counts of every set, the failures themselves, and whether the run passes. */
export interface DeliveryResult {
  /** Distinct messages sent at least once. */
  readonly attempted: number;
  /** Acknowledged and not rejected: the promised messages. */
  readonly acknowledged: number;
  readonly rejected: number;
  /** Sent, never answered. */
  readonly unanswered: number;
  /** Messages with at least one stored reading, and distinct stored readings. */
  readonly stored: number;
  readonly storedReadings: number;
  /** Acknowledged − stored (a message is lost when any of its acknowledged readings is missing). */
  readonly lost: {
    readonly total: number;
    readonly prefix: number;
    readonly middle: number;
    readonly suffix: number;
    readonly byDevice: readonly DeviceLoss[];
    readonly messages: readonly LostMessage[];
  };
  /** Stored − attempted, as readings; `otherRuns` of them carry a (device, boot) this history never used. */
  readonly unexpected: {
    readonly total: number;
    readonly otherRuns: number;
    readonly readings: readonly StoredReadingKey[];
  };
  /** Stored ∩ (attempted − answered): sent, never answered, yet stored (allowed: at-least-once). */
  readonly recovered: { readonly total: number; readonly messages: readonly MessageKey[] };
  /** Readings stored more than once under the same (deviceId, boot, seq, code). */
  readonly duplicates: {
    readonly total: number;
    readonly readings: readonly (StoredReadingKey & { readonly count: number })[];
  };
  /** Rejected, yet stored: the platform said no and kept it anyway. */
  readonly rejectedStored: { readonly total: number; readonly messages: readonly MessageKey[] };
  /** Malformed messages (sent with an expected rejection) and what became of them. */
  readonly malformed: {
    readonly sent: number;
    readonly rejectedAsLabelled: number;
    readonly rejectedOtherwise: number;
    readonly acceptedInstead: number;
    readonly unanswered: number;
  };
  /** No loss, nothing unexpected, no duplicate, nothing rejected yet stored. */
  readonly ok: boolean;
}

interface MessageState extends MessageKey {
  order: number;
  sent: boolean;
  acked: boolean;
  rejected: boolean;
  codes?: Set<string> | undefined;
  expect?: string | undefined;
  reasons: string[];
}

function newMessage(k: MessageKey, order: number): MessageState {
  const { deviceId, boot, seq } = k;
  return { deviceId, boot, seq, order, sent: false, acked: false, rejected: false, reasons: [] };
}

const messageId = (k: MessageKey): string => `${k.deviceId}\u0000${k.boot}\u0000${k.seq}`;

function collectMessages(history: Iterable<HistoryEvent>): Map<string, MessageState> {
  const messages = new Map<string, MessageState>();
  let order = 0;
  for (const e of history) {
    const id = messageId(e);
    let m = messages.get(id);
    if (m === undefined) {
      m = newMessage(e, order++);
      messages.set(id, m);
    }
    switch (e.event) {
      case 'sent':
        m.sent = true;
        if (e.codes !== undefined) m.codes = new Set([...(m.codes ?? []), ...e.codes]);
        if (e.expect !== undefined) m.expect = e.expect;
        break;
      case 'acked':
        m.acked = true;
        break;
      case 'rejected':
        m.rejected = true;
        if (e.reason !== undefined) m.reasons.push(e.reason);
        break;
    }
  }
  return messages;
}

/**
 * Checks a history against the stored readings (read from the store or the HTTP API by the caller,
 * for every device of the history and the whole event-time range it used).
 */
export function checkDelivery(history: Iterable<HistoryEvent>, stored: Iterable<StoredReadingKey>): DeliveryResult {
  const messages = collectMessages(history);
  const knownBoots = new Set([...messages.values()].map((m) => `${m.deviceId}\u0000${m.boot}`));
  const storedCodes = new Map<string, Map<string, number>>();
  const unexpected: StoredReadingKey[] = [];
  const duplicates: (StoredReadingKey & { count: number })[] = [];
  let storedReadings = 0;
  for (const row of stored) {
    const id = messageId(row);
    let codes = storedCodes.get(id);
    if (codes === undefined) storedCodes.set(id, (codes = new Map<string, number>()));
    const count = (codes.get(row.code) ?? 0) + 1;
    codes.set(row.code, count);
    if (count === 1) storedReadings++;
    if (count === 2) duplicates.push({ deviceId: row.deviceId, boot: row.boot, seq: row.seq, code: row.code, count });
    if (count > 2) {
      const d = duplicates.find((x) => messageId(x) === id && x.code === row.code);
      if (d !== undefined) d.count = count;
    }
    const m = messages.get(id);
    const attempted = m?.sent === true;
    const foreignCode = m !== undefined && !m.rejected && m.codes !== undefined && !m.codes.has(row.code);
    if (count === 1 && (!attempted || foreignCode)) {
      unexpected.push({ deviceId: row.deviceId, boot: row.boot, seq: row.seq, code: row.code });
    }
  }

  const sent = [...messages.values()].filter((m) => m.sent).sort((a, b) => a.order - b.order);
  const lost = findLost(sent, storedCodes);
  const isStored = (m: MessageState): boolean => storedCodes.has(messageId(m));
  const keyOf = (m: MessageState): MessageKey => ({ deviceId: m.deviceId, boot: m.boot, seq: m.seq });
  const recovered = sent.filter((m) => !m.acked && !m.rejected && isStored(m)).map(keyOf);
  const rejectedStored = sent.filter((m) => m.rejected && isStored(m)).map(keyOf);
  const malformedSent = sent.filter((m) => m.expect !== undefined);
  const asLabelled = (m: MessageState): boolean => m.reasons.some((r) => r.includes(m.expect ?? '\u0000'));
  const byPosition = (p: LossPosition): number => lost.messages.filter((l) => l.position === p).length;
  const result = {
    attempted: sent.length,
    acknowledged: sent.filter((m) => m.acked && !m.rejected).length,
    rejected: sent.filter((m) => m.rejected).length,
    unanswered: sent.filter((m) => !m.acked && !m.rejected).length,
    stored: storedCodes.size,
    storedReadings,
    lost: {
      total: lost.messages.length,
      prefix: byPosition('prefix'),
      middle: byPosition('middle'),
      suffix: byPosition('suffix'),
      byDevice: lost.byDevice,
      messages: lost.messages,
    },
    unexpected: {
      total: unexpected.length,
      otherRuns: unexpected.filter((u) => !knownBoots.has(`${u.deviceId}\u0000${u.boot}`)).length,
      readings: unexpected,
    },
    recovered: { total: recovered.length, messages: recovered },
    duplicates: { total: duplicates.length, readings: duplicates },
    rejectedStored: { total: rejectedStored.length, messages: rejectedStored },
    malformed: {
      sent: malformedSent.length,
      rejectedAsLabelled: malformedSent.filter((m) => m.rejected && asLabelled(m)).length,
      rejectedOtherwise: malformedSent.filter((m) => m.rejected && !asLabelled(m)).length,
      acceptedInstead: malformedSent.filter((m) => m.acked && !m.rejected).length,
      unanswered: malformedSent.filter((m) => !m.acked && !m.rejected).length,
    },
  };
  const ok =
    result.lost.total === 0 &&
    result.unexpected.total === 0 &&
    result.duplicates.total === 0 &&
    result.rejectedStored.total === 0;
  return { ...result, ok };
}

/**
 * Lost messages, each placed among its device's acknowledged messages in send order: before the first
 * one fully stored (prefix), after the last (suffix), or between (middle). A device with nothing stored
 * lost a suffix: nothing after the loss made it either.
 */
function findLost(
  sent: readonly MessageState[],
  storedCodes: ReadonlyMap<string, ReadonlyMap<string, number>>,
): { messages: LostMessage[]; byDevice: DeviceLoss[] } {
  const perDevice = new Map<string, { m: MessageState; missing: string[] | undefined; whole: boolean }[]>();
  for (const m of sent) {
    // Only acknowledged messages are promised; one that carried no reading promises nothing.
    if (!m.acked || m.rejected || m.codes?.size === 0) continue;
    const codes = storedCodes.get(messageId(m));
    const expected = m.codes === undefined ? [] : [...m.codes];
    const missing = codes === undefined ? expected : expected.filter((c) => !codes.has(c));
    const lostIt = codes === undefined || missing.length > 0;
    let list = perDevice.get(m.deviceId);
    if (list === undefined) perDevice.set(m.deviceId, (list = []));
    list.push({ m, missing: lostIt ? missing : undefined, whole: codes === undefined });
  }
  const messages: LostMessage[] = [];
  const byDevice: DeviceLoss[] = [];
  for (const [deviceId, list] of perDevice) {
    const first = list.findIndex((x) => x.missing === undefined);
    const last = list.findLastIndex((x) => x.missing === undefined);
    const counts = { prefix: 0, middle: 0, suffix: 0 };
    list.forEach((x, i) => {
      if (x.missing === undefined) return;
      const position: LossPosition = first === -1 || i > last ? 'suffix' : i < first ? 'prefix' : 'middle';
      counts[position]++;
      messages.push({ deviceId, boot: x.m.boot, seq: x.m.seq, position, missingCodes: x.missing, whole: x.whole });
    });
    if (counts.prefix + counts.middle + counts.suffix > 0) byDevice.push({ deviceId, ...counts });
  }
  return { messages, byDevice };
}
