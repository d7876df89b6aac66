import type { IPubrelPacket } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';

/** PUBREL (§3.6): the client releases a QoS 2 message it sent us; answer PUBCOMP [MQTT-4.3.3-…]. */
export function handlePubrel(connection: Connection, packet: IPubrelPacket): void {
  const session = connection.session!;
  const id = packet.messageId!;
  const known = session.receivedQos2.delete(id);
  if (known) connection.broker.store?.qos2Released(session, id);
  connection.send({
    cmd: 'pubcomp',
    messageId: id,
    ...(connection.version === 5 && !known ? { reasonCode: RC.packetIdentifierNotFound } : {}),
  });
}
