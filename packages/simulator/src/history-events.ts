import type { OutgoingMessage } from './device.js';
import type { HistoryEvent } from './history.js';
import type { ErrorReport, PublishAnswer } from './transport.js';

/** The history event of one publish of `message`, at `at`. */
export function sentEvent(message: OutgoingMessage, at: number): HistoryEvent {
  const { deviceId, boot, seq } = message;
  return {
    deviceId,
    boot,
    seq,
    event: 'sent',
    at,
    codes: message.codes,
    ...(message.ts === undefined ? {} : { ts: message.ts }),
    ...(message.expect === undefined ? {} : { expect: message.expect }),
    ...(message.resend ? { resend: true } : {}),
  };
}

/** The history event of a PUBACK; none for `failed` (no answer came, so the message stays unanswered). */
export function answerEvent(message: OutgoingMessage, answer: PublishAnswer, at: number): HistoryEvent | undefined {
  const { deviceId, boot, seq } = message;
  switch (answer.kind) {
    case 'acked':
      return { deviceId, boot, seq, event: 'acked', at };
    case 'rejected':
      return {
        deviceId,
        boot,
        seq,
        event: 'rejected',
        at,
        reason: answer.reason,
        ...(answer.reasonCode === undefined ? {} : { reasonCode: answer.reasonCode }),
      };
    case 'failed':
      return undefined;
  }
}

/** The history event of an errors-topic report attributed to (deviceId, boot, seq). */
export function reportEvent(
  target: { readonly deviceId: string; readonly boot: string; readonly seq: number },
  report: ErrorReport,
  at: number,
): HistoryEvent {
  const reason = report.detail === undefined ? report.reason : `${report.reason}: ${report.detail}`;
  return { deviceId: target.deviceId, boot: target.boot, seq: target.seq, event: 'rejected', at, reason };
}
