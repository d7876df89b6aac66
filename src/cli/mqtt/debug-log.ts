import type { Packet } from 'mqtt-packet';

/**
 * `-d`: the lines libmosquitto logs for each packet (lib/send_*.c, lib/handle_*.c), made from
 * MQTT.js's packetsend / packetreceive events, so a lab sheet's debug trace reads the same.
 */
export class DebugLog {
  /** What mosquitto shows as the client id: "(null)" until the broker assigns one (MQTT 5). */
  #id: string;
  constructor(
    clientId: string | undefined,
    private readonly write: (line: string) => void,
    /** libmosquitto numbers QoS 0 PUBLISHes too; MQTT.js leaves them without an id. */
    private readonly mids: { consume(): number },
  ) {
    this.#id = clientId === undefined || clientId === '' ? '(null)' : clientId;
  }

  get clientId(): string {
    return this.#id;
  }

  sent(packet: Packet): void {
    const p = packet as Packet & Record<string, unknown>;
    const mid = typeof p.messageId === 'number' ? p.messageId : undefined;
    const rc = (p.reasonCode as number | undefined) ?? 0;
    switch (packet.cmd) {
      case 'publish': {
        const shown = packet.qos > 0 && mid !== undefined ? mid : this.mids.consume();
        this.#line(`sending PUBLISH (${publishFlags(packet, shown)})`);
        return;
      }
      case 'subscribe':
        for (const s of packet.subscriptions) {
          const options = ((s.nl ? 1 : 0) << 2) | ((s.rap ? 1 : 0) << 3) | ((s.rh ?? 0) << 4);
          const hex = options.toString(16).padStart(2, '0');
          this.#line(`sending SUBSCRIBE (Mid: ${mid}, Topic: ${s.topic}, QoS: ${s.qos}, Options: 0x${hex})`);
        }
        return;
      case 'unsubscribe':
        for (const topic of packet.unsubscriptions)
          this.#line(`sending UNSUBSCRIBE (Mid: ${mid}, Topic: ${topic})`);
        return;
      case 'puback':
      case 'pubrec':
        this.#line(`sending ${packet.cmd.toUpperCase()} (m${mid}, rc${rc})`);
        return;
      case 'pubrel':
      case 'pubcomp':
        this.#line(`sending ${packet.cmd.toUpperCase()} (m${mid})`);
        return;
      default:
        this.#line(`sending ${packet.cmd.toUpperCase()}`);
    }
  }

  received(packet: Packet): void {
    const p = packet as Packet & Record<string, unknown>;
    const mid = p.messageId as number | undefined;
    const rc = (p.reasonCode as number | undefined) ?? 0;
    switch (packet.cmd) {
      case 'connack': {
        const assigned = packet.properties?.assignedClientIdentifier;
        if (typeof assigned === 'string' && assigned !== '') this.#id = assigned;
        this.#line(`received CONNACK (${packet.reasonCode ?? packet.returnCode ?? 0})`);
        return;
      }
      case 'publish':
        this.#line(`received PUBLISH (${publishFlags(packet, packet.qos > 0 ? (mid ?? 0) : 0)})`);
        return;
      case 'puback':
      case 'pubcomp':
        this.#line(`received ${packet.cmd.toUpperCase()} (Mid: ${mid}, RC:${rc})`);
        return;
      case 'pubrec':
      case 'pubrel':
        this.#line(`received ${packet.cmd.toUpperCase()} (Mid: ${mid})`);
        return;
      case 'disconnect':
        // libmosquitto logs this one without the client id.
        this.write(`Received DISCONNECT (${rc})`);
        return;
      default:
        this.#line(`received ${packet.cmd.toUpperCase()}`);
    }
  }

  #line(text: string): void {
    this.write(`Client ${this.#id} ${text}`);
  }
}

function publishFlags(p: Extract<Packet, { cmd: 'publish' }>, mid: number): string {
  const length = typeof p.payload === 'string' ? Buffer.byteLength(p.payload) : p.payload.length;
  return `d${p.dup ? 1 : 0}, q${p.qos}, r${p.retain ? 1 : 0}, m${mid}, '${p.topic}', ... (${length} bytes)`;
}
