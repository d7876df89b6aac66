import type { IPubrecPacket } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';
import { pump } from '../delivery.js';

/** PUBREC (§3.5): first half of a QoS 2 delivery to the client; answer with PUBREL. */
export function handlePubrec(connection: Connection, packet: IPubrecPacket): void {
  const session = connection.session!;
  const id = packet.messageId!;
  const entry = session.inflight.get(id);
  if (!entry || entry.delivery.qos !== 2) {
    // [MQTT-4.3.3-…] v5: PUBREL with "Packet Identifier not found".
    connection.send({
      cmd: 'pubrel',
      messageId: id,
      ...(connection.version === 5 ? { reasonCode: RC.packetIdentifierNotFound } : {}),
    });
    return;
  }
  if ((packet.reasonCode ?? 0) >= 0x80) {
    // [MQTT-4.3.3-…] a failing PUBREC ends the exchange; the identifier is free.
    session.inflight.delete(id);
    connection.broker.store?.done(session, id);
    pump(connection.broker, session);
    return;
  }
  entry.released = true;
  connection.broker.store?.released(session, id);
  connection.send({ cmd: 'pubrel', messageId: id });
}
