import type { IDisconnectPacket } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';

/** DISCONNECT (§3.14): the will is discarded unless v5 reason 0x04 asks for it. */
export function handleDisconnect(connection: Connection, packet: IDisconnectPacket): void {
  const session = connection.session;
  const requested = packet.properties?.sessionExpiryInterval;
  if (requested !== undefined && session) {
    // [MQTT-3.14.2-2] a session that was to end at disconnect cannot be made to persist here.
    if (session.expiryInterval === 0 && requested !== 0) {
      connection.disconnect(RC.protocolError);
      return;
    }
    session.expiryInterval = requested;
  }
  // [MQTT-3.14.4-3] a normal DISCONNECT discards the will; 0x04 keeps it.
  connection.gracefulDisconnect = packet.reasonCode !== RC.disconnectWithWill;
  connection.broker.logIf('notice', () => `Client ${connection.label} disconnected.`);
  connection.end();
}
