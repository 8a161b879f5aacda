import type { DeviceId } from '@wardstream/domain';
import type { RefusalReason } from '../gateway-metrics.js';
import { encodeConnack, type ConnackProperties, type ConnectPacket } from './codec.js';
import type { Connection } from './connection.js';
import { certificateRefusal } from './device-trust.js';
import { resolveDeviceId } from './identity.js';
import { ConnectReturnCode, ReasonCode } from './reason-codes.js';
import { checkTrust } from './trust-check.js';

/** Refuses a CONNECT: CONNACK with the code of the client's version, then close [MQTT-3.2.2-5 (3.1.1), -7 (5)]. */
function refuse(conn: Connection, reason: RefusalReason, v5Code: number, v3Code: number, reasonString?: string): void {
  conn.ctx.metrics.refused(reason);
  const v5 = conn.version === 5;
  const properties = v5 && reasonString !== undefined ? { reasonString } : undefined;
  conn.send(encodeConnack(conn.version, v5 ? v5Code : v3Code, properties));
  conn.end();
}

/** `refuse`, and reported to the security log (naming `deviceId` once the certificate vouched for it). */
function refuseUntrusted(
  conn: Connection,
  reason: RefusalReason,
  v5Code: number,
  v3Code: number,
  detail: string,
  deviceId: DeviceId | null = null,
): void {
  conn.securityEvent(reason, detail, deviceId);
  refuse(conn, reason, v5Code, v3Code, detail);
}

/**
 * CONNECT: identity, availability, keep-alive, and the CONNACK. No session state is kept, so
 * Session Present is always 0 [MQTT-3.2.2-2 (3.1.1)] and a v5 Session Expiry is answered with 0.
 * Will messages are accepted and never published (there are no other subscribers to give them to).
 */
export function handleConnect(conn: Connection, packet: ConnectPacket): void {
  if (conn.state !== 'awaiting-connect') {
    conn.malformed('a second CONNECT on one connection [MQTT-3.1.0-2]', ReasonCode.protocolError);
    return;
  }
  const { options, pipeline } = conn.ctx;
  conn.version = packet.protocolVersion;
  const v5 = conn.version === 5;
  const properties = packet.properties;
  const peer = conn.tlsPeer;
  const certificateProblem = peer === null ? null : certificateRefusal(peer);
  if (certificateProblem !== null) {
    const { reason, detail } = certificateProblem;
    refuseUntrusted(conn, reason, ReasonCode.notAuthorized, ConnectReturnCode.notAuthorized, detail);
    return;
  }
  if (v5 && properties?.authenticationMethod !== undefined) {
    // Enhanced authentication is not offered; identity comes from the TLS certificate.
    refuse(conn, 'bad-authentication-method', ReasonCode.badAuthenticationMethod, ConnectReturnCode.notAuthorized);
    return;
  }
  const deviceId = resolveDeviceId(options.identity, packet.clientId, conn.certificateCn);
  if (deviceId === null) {
    const why =
      options.identity === 'certificate'
        ? 'the client id must be empty or equal to the certificate CN, a valid device id'
        : 'the client id must be a device id: 1-64 of A-Z a-z 0-9 . _ -';
    refuseUntrusted(
      conn,
      'bad-identity',
      ReasonCode.clientIdentifierNotValid,
      ConnectReturnCode.identifierRejected,
      why,
    );
    return;
  }
  if (options.identity === 'certificate') {
    const trust = checkTrust(conn.ctx, deviceId, peer?.certificate ?? null);
    if (!trust.ok) {
      const failed = trust.reason === 'server-unavailable';
      refuseUntrusted(
        conn,
        trust.reason,
        failed ? ReasonCode.serverUnavailable : ReasonCode.notAuthorized,
        failed ? ConnectReturnCode.serverUnavailable : ConnectReturnCode.notAuthorized,
        trust.detail,
        deviceId,
      );
      return;
    }
  }
  const logState = pipeline.logState();
  const closing = conn.ctx.isClosing();
  if (closing || logState.kind === 'unavailable') {
    const why = closing
      ? 'server shutting down'
      : `telemetry log unavailable: ${logState.kind === 'unavailable' ? logState.reason : ''}`;
    refuse(conn, 'server-unavailable', ReasonCode.serverUnavailable, ConnectReturnCode.serverUnavailable, why);
    return;
  }

  // v5 clients are told the effective value (Server Keep Alive); a 3.1.1 client cannot be told, so a
  // longer keep-alive it asked for is honoured and only "none" (0) is replaced by the maximum.
  const requested = packet.keepalive;
  const max = options.maxKeepAliveSec;
  const keepAliveSec = requested === 0 || (v5 && requested > max) ? max : requested;
  conn.keepAliveMs = keepAliveSec * 1000;
  if (v5) {
    if (properties?.maximumPacketSize !== undefined) conn.clientMaxPacketBytes = properties.maximumPacketSize;
    if (properties?.requestProblemInformation === false) conn.problemInformation = false;
    const advertised: ConnackProperties = {
      receiveMaximum: options.receiveMaximum,
      maximumQoS: 1,
      retainAvailable: false,
      maximumPacketSize: options.maxPacketBytes,
      topicAliasMaximum: 0,
      wildcardSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
      ...(keepAliveSec !== requested && { serverKeepAlive: keepAliveSec }),
      ...((properties?.sessionExpiryInterval ?? 0) > 0 && { sessionExpiryInterval: 0 }),
    };
    conn.send(encodeConnack(5, ReasonCode.success, advertised));
  } else {
    conn.send(encodeConnack(conn.version, ConnectReturnCode.accepted));
  }
  conn.accept(deviceId);
}
