import type { ISubscribePacket } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import { parseSharedSubscription, validateTopicFilter } from '../../wire/mqtt/topic.js';
import type { Connection } from '../connection.js';
import { deliver } from '../delivery.js';
import type { Subscription } from '../session.js';
import type { QoS } from '../types.js';

/** SUBSCRIBE (§3.8): grant each filter or say why not, SUBACK, then the retained messages. */
export function handleSubscribe(connection: Connection, packet: ISubscribePacket): void {
  const broker = connection.broker;
  const session = connection.session!;
  const v5 = connection.version === 5;
  if (packet.subscriptions.length === 0) {
    // [MQTT-3.8.3-3] (v5 [MQTT-3.8.3-2]) at least one filter; mqtt-packet parses an empty one, and
    // answering it threw in the SUBACK encoder, taking the whole broker down.
    connection.disconnect(RC.protocolError);
    return;
  }
  const identifier = packet.properties?.subscriptionIdentifier;
  if (
    identifier !== undefined &&
    !(Number.isInteger(identifier) && identifier >= 1 && identifier <= 268_435_455)
  ) {
    // §3.8.2.1.2: a Subscription Identifier of 0, or more than one, is a protocol error; a
    // truncated one (mqtt-packet gives false) would throw in the encoder on delivery.
    connection.disconnect(RC.protocolError);
    return;
  }
  const granted: number[] = [];
  const retainedFor: Subscription[] = [];
  for (const request of packet.subscriptions) {
    const shared = parseSharedSubscription(request.topic);
    const problem = shared ? (shared.ok ? undefined : shared.problem) : validateTopicFilter(request.topic);
    if (problem) {
      // [MQTT-3.8.3-…] 3.1.1 returns 0x80 for a refused filter; v5 says which error.
      granted.push(v5 ? RC.topicFilterInvalid : 0x80);
      broker.logIf(
        'notice',
        () => `Client ${connection.label} subscribed to an invalid filter: ${problem.message}`,
      );
      continue;
    }
    const group = shared?.ok ? shared.group : undefined;
    if (group !== undefined && request.nl) {
      // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
      connection.disconnect(RC.protocolError);
      return;
    }
    const key = request.topic;
    if (
      !session.subscriptions.has(key) &&
      session.subscriptions.size >= broker.options.maxSubscriptionsPerClient
    ) {
      granted.push(v5 ? RC.quotaExceeded : 0x80);
      continue;
    }
    const qos = request.qos;
    const sub: Subscription = {
      filter: shared?.ok ? shared.filter : request.topic,
      qos,
      noLocal: v5 && request.nl === true,
      // 3.1.1 has no Retain As Published: RETAIN is cleared on forwarding [MQTT-3.3.1-9].
      retainAsPublished: v5 && request.rap === true,
      retainHandling: (v5 ? (request.rh ?? 0) : 0) as 0 | 1 | 2,
      identifier,
      group,
    };
    const isNew = broker.addSubscription(session, key, sub);
    granted.push(qos);
    broker.logIf('subscribe', () => `${connection.clientId} ${qos} ${request.topic}`);
    // [MQTT-3.3.1-9..11] Retain Handling 0: always; 1: only for a new subscription; 2: never.
    // Shared subscriptions get no retained messages (§4.8.2).
    if (group === undefined && (sub.retainHandling === 0 || (sub.retainHandling === 1 && isNew))) {
      retainedFor.push(sub);
    }
  }
  connection.send({
    cmd: 'suback',
    messageId: packet.messageId,
    granted,
    ...(v5 ? { reasonCode: 0 } : {}),
  });
  const now = broker.now();
  for (const sub of retainedFor) {
    broker.retained.match(sub.filter, (_topic, message) => {
      if (message.expiresAt !== undefined && now >= message.expiresAt) return;
      if (session.acl && !broker.mayReceive(session, message.topic)) return;
      // [MQTT-3.3.1-8] a retained message sent on subscription has RETAIN set.
      deliver(broker, session, {
        message,
        qos: Math.min(message.qos, sub.qos) as QoS,
        retain: true,
        subscriptionIds: sub.identifier === undefined ? undefined : [sub.identifier],
      });
    });
  }
}
