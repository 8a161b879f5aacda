import type { DisconnectPacket } from './codec.js';
import type { Connection } from './connection.js';

/**
 * DISCONNECT from the client: a normal end [MQTT-3.14.4-1]. Publishes still unanswered stay
 * unacknowledged (they may well be stored); the client re-sends them and gets `duplicate` answers.
 * There is no Will Message to discard or publish.
 */
export function handleDisconnect(conn: Connection, _packet: DisconnectPacket): void {
  conn.end();
}
