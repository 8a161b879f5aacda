import { describeProblems, type ItemProblem } from '@wardstream/domain';
import type { IngestAnswer, IngestRejectReason } from '../ingest-answer.js';
import { ReasonCode } from './reason-codes.js';

/** What became of one PUBLISH: the pipeline's answer, or a refusal by the endpoint itself. */
export type PublishOutcome =
  | IngestAnswer
  | { readonly kind: 'refused'; readonly reason: 'not-authorized' | 'topic-invalid'; readonly detail: string };

/** The `reason` of an errors-topic report. `items-refused`: the message was stored without some items. */
export type ErrorReportReason = IngestRejectReason | 'not-authorized' | 'topic-invalid' | 'items-refused';

/**
 * The JSON a device receives on `wardstream/v1/devices/{id}/errors` for each message it sent that
 * was refused, wholly or in part. `seq`/`boot` are null when the payload did not get far enough to
 * name them; `at` is the gateway's receive time (epoch ms).
 */
export interface ErrorReport {
  readonly seq: number | null;
  readonly boot: string | null;
  readonly reason: ErrorReportReason;
  readonly detail: string;
  readonly problems: readonly ItemProblem[];
  readonly at: number;
}

/** How to answer an outcome: v5 PUBACK reason code and Reason String, and the errors-topic report. */
export interface AckPlan {
  readonly code: number;
  readonly reasonString: string | undefined;
  readonly report: Omit<ErrorReport, 'at'> | null;
}

/** Reason Strings are for humans reading a device log: keep them short [MQTT-3.4.2.2.2]. */
export const MAX_REASON_STRING_CHARS = 512;

const ACK: AckPlan = { code: ReasonCode.success, reasonString: undefined, report: null };
/** Refusals of a well-formed message because of its (boot, seq): 0x83, not 0x99 Payload format invalid. */
const KEY_REFUSALS: ReadonlySet<IngestRejectReason> = new Set<IngestRejectReason>(['conflict', 'key-retired']);
const NO_PROBLEMS: readonly ItemProblem[] = [];

function clip(text: string): string {
  return text.length <= MAX_REASON_STRING_CHARS ? text : `${text.slice(0, MAX_REASON_STRING_CHARS - 1)}…`;
}

/** The answer to every outcome except `unavailable` (which is never acknowledged). */
export function planAck(outcome: Exclude<PublishOutcome, { kind: 'unavailable' }>): AckPlan {
  switch (outcome.kind) {
    case 'duplicate':
      return ACK;
    case 'stored': {
      const { problems } = outcome;
      if (problems.length === 0) return ACK;
      const detail = `stored without ${problems.length} item(s): ${describeProblems(problems)}`;
      return {
        code: ReasonCode.success,
        reasonString: clip(detail),
        report: { seq: outcome.seq, boot: outcome.boot, reason: 'items-refused', detail: clip(detail), problems },
      };
    }
    case 'rejected': {
      const code = KEY_REFUSALS.has(outcome.reason)
        ? ReasonCode.implementationSpecificError
        : ReasonCode.payloadFormatInvalid;
      const detail = `${outcome.reason}: ${outcome.detail}`;
      return {
        code,
        reasonString: clip(detail),
        report: {
          seq: outcome.seq,
          boot: outcome.boot,
          reason: outcome.reason,
          detail: outcome.detail,
          problems: NO_PROBLEMS,
        },
      };
    }
    case 'refused': {
      const code = outcome.reason === 'not-authorized' ? ReasonCode.notAuthorized : ReasonCode.topicNameInvalid;
      return {
        code,
        reasonString: clip(`${outcome.reason}: ${outcome.detail}`),
        report: { seq: null, boot: null, reason: outcome.reason, detail: outcome.detail, problems: NO_PROBLEMS },
      };
    }
  }
}

/** The errors-topic payload. */
export function encodeErrorReport(report: Omit<ErrorReport, 'at'>, at: number): Buffer {
  const full: ErrorReport = { ...report, at };
  return Buffer.from(JSON.stringify(full));
}
