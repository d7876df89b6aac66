import type { IPublishPacket } from 'mqtt-packet';
import { encodePacket, encodePublish } from '../wire/mqtt/encoder.js';
import type { Broker } from './broker.js';
import { type Connection, releaseHolds } from './connection.js';
import type { Delivery, Session } from './session.js';
import type { DropReason } from './stats.js';

/**
 * Hand a delivery to a session: sent now if the session is online and its window (the lesser
 * of our max_inflight_messages and the client's Receive Maximum) has room, queued otherwise,
 * spooled to disk beyond the queue of an absent or stalled persistent session (persistence true), dropped
 * — counted and logged — when neither queue nor spool has room.
 */
export function deliver(broker: Broker, session: Session, delivery: Delivery, from?: Connection): void {
  const connection = session.connection;
  if (delivery.qos === 0) {
    if (connection) send(broker, connection, delivery, undefined, false, from);
    else if (broker.options.queueQos0Messages && session.expiryInterval > 0)
      enqueue(broker, session, delivery, from);
    return;
  }
  if (
    connection &&
    session.queue.length === 0 &&
    session.inflight.size < window(broker, session) &&
    // [MQTT-4.6.0-6] in order: nothing overtakes what waits in the spool.
    !(broker.store && broker.store.spooled(session) > 0)
  ) {
    const id = session.allocateId();
    session.inflight.set(id, { delivery, released: false });
    broker.store?.sent(session, id, delivery);
    send(broker, connection, delivery, id, false, from);
    return;
  }
  enqueue(broker, session, delivery, from);
}

/**
 * Move queued messages into the window while there is room (after an ack or a reconnect); the
 * queue is refilled from the session's spool as it empties, so memory then spool, in order.
 */
export function pump(broker: Broker, session: Session): void {
  const connection = session.connection;
  if (!connection) return;
  const limit = window(broker, session);
  const before = session.queue.length;
  let moved = false;
  for (;;) {
    moved = refill(broker, session) || moved;
    if (session.queue.length === 0 || session.inflight.size >= limit) break;
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
  if (session.queue.length < before || moved) session.lastProgress = Date.now();
  if (session.blocked && !queueFull(broker, session) && !spoolOverLimit(broker, session)) {
    releaseHolds(session);
  }
}

/**
 * Top the memory queue up from the spool once it is half empty (one read for many messages).
 * Each move is journaled (`unspool`) before anything is sent, so after a crash every message is
 * in the queue or still in the spool: none lost, none twice.
 */
function refill(broker: Broker, session: Session): boolean {
  const store = broker.store;
  if (!store || store.spooled(session) === 0) return false;
  const limit = broker.options.maxQueuedMessages || 1000;
  if (session.queue.length > limit / 2) return false;
  const moved = store.unspool(session, limit - session.queue.length);
  for (const d of moved) session.queue.push(d);
  return moved.length > 0;
}

/** A session whose own spool waits behind a spool limit reached by all spools together. */
function spoolOverLimit(broker: Broker, session: Session): boolean {
  const store = broker.store;
  return store !== undefined && store.spooled(session) > 0 && !store.spoolHasRoom();
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

/** Connected, but its queue has not moved for queueStallMs: it subscribes and never acknowledges. */
function stalled(broker: Broker, session: Session): boolean {
  return session.online && Date.now() - session.lastProgress > broker.options.queueStallMs;
}

function enqueue(broker: Broker, session: Session, delivery: Delivery, from: Connection | undefined): void {
  const store = broker.store;
  if (
    store &&
    session.persisted &&
    (store.spooled(session) > 0 ||
      ((!session.online || stalled(broker, session)) &&
        queueFull(broker, session) &&
        broker.options.queueFullPolicy === 'block' &&
        store.spoolLimit > 0))
  ) {
    spool(broker, session, delivery, from);
    return;
  }
  if (queueFull(broker, session)) {
    // 'block' holds publishers only for a subscriber that is there and draining: holding them
    // for an absent or stalled one would let any client stop every publisher.
    const reason =
      broker.options.queueFullPolicy === 'drop'
        ? 'queue-full'
        : !session.online
          ? 'offline-queue-full'
          : stalled(broker, session)
            ? 'subscriber-stalled'
            : undefined;
    // The queue exceeds its limit by at most what the publisher had already sent in the chunk
    // being decoded.
    if (dropOrHold(broker, session, delivery, from, reason)) return;
  }
  session.queue.push(delivery);
  broker.store?.queued(session, delivery);
}

/**
 * persistence true, queue_full_policy block: the messages of an absent session, or of a connected
 * one that has stopped draining, beyond its memory queue go to its spool on disk rather than
 * being dropped, and publishers are not held for it.
 * Once a session has a spool, every new message goes behind it, online or not, to stay in order.
 */
function spool(broker: Broker, session: Session, delivery: Delivery, from: Connection | undefined): void {
  const store = broker.store!;
  if (!store.spoolHasRoom()) {
    // max_spooled_bytes reached: as with a full queue, never hold publishers for an absent or
    // stalled subscriber; a connected one that keeps draining holds them instead.
    const reason = !session.online
      ? 'spool-full'
      : stalled(broker, session)
        ? 'subscriber-stalled'
        : undefined;
    if (dropOrHold(broker, session, delivery, from, reason)) return;
  }
  store.spool(session, delivery);
}

/**
 * No room for a delivery: with a reason it is dropped (counted, logged, emitted) and true is
 * returned. Without one it is kept — accepted, perhaps acknowledged already — and the publisher
 * stops being read until the subscriber drains.
 */
function dropOrHold(
  broker: Broker,
  session: Session,
  delivery: Delivery,
  from: Connection | undefined,
  reason: Exclude<DropReason, 'expired' | 'too-large'> | undefined,
): boolean {
  if (reason !== undefined) {
    broker.stats.drop(reason);
    broker.messageDropped(session, delivery, reason);
    return true;
  }
  if (from) {
    from.holdFor(session);
    broker.holding.add(session);
  }
  return false;
}

function expired(broker: Broker, delivery: Delivery): boolean {
  const at = delivery.message.expiresAt;
  // [MQTT-3.3.2-5] an expired message is not delivered.
  if (at !== undefined && broker.now() >= at) {
    broker.stats.drop('expired');
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
        broker.stats.drop('expired');
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
    broker.stats.drop('too-large');
    const session = connection.session;
    if (id !== undefined && session?.inflight.delete(id)) broker.store?.done(session, id);
    return;
  }
  broker.stats.messagesSent++;
  broker.stats.publishSent++;
  connection.write(bytes);
  if (connection.congested && from) from.holdFor(connection);
}
