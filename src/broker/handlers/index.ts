import type { Packet } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';
import { handleAuth } from './auth.js';
import { handleConnect } from './connect.js';
import { handleDisconnect } from './disconnect.js';
import { handlePingreq } from './pingreq.js';
import { handlePuback } from './puback.js';
import { handlePubcomp } from './pubcomp.js';
import { handlePublish } from './publish.js';
import { handlePubrec } from './pubrec.js';
import { handlePubrel } from './pubrel.js';
import { handleSubscribe } from './subscribe.js';
import { handleUnsubscribe } from './unsubscribe.js';

type Handler = (connection: Connection, packet: never) => void;

/** One table from packet type to handler; a packet a client may not send is a protocol error. */
const HANDLERS: Readonly<Partial<Record<Packet['cmd'], Handler>>> = {
  connect: handleConnect,
  publish: handlePublish,
  puback: handlePuback,
  pubrec: handlePubrec,
  pubrel: handlePubrel,
  pubcomp: handlePubcomp,
  subscribe: handleSubscribe,
  unsubscribe: handleUnsubscribe,
  pingreq: handlePingreq,
  disconnect: handleDisconnect,
  auth: handleAuth,
};

export function dispatch(connection: Connection, packet: Packet): void {
  if (connection.state === 'awaiting-connect' && packet.cmd !== 'connect') {
    // [MQTT-3.1.0-1] the first packet from the client must be CONNECT.
    connection.broker.logIf('notice', () => `Client ${connection.label} sent ${packet.cmd} before CONNECT.`);
    // [MQTT-3.1.0-1] [MQTT-4.8.0-1] close the network connection: destroy(undefined) alone left
    // the socket open, since it expects an end() already under way.
    connection.destroy(`sent ${packet.cmd} before CONNECT`);
    return;
  }
  const handler = HANDLERS[packet.cmd];
  if (!handler) {
    // CONNACK, SUBACK, UNSUBACK, PINGRESP are server-to-client only (§2.1.2).
    connection.broker.logIf('notice', () => `Client ${connection.label} sent ${packet.cmd}: protocol error.`);
    connection.disconnect(RC.protocolError);
    return;
  }
  handler(connection, packet as never);
}
