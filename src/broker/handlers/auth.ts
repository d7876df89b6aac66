import type { IAuthPacket } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';

/**
 * Enhanced authentication (§4.12) is not offered: no CONNECT with an Authentication Method is
 * accepted (connect.ts), so an AUTH packet is always a protocol error [MQTT-4.12.0-1].
 */
export function handleAuth(connection: Connection, _packet: IAuthPacket): void {
  connection.disconnect(RC.protocolError);
}
