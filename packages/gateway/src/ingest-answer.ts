import type { ItemProblem, RejectReason } from '@wardstream/domain';

/**
 * Why a whole message was not stored: a wire-contract reason from the domain; `conflict` when
 * the log already holds a different message under the same (deviceId, boot, seq) — a device
 * fault; or `key-retired` when that key was used by a message older than the log's retention, so
 * the two cannot be compared — a device re-using a key (new data needs a new boot) or a re-send
 * so late that its original was stored long ago. Stable strings: they are metric labels and
 * appear on the errors topic.
 */
export type IngestRejectReason = RejectReason | 'conflict' | 'key-retired';

/**
 * The gateway's answer to one telemetry message. `stored` and `duplicate` mean the message is
 * durable and may be acknowledged; `rejected` means it never will be (re-sending it is useless);
 * `unavailable` means the log could not take it now: it must NOT be acknowledged, so that the
 * device re-sends it later.
 */
export type IngestAnswer =
  | {
      readonly kind: 'stored';
      readonly boot: string;
      readonly seq: number;
      /** Items of the message that were refused; the rest was stored. */
      readonly problems: readonly ItemProblem[];
    }
  | { readonly kind: 'duplicate'; readonly boot: string; readonly seq: number }
  | {
      readonly kind: 'rejected';
      readonly reason: IngestRejectReason;
      readonly detail: string;
      /** Known when the payload got far enough to name them. */
      readonly boot: string | null;
      readonly seq: number | null;
    }
  | { readonly kind: 'unavailable'; readonly detail: string };

/**
 * Receives the answers of the messages a transport submitted. The pipeline calls `deliver` exactly
 * once per submitted message, possibly synchronously inside `submit` (validation failures) and
 * otherwise after the batch's append settles. Answers to one sink may arrive out of submission
 * order across batches; the transport restores its own order with `token`. Must not throw.
 */
export interface IngestSink {
  deliver(token: number, answer: IngestAnswer): void;
}
