import { encodeUnsuback, type UnsubscribePacket } from './codec.js';
import type { Connection } from './connection.js';
import { ReasonCode } from './reason-codes.js';

/** UNSUBSCRIBE: v5 answers 0x00 for the errors topic when subscribed, else 0x11 No subscription existed. */
export function handleUnsubscribe(conn: Connection, packet: UnsubscribePacket): void {
  const codes = packet.unsubscriptions.map((filter) => {
    if (filter === conn.errorsTopic && conn.errorsSubscribed) {
      conn.errorsSubscribed = false;
      return ReasonCode.success;
    }
    return ReasonCode.noSubscriptionExisted;
  });
  conn.send(encodeUnsuback(conn.version, packet.messageId, codes));
}
