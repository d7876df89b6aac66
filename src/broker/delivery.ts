import type { IPublishPacket } from 'mqtt-packet';
import { encodePacket, encodePublish } from '../wire/mqtt/encoder.js';
import type { Broker } from './broker.js';
import { type Connection, releaseHolds } from './connection.js';
import type { Delivery, Session } from './session.js';

/**
 * Hand a delivery to a session: sent now if the session is online and its window (the lesser
 * of our max_inflight_messages and the client's Receive Maximum) has room, queued otherwise,
 * dropped — counted and logged — when the queue is full.
 */
export function deliver(broker: Broker, session: Session, delivery: Delivery, from?: Connection): void {
  const connection = session.connection;
  if (delivery.qos === 0) {
    if (connection) send(broker, connection, delivery, undefined, false, from);
    else if (broker.options.queueQos0Messages && session.expiryInterval > 0)
      enqueue(broker, session, delivery, from);
    return;
  }
  if (connection && session.queue.length === 0 && session.inflight.size < window(broker, session)) {
    const id = session.allocateId();
    session.inflight.set(id, { delivery, released: false });
    broker.store?.sent(session, id, delivery);
    send(broker, connection, delivery, id, false, from);
    return;
  }
  enqueue(broker, session, delivery, from);
}

/** Move queued messages into the window while there is room (after an ack or a reconnect). */
export function pump(broker: Broker, session: Session): void {
  const connection = session.connection;
  if (!connection) return;
  const limit = window(broker, session);
  const before = session.queue.length;
  while (session.queue.length > 0 && session.inflight.size < limit) {
    const delivery = session.queue.shift()!;
    if (expired(broker, delivery)) {
      broker.store?.dequeuedDropped(session);
      continue;
    }
    if (delivery.qos === 0) {
      broker.store?.dequeuedDropped(session);
      send(broker, connection, delivery, undefined, false);
      continue;
    }
    const id = session.allocateId();
    session.inflight.set(id, { delivery, released: false });
    broker.store?.dequeuedInflight(session, id);
    send(broker, connection, delivery, id, false);
  }
  if (session.queue.length < before) session.lastProgress = Date.now();
  if (session.blocked && !queueFull(broker, session)) releaseHolds(session);
}

/** [MQTT-4.4.0-1] on a resumed session, resend unacknowledged PUBLISH (DUP set) and PUBREL, in order. */
export function resendInflight(broker: Broker, session: Session): void {
  const connection = session.connection;
  if (!connection) return;
  for (const [id, entry] of session.inflight) {
    if (entry.released) connection.send({ cmd: 'pubrel', messageId: id });
    else send(broker, connection, entry.delivery, id, true);
  }
}

function window(broker: Broker, session: Session): number {
  return Math.min(broker.options.maxInflightMessages, session.sendWindow);
}

function queueFull(broker: Broker, session: Session): boolean {
  const limit = broker.options.maxQueuedMessages;
  // max_queued_messages 0: no limit, as in Mosquitto.
  return limit > 0 && session.queue.length >= limit;
}

function enqueue(broker: Broker, session: Session, delivery: Delivery, from: Connection | undefined): void {
  if (queueFull(broker, session)) {
    // 'block' holds publishers only for a subscriber that is there and draining: holding them
    // for an absent or stalled one would let any client stop every publisher.
    const reason =
      broker.options.queueFullPolicy === 'drop'
        ? 'queue-full'
        : !session.online
          ? 'offline-queue-full'
          : Date.now() - session.lastProgress > broker.options.queueStallMs
            ? 'subscriber-stalled'
            : undefined;
    if (reason !== undefined) {
      broker.stats.publishDropped++;
      broker.messageDropped(session, delivery, reason);
      return;
    }
    // The message was accepted and may already be acknowledged, so it is kept; the publisher
    // stops being read until this queue drains. The queue exceeds its limit by at most what
    // the publisher had already sent in the chunk being decoded.
    if (from) {
      from.holdFor(session);
      broker.holding.add(session);
    }
  }
  session.queue.push(delivery);
  broker.store?.queued(session, delivery);
}

function expired(broker: Broker, delivery: Delivery): boolean {
  const at = delivery.message.expiresAt;
  // [MQTT-3.3.2-5] an expired message is not delivered.
  if (at !== undefined && broker.now() >= at) {
    broker.stats.publishDropped++;
    return true;
  }
  return false;
}

function send(
  broker: Broker,
  connection: Connection,
  delivery: Delivery,
  id: number | undefined,
  dup: boolean,
  from?: Connection,
): void {
  const { message } = delivery;
  let bytes: Buffer;
  if (
    connection.version === 5 &&
    (message.properties || message.expiresAt !== undefined || delivery.subscriptionIds)
  ) {
    const properties: NonNullable<IPublishPacket['properties']> = { ...message.properties };
    if (message.expiresAt !== undefined) {
      const left = Math.ceil((message.expiresAt - broker.now()) / 1000);
      if (left <= 0) {
        broker.stats.publishDropped++;
        return;
      }
      // [MQTT-3.3.2-6] the interval sent is what remains of it.
      properties.messageExpiryInterval = left;
    }
    if (delivery.subscriptionIds) {
      // [MQTT-3.3.4-3] the identifiers of the matching subscriptions.
      properties.subscriptionIdentifier =
        delivery.subscriptionIds.length === 1 ? delivery.subscriptionIds[0]! : [...delivery.subscriptionIds];
    }
    bytes = encodePacket(
      {
        cmd: 'publish',
        topic: message.topic,
        payload: message.payload,
        qos: delivery.qos,
        retain: delivery.retain,
        dup,
        messageId: id,
        properties,
      },
      connection.version,
    );
  } else {
    bytes = encodePublish(
      message.topic,
      message.payload,
      delivery.qos,
      delivery.retain,
      dup,
      id,
      connection.version,
    );
  }
  // [MQTT-3.1.2-25] never send a packet larger than the client's Maximum Packet Size.
  if (bytes.length > connection.maxOutgoingPacket) {
    broker.stats.publishDropped++;
    const session = connection.session;
    if (id !== undefined && session?.inflight.delete(id)) broker.store?.done(session, id);
    return;
  }
  broker.stats.messagesSent++;
  broker.stats.publishSent++;
  connection.write(bytes);
  if (connection.congested && from) from.holdFor(connection);
}
