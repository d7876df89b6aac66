import type { IUnsubscribePacket } from 'mqtt-packet';
import { RC } from '../../wire/mqtt/reason-codes.js';
import type { Connection } from '../connection.js';

/** UNSUBSCRIBE (§3.10): remove each filter, exactly as written [MQTT-3.10.4-1]; UNSUBACK. */
export function handleUnsubscribe(connection: Connection, packet: IUnsubscribePacket): void {
  const broker = connection.broker;
  const session = connection.session!;
  if (packet.unsubscriptions.length === 0) {
    // [MQTT-3.10.3-2] at least one filter; an empty v5 UNSUBACK also threw in the encoder.
    connection.disconnect(RC.protocolError);
    return;
  }
  const codes: number[] = [];
  for (const filter of packet.unsubscriptions) {
    const sub = session.subscriptions.get(filter);
    if (sub) {
      session.subscriptions.delete(filter);
      broker.dropSubscription(session, sub);
      broker.store?.unsubscribed(session, filter);
      codes.push(RC.success);
    } else {
      codes.push(RC.noSubscriptionExisted);
    }
    broker.logIf('unsubscribe', () => `${connection.clientId} ${filter}`);
  }
  // 3.1.1 UNSUBACK has no payload; v5 has a reason code per filter [MQTT-3.11.3-1].
  connection.send({
    cmd: 'unsuback',
    messageId: packet.messageId,
    granted: codes, // written only for v5 by the encoder
  });
}
