import { isUtf8 } from 'node:buffer';
import { type Packet, parser as mqttPacketParser } from 'mqtt-packet';
import { RC } from './reason-codes.js';

export type ProtocolVersion = 3 | 4 | 5;

/** Why the byte stream cannot go on; the connection is closed after it. */
export interface DecodeFailure {
  readonly code: 'ERR_MQTT_PACKET_TOO_LARGE' | 'ERR_MQTT_MALFORMED';
  /** The v5 reason code for a DISCONNECT, where the protocol allows sending one. */
  readonly reasonCode: number;
  readonly message: string;
}

export interface DecoderOptions {
  /** Largest whole packet (fixed header included) accepted, in bytes. */
  readonly maxPacketSize: number;
  readonly protocolVersion?: ProtocolVersion;
}

const TYPE_PUBLISH = 3;
const TYPE_PUBACK = 4;
const TYPE_PUBCOMP = 7;
const TYPE_PINGREQ = 12;
const ACK_NAMES = ['', '', '', '', 'puback', 'pubrec', 'pubrel', 'pubcomp'] as const;
// [MQTT-2.2.2-1] fixed-header flag bits that must have exactly these values (PUBLISH excluded).
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/**
 * A sans-IO, incremental, bounded MQTT decoder. The remaining length is read from the fixed
 * header and checked against `maxPacketSize` before a single body byte is buffered, so a peer
 * announcing 256 MB costs nothing (mqtt-packet's own parser buffers whatever is announced).
 * Complete frames on the hot path (PUBLISH, acks, PINGREQ) are decoded here; every other
 * packet, and any packet carrying MQTT 5 properties, goes to mqtt-packet's parser one whole
 * frame at a time.
 */
export class MqttDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private failed: DecodeFailure | undefined;
  private version: ProtocolVersion;
  private readonly maxPacketSize: number;
  private readonly slow = mqttPacketParser({ protocolVersion: 4 });
  private slowPacket: Packet | undefined;
  private slowError: Error | undefined;

  constructor(options: DecoderOptions) {
    this.maxPacketSize = options.maxPacketSize;
    this.version = options.protocolVersion ?? 4;
    this.slow.on('packet', (p: Packet) => {
      this.slowPacket = p;
    });
    this.slow.on('error', (e: Error) => {
      this.slowError = e;
    });
  }

  get protocolVersion(): ProtocolVersion {
    return this.version;
  }

  setProtocolVersion(version: ProtocolVersion): void {
    this.version = version;
    (this.slow as unknown as { settings: { protocolVersion: number } }).settings = {
      protocolVersion: version,
    };
  }

  /** Feed bytes; `onPacket` runs for each complete packet. Returns a failure once, then stays failed. */
  push(chunk: Buffer, onPacket: (packet: Packet) => void): DecodeFailure | undefined {
    if (this.failed) return this.failed;
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      const need = this.frameLength(
        this.pending[0]!.length >= 5 ? this.pending[0]! : Buffer.concat(this.pending),
      );
      if (typeof need === 'object') return this.fail(need);
      if (need === 0 || this.pendingBytes < need) return undefined;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let off = 0;
    while (off < buf.length) {
      const rest = off === 0 ? buf : buf.subarray(off);
      const need = this.frameLength(rest);
      if (typeof need === 'object') return this.fail(need);
      if (need === 0 || rest.length < need) {
        this.pending = [off === 0 ? buf : Buffer.from(rest)];
        this.pendingBytes = rest.length;
        return undefined;
      }
      const packet = this.decodeFrame(rest.subarray(0, need));
      if ('code' in packet) return this.fail(packet);
      off += need;
      onPacket(packet);
      if (this.failed) return this.failed;
    }
    return undefined;
  }

  /** Whole-frame length from the fixed header; 0 when the header is not complete yet. */
  private frameLength(b: Buffer): number | DecodeFailure {
    if (b.length < 2) return 0;
    let value = 0;
    let multiplier = 1;
    for (let i = 1; i <= 4; i++) {
      if (i >= b.length) return 0;
      const byte = b[i]!;
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        const total = 1 + i + value;
        // MQTT 5.0 §3.1.2.11.4 / Mosquitto packet_mosq.c: refuse before allocating.
        if (total > this.maxPacketSize) {
          return failure(
            'ERR_MQTT_PACKET_TOO_LARGE',
            RC.packetTooLarge,
            `packet of ${total} bytes exceeds the limit of ${this.maxPacketSize}`,
          );
        }
        return total;
      }
      multiplier *= 128;
    }
    // [MQTT-1.5.5-1] at most four bytes of remaining length.
    return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'remaining length longer than 4 bytes');
  }

  private decodeFrame(frame: Buffer): Packet | DecodeFailure {
    const first = frame[0]!;
    const type = first >> 4;
    const flags = first & 0x0f;
    const required = REQUIRED_FLAGS[type]!;
    // [MQTT-2.2.2-2] invalid flags close the connection.
    if (required >= 0 && flags !== required) {
      return failure(
        'ERR_MQTT_MALFORMED',
        RC.malformedPacket,
        `reserved flags 0x${flags.toString(16)} in type ${type}`,
      );
    }
    const bodyStart = headerLength(frame);
    if (type === TYPE_PUBLISH) {
      const fast = this.decodePublish(frame, flags, bodyStart);
      if (fast !== undefined) return fast;
    } else if (type >= TYPE_PUBACK && type <= TYPE_PUBCOMP && frame.length - bodyStart === 2) {
      const messageId = frame.readUInt16BE(bodyStart);
      if (messageId === 0) return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'packet identifier 0'); // [MQTT-2.3.1-1]
      return { cmd: ACK_NAMES[type]!, messageId, reasonCode: 0 } as Packet;
    } else if (type === TYPE_PINGREQ && frame.length === 2) {
      return PINGREQ;
    }
    return this.decodeSlow(frame);
  }

  private decodePublish(frame: Buffer, flags: number, at: number): Packet | DecodeFailure | undefined {
    const qos = (flags >> 1) & 3;
    // [MQTT-3.3.1-4] both QoS bits set is malformed.
    if (qos === 3) return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'PUBLISH with QoS 3');
    if (frame.length - at < 2) return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'PUBLISH too short');
    const topicLength = frame.readUInt16BE(at);
    let p = at + 2 + topicLength;
    if (p > frame.length)
      return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'topic runs past the packet');
    const topicBytes = frame.subarray(at + 2, p);
    // [MQTT-1.5.3-1] a UTF-8 string that is not well-formed closes the connection.
    if (!isUtf8(topicBytes))
      return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'topic is not valid UTF-8');
    let messageId: number | undefined;
    if (qos > 0) {
      if (p + 2 > frame.length)
        return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'no packet identifier');
      messageId = frame.readUInt16BE(p);
      if (messageId === 0) return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'packet identifier 0');
      p += 2;
    }
    if (this.version === 5) {
      if (p >= frame.length) return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'no property length');
      if (frame[p] !== 0) return undefined; // properties: mqtt-packet decodes them
      p += 1;
    }
    return {
      cmd: 'publish',
      topic: topicBytes.toString('utf8'),
      payload: frame.subarray(p),
      qos: qos as 0 | 1 | 2,
      retain: (flags & 1) === 1,
      dup: (flags & 8) === 8,
      messageId,
    };
  }

  private decodeSlow(frame: Buffer): Packet | DecodeFailure {
    this.slowPacket = undefined;
    this.slowError = undefined;
    this.slow.parse(frame);
    // Both are set by the parser's synchronous event callbacks during parse().
    const packet = this.slowPacket as Packet | undefined;
    const error = this.slowError as Error | undefined;
    if (error || !packet) {
      const why = error?.message ?? 'incomplete packet';
      (this.slow as unknown as { _resetState(): void })._resetState();
      return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, why);
    }
    if (packet.cmd === 'connect' && packet.protocolVersion) this.version = packet.protocolVersion;
    return packet;
  }

  private fail(f: DecodeFailure): DecodeFailure {
    this.failed = f;
    this.pending = [];
    this.pendingBytes = 0;
    return f;
  }
}

const PINGREQ: Packet = Object.freeze({ cmd: 'pingreq' }) as Packet;

function headerLength(frame: Buffer): number {
  let i = 1;
  while (frame[i]! & 0x80) i++;
  return i + 1;
}

function failure(code: DecodeFailure['code'], reasonCode: number, message: string): DecodeFailure {
  return { code, reasonCode, message };
}
