import type { PublishPacket } from './codec.js';
import type { Connection } from './connection.js';
import { ReasonCode } from './reason-codes.js';
import { classifyForeignTopic } from './topics.js';

/**
 * PUBLISH: telemetry on the connection's own topic goes to the ingest pipeline; the answer comes
 * back through the connection's answer queue, which sends PUBACKs in arrival order [MQTT-4.6.0-2].
 * QoS 0 telemetry is ingested too, but only QoS 1 carries the promise: a PUBACK means durable.
 */
export function handlePublish(conn: Connection, packet: PublishPacket): void {
  const { qos } = packet;
  const v5 = conn.version === 5;
  if (qos > 1) {
    // Maximum QoS is 1 (MQTT 5 §3.2.2.3.4: a higher QoS gets DISCONNECT 0x9B); 3.1.1 can only close.
    conn.refuse('qos-not-supported', ReasonCode.qosNotSupported, 'QoS 2 is not supported: publish with QoS 1');
    return;
  }
  if (v5 && packet.properties?.topicAlias !== undefined) {
    // Topic Alias Maximum is 0 [MQTT-3.3.2-9].
    conn.refuse('topic-alias-invalid', ReasonCode.topicAliasInvalid, 'topic aliases are not accepted');
    return;
  }
  if (v5 && packet.retain) {
    // Retain Available is 0 (MQTT 5 §3.2.2.3.5: a retained PUBLISH gets DISCONNECT 0x9A). 3.1.1: ignored.
    conn.refuse('retain-not-supported', ReasonCode.retainNotSupported, 'retained messages are not supported');
    return;
  }
  const packetId = qos === 1 ? (packet.messageId ?? 0) : 0;
  if (qos === 1 && packetId === 0) {
    conn.malformed('QoS 1 PUBLISH with packet identifier 0 [MQTT-2.2.1-3]', ReasonCode.protocolError);
    return;
  }
  const { receiveMaximum } = conn.ctx.options;
  if (v5 && qos === 1 && conn.answers.qos1 >= receiveMaximum) {
    // [MQTT-3.3.4-7]: the client must not exceed the Receive Maximum we advertised; 0x93 per §3.3.4.
    conn.refuse(
      'receive-maximum-exceeded',
      ReasonCode.receiveMaximumExceeded,
      `more than ${receiveMaximum} unacknowledged`,
    );
    return;
  }
  const token = conn.answers.push(packetId);
  if (packet.topic === conn.telemetryTopic) {
    conn.ctx.pipeline.submit(conn.device(), packet.payload, conn.now, conn, token);
    return;
  }
  const reason = classifyForeignTopic(packet.topic);
  conn.ctx.metrics.refused(reason);
  const detail =
    reason === 'not-authorized'
      ? `a device may only publish to its own topic ${conn.telemetryTopic}`
      : `unknown topic; telemetry goes to ${conn.telemetryTopic}`;
  conn.securityEvent(reason, `publish to ${packet.topic.slice(0, 200)} refused: ${detail}`);
  conn.settle(token, { kind: 'refused', reason, detail });
}
