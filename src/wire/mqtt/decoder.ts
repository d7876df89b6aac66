import { isUtf8 } from 'node:buffer';
import { type IPublishPacket, type Packet, parser as mqttPacketParser } from 'mqtt-packet';
import { RC } from './reason-codes.js';

export type ProtocolVersion = 3 | 4 | 5;

/** Why the byte stream cannot go on; the connection is closed after it. */
export interface DecodeFailure {
  readonly code: 'ERR_MQTT_PACKET_TOO_LARGE' | 'ERR_MQTT_MALFORMED' | 'ERR_MQTT_PROTOCOL_VERSION';
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
const TYPE_PINGRESP = 13;
const ACK_NAMES = ['', '', '', '', 'puback', 'pubrec', 'pubrel', 'pubcomp'] as const;
// [MQTT-2.2.2-1] fixed-header flag bits that must have exactly these values (PUBLISH excluded).
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/**
 * The pieces as one Buffer: a view when they lie end to end in one ArrayBuffer (pieces of a
 * reassembled stream), else a copy.
 */
function join(pieces: readonly Buffer[], total: number): Buffer {
  const first = pieces[0]!;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.buffer !== first.buffer || p.byteOffset !== end) return Buffer.concat(pieces as Buffer[], total);
    end += p.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, total);
}

/**
 * A sans-IO, incremental, bounded MQTT decoder. The remaining length is read from the fixed
 * header and checked against `maxPacketSize` before a single body byte is buffered, so a peer
 * announcing 256 MB costs nothing (mqtt-packet's own parser buffers whatever is announced).
 * Complete frames on the hot path (PUBLISH, acks, pings) are decoded here; every other
 * packet, and any packet carrying MQTT 5 properties other than a PUBLISH's common ones, goes to
 * mqtt-packet's parser one whole frame at a time.
 */
export class MqttDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private failed: DecodeFailure | undefined;
  private version: ProtocolVersion = 4;
  private readonly maxPacketSize: number;

  constructor(options: DecoderOptions) {
    this.maxPacketSize = options.maxPacketSize;
    this.version = options.protocolVersion ?? 4;
  }

  get protocolVersion(): ProtocolVersion {
    return this.version;
  }

  setProtocolVersion(version: ProtocolVersion): void {
    this.version = version;
  }

  /** Feed bytes; `onPacket` runs for each complete packet. Returns a failure once, then stays failed. */
  push(chunk: Buffer, onPacket: (packet: Packet) => void): DecodeFailure | undefined {
    if (this.failed) return this.failed;
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // Keep the whole fixed header in pending[0]; re-joining the list on every push would
      // copy the buffered body again per chunk (quadratic in a body sent in small pieces).
      if (this.pending[0]!.length < 5) this.pending = [join(this.pending, this.pendingBytes)];
      const need = this.frameLength(this.pending[0]!);
      if (typeof need === 'object') return this.fail(need);
      if (need === 0 || this.pendingBytes < need) return undefined;
      buf = this.pending.length === 1 ? this.pending[0]! : join(this.pending, this.pendingBytes);
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
        // [MQTT-1.5.5-1] the fewest bytes that hold the value: a trailing 0x00 is overlong.
        if (i > 1 && byte === 0) {
          return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'overlong remaining length');
        }
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
    // 3.1.1 §2.2.3, 5.0 §1.5.5: at most four bytes of remaining length.
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
      // As mqtt-packet: a 5.0 ack without a reason code means Success (§3.4.2.1); 3.1.1 has none.
      const cmd = ACK_NAMES[type]!;
      return (this.version === 5 ? { cmd, messageId, reasonCode: 0 } : { cmd, messageId }) as Packet;
    } else if (type >= TYPE_PUBACK && type <= TYPE_PUBCOMP && this.version === 5) {
      const fast = successAck(frame, type, bodyStart);
      if (fast !== undefined) return fast;
    } else if (type === TYPE_PINGREQ && frame.length === 2) {
      return PINGREQ;
    } else if (type === TYPE_PINGRESP && frame.length === 2) {
      return PINGRESP;
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
    let properties: PublishProperties | undefined;
    if (this.version === 5) {
      if (p >= frame.length) return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, 'no property length');
      const length = frame[p]!;
      if (length !== 0) {
        // A one-byte Property Length (5.0 §1.5.5, below 128) over the common properties.
        if (length >= 0x80 || p + 1 + length > frame.length) return undefined;
        properties = publishProperties(frame, p + 1, p + 1 + length);
        if (properties === undefined) return undefined; // anything else: mqtt-packet decodes it
      }
      p += 1 + length;
    }
    const packet: Packet = {
      cmd: 'publish',
      topic: topicBytes.toString('utf8'),
      payload: frame.subarray(p),
      qos: qos as 0 | 1 | 2,
      retain: (flags & 1) === 1,
      dup: (flags & 8) === 8,
      messageId,
    };
    if (properties !== undefined) packet.properties = properties;
    return packet;
  }

  /**
   * A fresh mqtt-packet parser per frame: these packets (CONNECT, SUBSCRIBE…) are rare, and an
   * idle connection then holds no parser, buffer list or copy of its CONNECT.
   */
  private decodeSlow(frame: Buffer): Packet | DecodeFailure {
    const out: { packet?: Packet; error?: Error; badString: boolean } = { badString: false };
    const parser = mqttPacketParser({ protocolVersion: this.version });
    parser.on('packet', (p: Packet) => {
      out.packet = p;
    });
    parser.on('error', (e: Error) => {
      out.error = e;
    });
    // mqtt-packet decodes strings leniently (U+FFFD for bad bytes); [MQTT-1.5.3-1] needs a close.
    const slow = parser as unknown as SlowParserInternals;
    const parseString = slow._parseString.bind(slow);
    slow._parseString = () => {
      const start = slow._pos + 2;
      const value = parseString();
      if (value !== null && !isUtf8(slow._list.slice(start, slow._pos))) out.badString = true;
      return value;
    };
    parser.parse(frame);
    const packet = out.packet;
    const error = out.error;
    let why: string | undefined;
    if (error) why = error.message;
    else if (!packet) why = 'incomplete packet';
    else if (out.badString) why = 'string is not valid UTF-8';
    // [MQTT-2.3.1-1] mqtt-packet lets identifier 0 through, and gives -1 for a missing one.
    else if (packet.messageId !== undefined && packet.messageId < 1) why = 'packet identifier missing or 0';
    if (why !== undefined || !packet) {
      // [MQTT-3.1.2-2] an unknown protocol level is answered (CONNACK 0x01 / 0x84), not just dropped.
      if (frame[0]! >> 4 === 1 && why === 'Invalid protocol version') {
        return failure(
          'ERR_MQTT_PROTOCOL_VERSION',
          RC.unsupportedProtocolVersion,
          'unsupported protocol level',
        );
      }
      return failure('ERR_MQTT_MALFORMED', RC.malformedPacket, why ?? 'incomplete packet');
    }
    const repeated = repeatedProperty(packet);
    if (repeated !== undefined) {
      return failure('ERR_MQTT_MALFORMED', RC.protocolError, `property ${repeated} more than once`);
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

/** The parts of mqtt-packet's parser that the UTF-8 check reads (not in its typings). */
interface SlowParserInternals {
  _pos: number;
  _list: { slice(start: number, end: number): Buffer };
  _parseString(): string | null;
}

/**
 * MQTT 5 §2.2.2.2 and each packet's property list (e.g. §3.3.2.3.4): a property other than User
 * Property appears at most once, except Subscription Identifier in a server's PUBLISH. mqtt-packet
 * turns a repeat into an array, which the packet types do not allow and the handlers do not expect
 * (an array Topic Alias passed the range check and became a new alias-map key on every PUBLISH).
 */
function repeatedProperty(packet: Packet): string | undefined {
  const sets = [(packet as { properties?: object }).properties];
  if (packet.cmd === 'connect') sets.push(packet.will?.properties);
  for (const properties of sets) {
    if (properties === undefined) continue;
    for (const [name, value] of Object.entries(properties)) {
      if (!Array.isArray(value)) continue;
      if (name === 'subscriptionIdentifier' && packet.cmd === 'publish') continue;
      return name;
    }
  }
  return undefined;
}

type PublishProperties = NonNullable<IPublishPacket['properties']>;

// MQTT 5.0 §3.3.2.3: the PUBLISH properties a device sets; their identifiers and value types.
const PAYLOAD_FORMAT_INDICATOR = 0x01;
const MESSAGE_EXPIRY_INTERVAL = 0x02;
const CONTENT_TYPE = 0x03;
const RESPONSE_TOPIC = 0x08;
const CORRELATION_DATA = 0x09;
const TOPIC_ALIAS = 0x23;

/**
 * The properties in frame[from, to), decoded as mqtt-packet decodes them, when they are all
 * among the six above, each at most once, well-formed UTF-8, and end exactly at `to`. Anything
 * else (User Property, Subscription Identifier, a repeat, a value cut short) is undefined: the
 * frame then goes to mqtt-packet, whose reading (and errors) stay the reference.
 */
function publishProperties(frame: Buffer, from: number, to: number): PublishProperties | undefined {
  const out: PublishProperties = {};
  let seen = 0;
  let p = from;
  while (p < to) {
    const id = frame[p++]!;
    const bit = PROPERTY_BITS[id];
    if (bit === undefined || seen & bit) return undefined;
    seen |= bit;
    if (id === PAYLOAD_FORMAT_INDICATOR) {
      if (p + 1 > to) return undefined;
      out.payloadFormatIndicator = frame[p++] !== 0;
    } else if (id === MESSAGE_EXPIRY_INTERVAL) {
      if (p + 4 > to) return undefined;
      out.messageExpiryInterval = frame.readUInt32BE(p);
      p += 4;
    } else if (id === TOPIC_ALIAS) {
      if (p + 2 > to) return undefined;
      out.topicAlias = frame.readUInt16BE(p);
      p += 2;
    } else {
      if (p + 2 > to) return undefined;
      const end = p + 2 + frame.readUInt16BE(p);
      if (end > to) return undefined;
      const value = frame.subarray(p + 2, end);
      p = end;
      if (id === CORRELATION_DATA) out.correlationData = value;
      // [MQTT-1.5.4-1] a string that is not well-formed UTF-8: mqtt-packet's path reports it.
      else if (!isUtf8(value)) return undefined;
      else if (id === CONTENT_TYPE) out.contentType = value.toString('utf8');
      else out.responseTopic = value.toString('utf8');
    }
  }
  return out;
}

const PROPERTY_BITS: Readonly<Record<number, number>> = {
  [PAYLOAD_FORMAT_INDICATOR]: 1,
  [MESSAGE_EXPIRY_INTERVAL]: 2,
  [CONTENT_TYPE]: 4,
  [RESPONSE_TOPIC]: 8,
  [CORRELATION_DATA]: 16,
  [TOPIC_ALIAS]: 32,
};

const PINGREQ: Packet = Object.freeze({ cmd: 'pingreq' }) as Packet;
const PINGRESP: Packet = Object.freeze({ cmd: 'pingresp' }) as Packet;

/**
 * A 5.0 acknowledgement saying Success with no properties: a reason code 0x00 (§3.4.2.1), then
 * nothing or a zero Property Length (§3.4.2.2). Any other form (another code, properties, a
 * packet identifier 0) is left to mqtt-packet, whose checks and messages stay the reference.
 */
function successAck(frame: Buffer, type: number, at: number): Packet | undefined {
  const body = frame.length - at;
  if ((body !== 3 && body !== 4) || frame[at + 2] !== 0 || (body === 4 && frame[at + 3] !== 0))
    return undefined;
  const messageId = frame.readUInt16BE(at);
  if (messageId === 0) return undefined;
  return { cmd: ACK_NAMES[type]!, messageId, reasonCode: 0 } as Packet;
}

function headerLength(frame: Buffer): number {
  let i = 1;
  while (frame[i]! & 0x80) i++;
  return i + 1;
}

function failure(code: DecodeFailure['code'], reasonCode: number, message: string): DecodeFailure {
  return { code, reasonCode, message };
}
