import type { Clock } from '@wardstream/domain';
import { encodePuback, encodePublish, type ProtocolLevel } from './codec.js';
import type { Outbox } from './outbox.js';
import { encodeErrorReport, planAck, type ErrorReport, type PublishOutcome } from './publish-outcome.js';
import { ReasonCode } from './reason-codes.js';

/** The parts of a connection an answer is written with. */
export interface AckTarget {
  readonly version: ProtocolLevel;
  readonly problemInformation: boolean;
  readonly clientMaxPacketBytes: number;
  readonly errorsSubscribed: boolean;
  readonly errorsTopic: string;
  readonly outbox: Outbox;
  readonly ctx: { readonly clock: Clock };
}

/**
 * Writes the answer to one publish (everything but `unavailable`, which is never acknowledged):
 * the errors-topic report if any, then the PUBACK (QoS 1 only). See README "Reason codes".
 */
export function acknowledge(
  target: AckTarget,
  packetId: number,
  outcome: Exclude<PublishOutcome, { kind: 'unavailable' }>,
): void {
  const { outbox } = target;
  if (outcome.kind === 'duplicate' || (outcome.kind === 'stored' && outcome.problems.length === 0)) {
    if (packetId > 0) outbox.puback(packetId);
    return;
  }
  const plan = planAck(outcome);
  if (plan.report !== null) report(target, plan.report);
  if (packetId === 0) return;
  if (target.version !== 5) {
    // [MQTT-3.3.5-2]: a 3.1.1 server acknowledges positively or closes; the reason goes to the errors topic.
    outbox.puback(packetId);
    return;
  }
  // [MQTT-3.1.2-29]: no Reason String on a PUBACK when the client asked for no problem information.
  const reasonString = target.problemInformation ? plan.reasonString : undefined;
  let puback = encodePuback(5, packetId, plan.code, reasonString);
  // [MQTT-3.4.2-2]: no Reason String that would exceed the client's Maximum Packet Size.
  if (puback.length > target.clientMaxPacketBytes) puback = encodePuback(5, packetId, plan.code);
  if (plan.code === ReasonCode.success && puback.length === 4) outbox.puback(packetId);
  else outbox.packet(puback);
}

/** Publishes an errors-topic report (QoS 0) when the device subscribed to its errors topic. */
function report(target: AckTarget, errorReport: Omit<ErrorReport, 'at'>): void {
  if (!target.errorsSubscribed) return;
  const payload = encodeErrorReport(errorReport, target.ctx.clock.now());
  const packet = encodePublish(target.version, target.errorsTopic, payload);
  // [MQTT-3.1.2-24] (v5): never send a packet above the client's Maximum Packet Size.
  if (packet.length <= target.clientMaxPacketBytes) target.outbox.packet(packet);
}
