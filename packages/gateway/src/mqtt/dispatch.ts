import type { InboundPacket } from './codec.js';
import type { Connection } from './connection.js';
import { handleConnect } from './handle-connect.js';
import { handlePublish } from './handle-publish.js';
import { handleDisconnect } from './handle-disconnect.js';
import { handlePingreq } from './handle-pingreq.js';
import { handleSubscribe } from './handle-subscribe.js';
import { handleUnsubscribe } from './handle-unsubscribe.js';
import { ReasonCode } from './reason-codes.js';

/** Routes one parsed packet of a connection to its handler. */
export function dispatch(conn: Connection, packet: InboundPacket): void {
  if (conn.state === 'awaiting-connect' && packet.cmd !== 'connect') {
    // [MQTT-3.1.0-1]: the first packet must be CONNECT; no DISCONNECT before CONNACK, just close.
    conn.malformed(`first packet was ${packet.cmd}, not CONNECT [MQTT-3.1.0-1]`, ReasonCode.protocolError);
    return;
  }
  switch (packet.cmd) {
    case 'publish':
      handlePublish(conn, packet);
      return;
    case 'connect':
      handleConnect(conn, packet);
      return;
    case 'pingreq':
      handlePingreq(conn);
      return;
    case 'subscribe':
      handleSubscribe(conn, packet);
      return;
    case 'unsubscribe':
      handleUnsubscribe(conn, packet);
      return;
    case 'disconnect':
      handleDisconnect(conn, packet);
      return;
    case 'connack':
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'suback':
    case 'unsuback':
    case 'pingresp':
    case 'auth':
      // The server never sends QoS > 0 nor asks for AUTH: any of these is a protocol error.
      conn.malformed(`unexpected ${packet.cmd} from a client`, ReasonCode.protocolError);
      return;
  }
}
