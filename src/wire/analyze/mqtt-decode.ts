import type { Packet } from 'mqtt-packet';
import { MqttDecoder } from '../mqtt/decoder.js';
import type { OrderedStreams } from './streams.js';
import type { AnalysisNote, Direction, Evidence } from './types.js';

export interface DecodedPacket {
  readonly packet: Packet;
  readonly evidence: Evidence;
}

export interface MqttDecoding {
  /** Both directions, in capture order. */
  readonly packets: readonly DecodedPacket[];
  readonly notes: readonly AnalysisNote[];
}

interface Side {
  readonly decoder: MqttDecoder;
  /** Offset of the next packet's fixed header. */
  next: number;
  failed: boolean;
  /** Where each fed chunk starts and when it arrived, to date a packet by its first byte. */
  readonly starts: number[];
  readonly times: number[];
  at: number;
  /** Records a decoded packet of this direction (one function per side, not per chunk). */
  readonly onPacket: (packet: Packet) => void;
}

/**
 * Runs the project's bounded MQTT decoder over both directions in capture order. The server's
 * direction is told the protocol level as soon as the client's CONNECT is decoded, so a v5
 * CONNACK is read as v5. A decode failure ends that direction with a note: never an exception.
 */
export function decodeMqtt(s: OrderedStreams, maxPacketSize: number): MqttDecoding {
  const packets: DecodedPacket[] = [];
  const notes: AnalysisNote[] = [];
  const side = (dir: Direction): Side => {
    const me: Side = {
      decoder: new MqttDecoder({ maxPacketSize, protocolVersion: 4 }),
      next: 0,
      failed: false,
      starts: [],
      times: [],
      at: 0,
      onPacket: (packet) => {
        const offset = me.next;
        const length = frameLength(s.streams[dir], offset);
        me.next += length;
        packets.push({ packet, evidence: { direction: dir, timeUs: timeOf(me, offset), offset, length } });
        if (packet.cmd === 'connect' && dir === 'c2s') {
          sides.s2c.decoder.setProtocolVersion(packet.protocolVersion ?? 4);
        }
      },
    };
    return me;
  };
  const sides: Record<Direction, Side> = { c2s: side('c2s'), s2c: side('s2c') };
  const chunks = s.chunks;
  for (let i = 0; i < chunks.length;) {
    const dir = chunks[i]!.direction;
    const me = sides[dir];
    // A run of chunks of one direction, nothing of the other between them, is one piece of its
    // stream: fed at once, the same packets come out in the same order, and a packet spread
    // over segments is read in place instead of gathered. Each chunk's start and time are
    // recorded first, so a packet is still dated by the chunk of its first byte.
    const from = chunks[i]!.offset;
    let to = from;
    for (; i < chunks.length && chunks[i]!.direction === dir; i++) {
      const c = chunks[i]!;
      if (me.failed) continue;
      me.starts.push(c.offset);
      me.times.push(c.timestampUs);
      to = c.offset + c.bytes.length;
    }
    if (me.failed) continue;
    const stream = s.streams[dir];
    let why: string | undefined;
    try {
      const failure = me.decoder.push(
        Buffer.from(stream.buffer, stream.byteOffset + from, to - from),
        me.onPacket,
      );
      if (failure) why = `${failure.code}: ${failure.message}`;
    } catch (err) {
      // Defence in depth: the decoder is total by design; a bug must not end the whole analysis.
      why = `internal: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (why !== undefined) {
      me.failed = true;
      notes.push({
        direction: dir,
        offset: me.next,
        what: `not MQTT here (${why}); the rest of this direction is not decoded`,
      });
    }
  }
  for (const dir of ['c2s', 's2c'] as const) {
    const me = sides[dir];
    const left = s.readable[dir] - me.next;
    if (!me.failed && left > 0)
      notes.push({
        direction: dir,
        offset: me.next,
        what: `stream ends inside an MQTT packet (${left} bytes)`,
      });
  }
  return { packets, notes };
}

/** Whole packet length from a fixed header the decoder has already accepted (MQTT 3.1.1 §2.2.3). */
function frameLength(stream: Uint8Array, at: number): number {
  let value = 0;
  let i = 1;
  for (let mul = 1; i <= 4; i++, mul *= 128) {
    const byte = stream[at + i] ?? 0;
    value += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) break;
  }
  return 1 + i + value;
}

function timeOf(side: Side, offset: number): number {
  while (side.at + 1 < side.starts.length && side.starts[side.at + 1]! <= offset) side.at++;
  return side.times[side.at] ?? 0;
}
