/** MQTT 5 Reason Codes the endpoint sends [MQTT-2.4, table 2-6]. */
export const ReasonCode = {
  success: 0x00,
  grantedQos0: 0x00,
  noSubscriptionExisted: 0x11,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecificError: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicNameInvalid: 0x90,
  administrativeAction: 0x98,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  payloadFormatInvalid: 0x99,
  retainNotSupported: 0x9a,
  qosNotSupported: 0x9b,
  sharedSubscriptionsNotSupported: 0x9e,
  subscriptionIdentifiersNotSupported: 0xa1,
  wildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3, table 3.1]. */
export const ConnectReturnCode = {
  accepted: 0x00,
  unacceptableProtocolVersion: 0x01,
  identifierRejected: 0x02,
  serverUnavailable: 0x03,
  notAuthorized: 0x05,
} as const;

/** MQTT 3.1.1 SUBACK failure code [MQTT-3.9.3]. */
export const SUBACK_FAILURE_V3 = 0x80;
