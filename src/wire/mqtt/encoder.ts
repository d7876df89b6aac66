import { generate, type Packet } from 'mqtt-packet';
import type { ProtocolVersion } from './decoder.js';

/**
 * Encode a packet. PUBLISH without properties and the four acknowledgements with reason code
 * 0 are written here directly (they are most of the traffic); everything else goes through
 * mqtt-packet's `generate`, the reference encoder.
 */
export function encodePacket(packet: Packet, version: ProtocolVersion): Buffer {
  if (packet.cmd === 'publish' && !hasProperties(packet.properties)) {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    return encodePublish(
      packet.topic,
      payload,
      packet.qos,
      packet.retain,
      packet.dup,
      packet.messageId,
      version,
    );
  }
  if (
    (packet.cmd === 'puback' ||
      packet.cmd === 'pubrec' ||
      packet.cmd === 'pubrel' ||
      packet.cmd === 'pubcomp') &&
    !packet.reasonCode &&
    !hasProperties(packet.properties)
  ) {
    return encodeAck(packet.cmd, packet.messageId!);
  }
  return generate(packet, { protocolVersion: version });
}

const ACK_FIRST_BYTE = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const;

export function encodeAck(cmd: keyof typeof ACK_FIRST_BYTE, messageId: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b[0] = ACK_FIRST_BYTE[cmd];
  b[1] = 2;
  b.writeUInt16BE(messageId, 2);
  return b;
}

/** A PUBLISH with no properties (MQTT 5 gets a zero property length). */
export function encodePublish(
  topic: string,
  payload: Buffer,
  qos: 0 | 1 | 2,
  retain: boolean,
  dup: boolean,
  messageId: number | undefined,
  version: ProtocolVersion,
): Buffer {
  const topicLength = Buffer.byteLength(topic);
  const remaining = 2 + topicLength + (qos > 0 ? 2 : 0) + (version === 5 ? 1 : 0) + payload.length;
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  const out = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  out[0] = 0x30 | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0);
  let p = writeVarint(out, 1, remaining);
  out.writeUInt16BE(topicLength, p);
  p += 2;
  p += out.write(topic, p, 'utf8');
  if (qos > 0) {
    out.writeUInt16BE(messageId!, p);
    p += 2;
  }
  if (version === 5) out[p++] = 0;
  payload.copy(out, p);
  return out;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let v = value;
  let p = at;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out[p++] = byte;
  } while (v > 0);
  return p;
}

function hasProperties(properties: object | undefined): boolean {
  if (!properties) return false;
  for (const key in properties) {
    if ((properties as Record<string, unknown>)[key] !== undefined) return true;
  }
  return false;
}
