/** MQTT 5.0 §2.4 reason codes the broker sends, by the spec's names. */
export const RC = Object.freeze({
  success: 0x00,
  grantedQos1: 0x01,
  grantedQos2: 0x02,
  disconnectWithWill: 0x04,
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecificError: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badUsernameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  banned: 0x8a,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdentifierInUse: 0x91,
  packetIdentifierNotFound: 0x92,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  messageRateTooHigh: 0x96,
  quotaExceeded: 0x97,
  administrativeAction: 0x98,
  payloadFormatInvalid: 0x99,
  retainNotSupported: 0x9a,
  qosNotSupported: 0x9b,
  useAnotherServer: 0x9c,
  serverMoved: 0x9d,
  sharedSubscriptionsNotSupported: 0x9e,
  connectionRateExceeded: 0x9f,
  maximumConnectTime: 0xa0,
  subscriptionIdentifiersNotSupported: 0xa1,
  wildcardSubscriptionsNotSupported: 0xa2,
});

/** MQTT 3.1.1 §3.2.2.3 CONNACK return codes. */
export const CONNACK_V3 = Object.freeze({
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
});

/** The 3.1.1 return code that carries the meaning of a v5 CONNACK reason code. */
export function connackV3For(reasonCode: number): number {
  switch (reasonCode) {
    case RC.success:
      return CONNACK_V3.accepted;
    case RC.unsupportedProtocolVersion:
      return CONNACK_V3.unacceptableProtocolVersion;
    case RC.clientIdentifierNotValid:
      return CONNACK_V3.identifierRejected;
    case RC.badUsernameOrPassword:
      return CONNACK_V3.badUsernameOrPassword;
    case RC.notAuthorized:
    case RC.banned:
      return CONNACK_V3.notAuthorized;
    default:
      return CONNACK_V3.serverUnavailable;
  }
}
