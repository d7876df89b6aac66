import type { IPubcompPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { pump } from '../delivery.js';

/** PUBCOMP (§3.7): a QoS 2 delivery to the client is complete; its identifier is free. */
export function handlePubcomp(connection: Connection, packet: IPubcompPacket): void {
  const session = connection.session!;
  const entry = session.inflight.get(packet.messageId!);
  if (!entry || !entry.released) return;
  session.inflight.delete(packet.messageId!);
  connection.broker.store?.done(session, packet.messageId!);
  pump(connection.broker, session);
}
