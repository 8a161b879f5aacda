/**
 * The only module that touches `mqtt-packet`: its parser and generator, behind narrow types that
 * say exactly what the gateway reads from a client's packets and writes back. (mqtt-packet's own
 * types are loose: optional fields that the parser always sets, `Object` options, `any` errors.)
 */
import { generate, parser as createMqttParser, type Packet } from 'mqtt-packet';

/** Protocol levels: 3 = MQTT 3.1 (handled as 3.1.1), 4 = 3.1.1, 5 = 5.0. */
export type ProtocolLevel = 3 | 4 | 5;

export interface ConnectPacket {
  readonly cmd: 'connect';
  readonly protocolId: string;
  readonly protocolVersion: ProtocolLevel;
  readonly clientId: string;
  readonly keepalive: number;
  readonly clean: boolean;
  readonly properties?: {
    readonly sessionExpiryInterval?: number;
    readonly maximumPacketSize?: number;
    readonly requestProblemInformation?: boolean;
    readonly authenticationMethod?: string;
  };
}

export interface PublishPacket {
  readonly cmd: 'publish';
  readonly qos: number;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly topic: string;
  readonly payload: Buffer;
  /** Present when qos > 0. */
  readonly messageId?: number;
  readonly properties?: { readonly topicAlias?: number };
}

export interface SubscribePacket {
  readonly cmd: 'subscribe';
  readonly messageId: number;
  readonly subscriptions: readonly { readonly topic: string; readonly qos: number }[];
  readonly properties?: { readonly subscriptionIdentifier?: number | readonly number[] };
}

export interface UnsubscribePacket {
  readonly cmd: 'unsubscribe';
  readonly messageId: number;
  readonly unsubscriptions: readonly string[];
}

export interface PingreqPacket {
  readonly cmd: 'pingreq';
}

export interface DisconnectPacket {
  readonly cmd: 'disconnect';
  readonly reasonCode?: number;
}

/** Packets only a server sends, or that answer a QoS the gateway never uses: protocol errors here. */
export interface UnexpectedPacket {
  readonly cmd: 'connack' | 'puback' | 'pubrec' | 'pubrel' | 'pubcomp' | 'suback' | 'unsuback' | 'pingresp' | 'auth';
}

export type InboundPacket =
  | ConnectPacket
  | PublishPacket
  | SubscribePacket
  | UnsubscribePacket
  | PingreqPacket
  | DisconnectPacket
  | UnexpectedPacket;

/** Parses exactly one complete packet per `parse` call (framing is done by `FrameReader`). */
export interface PacketParser {
  /** Emits the packet through `onPacket`, or a description of what is wrong through `onError`. */
  parse(frame: Buffer): void;
}

/**
 * A parser for one connection. The protocol level is learnt from the CONNECT packet, so a parser
 * must never be shared between connections. Exceptions thrown by `onPacket` propagate out of
 * `parse`; exceptions inside mqtt-packet are reported through `onError`.
 */
export function createPacketParser(
  onPacket: (packet: InboundPacket) => void,
  onError: (message: string) => void,
): PacketParser {
  const inner = createMqttParser();
  let handlerError: { error: unknown } | null = null;
  inner.on('packet', (packet: Packet) => {
    try {
      // The cast is the typed boundary: the parser only emits packets of the shapes above.
      onPacket(packet as unknown as InboundPacket);
    } catch (error) {
      handlerError = { error };
    }
  });
  inner.on('error', (error: unknown) => {
    onError(error instanceof Error ? error.message : String(error));
  });
  return {
    parse(frame: Buffer): void {
      try {
        inner.parse(frame);
      } catch (error) {
        onError(`unparsable packet: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (handlerError !== null) {
        const { error } = handlerError;
        handlerError = null;
        throw error;
      }
    },
  };
}

/** MQTT 5 CONNACK properties the endpoint advertises [MQTT-3.2.2.3]. */
export interface ConnackProperties {
  readonly sessionExpiryInterval?: number;
  readonly receiveMaximum?: number;
  readonly maximumQoS?: number;
  readonly retainAvailable?: boolean;
  readonly maximumPacketSize?: number;
  readonly topicAliasMaximum?: number;
  readonly wildcardSubscriptionAvailable?: boolean;
  readonly subscriptionIdentifiersAvailable?: boolean;
  readonly sharedSubscriptionAvailable?: boolean;
  readonly serverKeepAlive?: number;
  readonly reasonString?: string;
}

function encode(packet: Packet, protocolVersion: ProtocolLevel): Buffer {
  return generate(packet, { protocolVersion });
}

/** CONNACK; `code` is a v5 Reason Code or a 3.1.1 Connect Return Code. Never a present session. */
export function encodeConnack(version: ProtocolLevel, code: number, properties?: ConnackProperties): Buffer {
  if (version === 5) {
    return encode(
      { cmd: 'connack', sessionPresent: false, reasonCode: code, ...(properties && { properties: { ...properties } }) },
      5,
    );
  }
  return encode({ cmd: 'connack', sessionPresent: false, returnCode: code }, version);
}

/** PUBACK with a reason code and optional Reason String (v5); a plain PUBACK for 3.1.1. */
export function encodePuback(
  version: ProtocolLevel,
  messageId: number,
  reasonCode: number,
  reasonString?: string,
): Buffer {
  if (version !== 5) return encode({ cmd: 'puback', messageId }, version);
  const properties = reasonString === undefined ? {} : { properties: { reasonString } };
  return encode({ cmd: 'puback', messageId, reasonCode, ...properties }, 5);
}

/** SUBACK: one granted QoS or failure code per requested filter, in order [MQTT-3.9.3-1]. */
export function encodeSuback(version: ProtocolLevel, messageId: number, codes: readonly number[]): Buffer {
  return encode({ cmd: 'suback', messageId, granted: [...codes] }, version);
}

/** UNSUBACK; the per-filter codes exist only in v5. */
export function encodeUnsuback(version: ProtocolLevel, messageId: number, codes: readonly number[]): Buffer {
  return encode({ cmd: 'unsuback', messageId, granted: [...codes] }, version);
}

/** DISCONNECT from the server: MQTT 5 only (3.1.1 has no server DISCONNECT; the server just closes). */
export function encodeDisconnect(reasonCode: number, reasonString?: string): Buffer {
  const properties = reasonString === undefined ? {} : { properties: { reasonString } };
  return encode({ cmd: 'disconnect', reasonCode, ...properties }, 5);
}

/** A QoS 0 PUBLISH from the server (errors-topic reports). */
export function encodePublish(version: ProtocolLevel, topic: string, payload: Buffer): Buffer {
  return encode({ cmd: 'publish', qos: 0, dup: false, retain: false, topic, payload }, version);
}

/** PINGRESP: fixed two bytes [MQTT-3.13]. */
export const PINGRESP: Buffer = Buffer.from([0xd0, 0x00]);
