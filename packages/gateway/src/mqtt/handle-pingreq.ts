import { PINGRESP } from './codec.js';
import type { Connection } from './connection.js';

/** PINGREQ: answer PINGRESP [MQTT-3.12.4-1]; the packet itself already reset the keep-alive clock. */
export function handlePingreq(conn: Connection): void {
  conn.send(PINGRESP);
}
