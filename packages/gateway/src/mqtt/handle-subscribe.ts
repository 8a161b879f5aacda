import { encodeSuback, type SubscribePacket } from './codec.js';
import type { Connection } from './connection.js';
import { ReasonCode, SUBACK_FAILURE_V3 } from './reason-codes.js';
import { hasWildcard, isSharedSubscription } from './topics.js';

function refusalCode(filter: string): number {
  if (isSharedSubscription(filter)) return ReasonCode.sharedSubscriptionsNotSupported;
  if (hasWildcard(filter)) return ReasonCode.wildcardSubscriptionsNotSupported;
  return ReasonCode.notAuthorized;
}

/**
 * SUBSCRIBE: a device may subscribe to its own errors topic only, granted QoS 0; every other filter
 * is refused (v5 0x87 Not authorized, 0x9E shared, 0xA2 wildcard; 3.1.1 0x80) [MQTT-3.9.3-1].
 */
export function handleSubscribe(conn: Connection, packet: SubscribePacket): void {
  const v5 = conn.version === 5;
  if (v5 && packet.properties?.subscriptionIdentifier !== undefined) {
    // Subscription Identifiers Available is 0 (MQTT 5 §3.2.2.3.12: DISCONNECT 0xA1).
    conn.refuse(
      'subscribe-refused',
      ReasonCode.subscriptionIdentifiersNotSupported,
      'subscription identifiers are not supported',
    );
    return;
  }
  const codes = packet.subscriptions.map(({ topic }) => {
    if (topic === conn.errorsTopic) {
      conn.errorsSubscribed = true;
      return ReasonCode.grantedQos0;
    }
    conn.ctx.metrics.refused('subscribe-refused');
    conn.securityEvent('subscribe-refused', `subscription to ${topic.slice(0, 200)} refused: only ${conn.errorsTopic}`);
    return v5 ? refusalCode(topic) : SUBACK_FAILURE_V3;
  });
  conn.send(encodeSuback(conn.version, packet.messageId, codes));
}
