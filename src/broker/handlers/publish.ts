import type { IPublishPacket, UserProperties } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import { validateTopicName } from '../../wire/mqtt/topic.js';
import type { Broker } from '../broker.js';
import type { Connection } from '../connection.js';
import type { Message, MessageProperties, QoS } from '../types.js';

interface PublishFields {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: IPublishPacket['properties'] | undefined;
}

/** PUBLISH from a client (§3.3): resolve the alias, check, route, acknowledge. */
export function handlePublish(connection: Connection, packet: IPublishPacket): void {
  const broker = connection.broker;
  const props = packet.properties;
  const problem = propertiesProblem(props);
  if (problem !== undefined) {
    connection.disconnect(problem);
    return;
  }
  let topic = packet.topic;
  const alias = props?.topicAlias;
  if (alias !== undefined) {
    // [MQTT-3.3.2-8] [MQTT-3.3.2-9] an alias of 0 or above our Topic Alias Maximum is an error.
    if (alias === 0 || alias > broker.options.maxTopicAlias) {
      connection.disconnect(RC.topicAliasInvalid);
      return;
    }
    if (topic.length > 0) (connection.topicAliases ??= new Map()).set(alias, topic);
    else {
      const known = connection.topicAliases?.get(alias);
      // [MQTT-3.3.4-…] an empty topic with an alias never set is a protocol error.
      if (known === undefined) {
        connection.disconnect(RC.protocolError);
        return;
      }
      topic = known;
    }
  }
  // [MQTT-3.3.2-2] no wildcards in a topic name; [MQTT-4.7.3-1] not empty.
  if (validateTopicName(topic)) {
    broker.logIf('notice', () => `Client ${connection.label} sent PUBLISH with an invalid topic.`);
    connection.disconnect(RC.topicNameInvalid);
    return;
  }
  if (props?.subscriptionIdentifier !== undefined) {
    // [MQTT-3.3.4-6] a client's PUBLISH carries no Subscription Identifier (Mosquitto: 0x82).
    connection.disconnect(RC.protocolError);
    return;
  }
  if (props?.responseTopic !== undefined && validateTopicName(props.responseTopic)) {
    // [MQTT-3.3.2-14] the Response Topic is a topic name: no wildcards, not empty.
    connection.disconnect(RC.protocolError);
    return;
  }
  if (packet.retain && !broker.options.retainAvailable) {
    // [MQTT-3.3.1-…] retain not supported: v5 disconnects with 0x9A.
    connection.disconnect(RC.retainNotSupported);
    return;
  }
  const session = connection.session!;
  const id = packet.messageId;
  if (packet.qos === 2) {
    if (session.receivedQos2.has(id!)) {
      // [MQTT-4.3.3-…] a retransmitted QoS 2 PUBLISH is acknowledged, not delivered twice.
      connection.send({ cmd: 'pubrec', messageId: id });
      return;
    }
    // [MQTT-3.3.4-8] more unacknowledged QoS 2 messages than our Receive Maximum. A 3.1.1 client
    // was never told a limit (no Receive Maximum there): the 16-bit identifiers bound it.
    if (connection.version === 5 && session.receivedQos2.size >= broker.options.maxInflightMessages) {
      connection.disconnect(RC.receiveMaximumExceeded);
      return;
    }
  }
  broker.stats.messagesReceived++;
  broker.stats.publishReceived++;
  if (broker.log.enabled('debug')) {
    broker.log.log(
      'debug',
      `Received PUBLISH from ${connection.clientId} (d${packet.dup ? 1 : 0}, q${packet.qos}, r${packet.retain ? 1 : 0}, m${id ?? 0}, '${topic}', ... (${packet.payload.length} bytes))`,
    );
  }
  const limit = broker.options.messageSizeLimit;
  let reasonCode: number = RC.success;
  if (!broker.mayPublish(connection, topic, 'publish')) {
    // Mosquitto (handle_publish.c): the message is dropped and, in v5, the acknowledgement
    // says 0x87 Not authorized; a 3.1.1 client gets a plain acknowledgement.
    reasonCode = RC.notAuthorized;
  } else if (limit > 0 && packet.payload.length > limit) {
    // Mosquitto drops it and, in v5, says why in the acknowledgement. Not with its 0x95, which
    // is no PUBACK/PUBREC reason code [MQTT-3.4.2-1] [MQTT-3.5.2-1] (mqtt-packet, so MQTT.js,
    // fails to parse it): 0x97 is "an implementation or administrative imposed limit".
    reasonCode = RC.quotaExceeded;
  } else {
    const message = messageFromPublish(broker, connection.clientId, {
      topic,
      payload: packet.payload as Buffer,
      qos: packet.qos,
      retain: packet.retain,
      properties: props,
    });
    const matched = broker.publish(message, connection);
    if (matched === 0) reasonCode = RC.noMatchingSubscribers;
  }
  if (packet.qos === 0) return;
  const v5Reason = connection.version === 5 && reasonCode !== RC.success ? reasonCode : undefined;
  if (packet.qos === 1) {
    connection.send({
      cmd: 'puback',
      messageId: id,
      ...(v5Reason === undefined ? {} : { reasonCode: v5Reason }),
    });
  } else {
    // A v3.1.1 client that got a plain PUBREC for a refused message still sends PUBREL.
    if (reasonCode === RC.success || reasonCode === RC.noMatchingSubscribers || connection.version !== 5) {
      session.receivedQos2.add(id!);
      broker.store?.qos2Received(session, id!);
    }
    connection.send({
      cmd: 'pubrec',
      messageId: id,
      ...(v5Reason === undefined ? {} : { reasonCode: v5Reason }),
    });
  }
}

/**
 * Why the properties of a PUBLISH or a will cannot travel, as a reason code; undefined if they
 * can. mqtt-packet's parser lets a truncated string through as null, a truncated number as -1 or
 * false, and a repeated property through as an array: re-encoded for a subscriber, each of those
 * threw inside another client's delivery and took the whole broker down.
 */
export function propertiesProblem(props: IPublishPacket['properties'] | undefined): number | undefined {
  if (!props) return undefined;
  const { payloadFormatIndicator, messageExpiryInterval, topicAlias, contentType, responseTopic } = props;
  const { correlationData, userProperties } = props;
  const single = [payloadFormatIndicator, messageExpiryInterval, topicAlias, contentType, responseTopic];
  // §2.2.2.2: it is a Protocol Error to include any of these more than once.
  if (single.some((v) => Array.isArray(v)) || Array.isArray(correlationData)) return RC.protocolError;
  const wellFormed =
    (payloadFormatIndicator === undefined || typeof payloadFormatIndicator === 'boolean') &&
    (messageExpiryInterval === undefined || isUint(messageExpiryInterval, 0xffff_ffff)) &&
    (topicAlias === undefined || isUint(topicAlias, 0xffff)) &&
    (contentType === undefined || typeof contentType === 'string') &&
    (responseTopic === undefined || typeof responseTopic === 'string') &&
    (correlationData === undefined || Buffer.isBuffer(correlationData)) &&
    (userProperties === undefined || userPropertiesWellFormed(userProperties));
  return wellFormed ? undefined : RC.malformedPacket;
}

function isUint(value: unknown, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

/** [MQTT-1.5.7-1] every User Property is a pair of strings. */
function userPropertiesWellFormed(up: UserProperties): boolean {
  if (typeof up !== 'object' || up === null) return false;
  for (const value of Object.values(up)) {
    if (!(Array.isArray(value) ? value : [value]).every((v) => typeof v === 'string')) return false;
  }
  return true;
}

/** The broker's message for a PUBLISH or a will, with the properties that travel (§3.3.2.3). */
export function messageFromPublish(broker: Broker, origin: string, p: PublishFields): Message {
  const props = p.properties;
  let properties: MessageProperties | undefined;
  let expiresAt: number | undefined;
  if (props) {
    const { payloadFormatIndicator, contentType, responseTopic, correlationData, userProperties } = props;
    if (
      payloadFormatIndicator !== undefined ||
      contentType !== undefined ||
      responseTopic !== undefined ||
      correlationData !== undefined ||
      userProperties !== undefined
    ) {
      // [MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-17] forwarded unaltered.
      properties = { payloadFormatIndicator, contentType, responseTopic, correlationData, userProperties };
    }
    if (props.messageExpiryInterval !== undefined) {
      expiresAt = broker.now() + props.messageExpiryInterval * 1000;
    }
  }
  return {
    topic: p.topic,
    payload: p.payload,
    qos: p.qos,
    retain: p.retain,
    properties,
    expiresAt,
    origin,
  };
}
