import type { IPubackPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { pump } from '../delivery.js';

/** PUBACK (§3.4): a QoS 1 delivery is done; its identifier is free again [MQTT-4.3.2-…]. */
export function handlePuback(connection: Connection, packet: IPubackPacket): void {
  const session = connection.session!;
  const entry = session.inflight.get(packet.messageId!);
  if (!entry || entry.delivery.qos !== 1) return; // an unknown identifier is ignored, as Mosquitto does
  session.inflight.delete(packet.messageId!);
  connection.broker.store?.done(session, packet.messageId!);
  pump(connection.broker, session);
}
