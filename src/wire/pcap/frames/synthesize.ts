/**
 * Synthesized framing: a TCP conversation described as events (connect, data, FIN, RST) becomes
 * the Ethernet II + IPv4 + TCP frames a capture on the wire would hold — handshake with MSS,
 * sequence and acknowledgement numbers, segments cut at the MSS, the peer's ACKs, teardown — so
 * Wireshark reads bytes recorded at a socket as an ordinary, clean TCP stream.
 */
import { LabError } from '../../../core/errors.js';
import { parseOptions, z } from '../../../core/options.js';
import { concatBytes, type PacketToWrite } from '../packet.js';
import { encodeEthernetHeader, ETHERTYPE_IPV4, macFromIpv4 } from './ethernet.js';
import { encodeIpv4Header, IP_PROTOCOL_TCP, isIpv4 } from './ipv4.js';
import { encodeTcpSegment, type Endpoint, TCP_FLAGS } from './tcp.js';

const { SYN, ACK, FIN, RST, PSH } = TCP_FLAGS;
export const DEFAULT_MSS = 1460; // Ethernet MTU 1500 − 20 (IPv4) − 20 (TCP)
/** Every second full segment is acknowledged, as a delayed-ACK receiver does (RFC 1122 §4.2.3.2). */
const SEGMENTS_PER_ACK = 2;

const endpoint = z.strictObject({
  ip: z.string().refine(isIpv4, 'expected a dotted-quad IPv4 address'),
  port: z.number().int().min(1).max(65535),
});
const time = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const direction = z.enum(['client-to-server', 'server-to-client']);
const event = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('connect'), timestampUs: time }),
  /** The server answers the SYN with RST: nothing listens there. */
  z.strictObject({ type: z.literal('refused'), timestampUs: time }),
  z.strictObject({
    type: z.literal('data'),
    direction,
    timestampUs: time,
    data: z.instanceof(Uint8Array),
    /** Shown as a pcapng packet comment on the first segment of this data. */
    comment: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('close'), direction, timestampUs: time }),
  z.strictObject({ type: z.literal('reset'), direction, timestampUs: time }),
]);
const schema = z.strictObject({
  client: endpoint,
  server: endpoint,
  events: z.array(event),
  mss: z.number().int().min(1).max(65495).default(DEFAULT_MSS),
  window: z.number().int().min(0).max(65535).default(65535),
  /** Initial sequence numbers; derived from the endpoints when absent, so output is reproducible. */
  isn: z
    .strictObject({
      client: z.number().int().min(0).max(0xffffffff),
      server: z.number().int().min(0).max(0xffffffff),
    })
    .optional(),
});
export type Conversation = z.input<typeof schema>;
export type ConversationEvent = z.input<typeof event>;

interface Side {
  readonly endpoint: Endpoint;
  readonly mac: Uint8Array;
  /** Next sequence number this side sends. */
  seq: number;
  ipId: number;
  finSent: boolean;
}

interface Extra {
  readonly mss?: number;
  readonly comment?: string;
}

/** The frames of one conversation, in order. Throws ERR_OPTIONS_INVALID for an impossible event list. */
export function synthesizeConversation(conversation: Conversation): PacketToWrite[] {
  const c = parseOptions(schema, conversation, 'synthesizeConversation');
  const wire = new Wire(c);
  let state: 'idle' | 'open' | 'done' = 'idle';
  let last = 0;
  c.events.forEach((e, i) => {
    const fail = (why: string) => {
      throw new LabError('ERR_OPTIONS_INVALID', `synthesizeConversation: event ${i} (${e.type}): ${why}`, {
        details: { where: 'synthesizeConversation', option: `events.${i}` },
      });
    };
    if (e.timestampUs < last) fail(`timestamp ${e.timestampUs} is before the previous event's ${last}`);
    last = e.timestampUs;
    if (e.type === 'connect' || e.type === 'refused') {
      if (state !== 'idle') fail('the connection was already opened');
      state = e.type === 'connect' ? wire.handshake(e.timestampUs) : wire.refuse(e.timestampUs);
      return;
    }
    if (state !== 'open') fail(state === 'idle' ? 'before connect' : 'after the connection ended');
    const [from, to] = e.direction === 'client-to-server' ? wire.ends : [wire.ends[1], wire.ends[0]];
    if (from.finSent && e.type !== 'reset') fail(`the ${e.direction} direction is already closed (FIN sent)`);
    if (e.type === 'data') wire.data(from, to, e.timestampUs, e.data, e.comment);
    else if (e.type === 'close') state = wire.fin(from, to, e.timestampUs);
    else state = wire.reset(from, to, e.timestampUs);
  });
  return wire.frames;
}

/** Both ends of one connection and the frames they have put on the link so far. */
class Wire {
  readonly frames: PacketToWrite[] = [];
  readonly ends: readonly [Side, Side];
  readonly #mss: number;
  readonly #window: number;

  constructor(c: {
    client: Endpoint;
    server: Endpoint;
    mss: number;
    window: number;
    isn?: { client: number; server: number };
  }) {
    const isn = c.isn ?? { client: hash32(c.client, c.server), server: hash32(c.server, c.client) };
    const side = (endpoint: Endpoint, seq: number): Side => ({
      endpoint,
      mac: macFromIpv4(endpoint.ip),
      seq,
      ipId: seq >>> 16,
      finSent: false,
    });
    this.ends = [side(c.client, isn.client), side(c.server, isn.server)];
    this.#mss = c.mss;
    this.#window = c.window;
  }

  handshake(t: number): 'open' {
    const [client, server] = this.ends;
    this.#send(client, server, t, SYN, undefined, { mss: this.#mss });
    advance(client, 1); // RFC 793 §3.3: SYN occupies one sequence number
    this.#send(server, client, t, SYN | ACK, undefined, { mss: this.#mss });
    advance(server, 1);
    this.#send(client, server, t, ACK);
    return 'open';
  }

  refuse(t: number): 'done' {
    const [client, server] = this.ends;
    this.#send(client, server, t, SYN, undefined, { mss: this.#mss });
    advance(client, 1);
    // RFC 793 §3.4: a SYN to a closed port gets RST/ACK with seq 0, ack = SEG.SEQ + 1.
    server.seq = 0;
    this.#send(server, client, t, RST | ACK);
    return 'done';
  }

  /** Segments of at most MSS bytes, PSH on the last; the peer ACKs every second one and the last. */
  data(from: Side, to: Side, t: number, bytes: Uint8Array, comment: string | undefined): void {
    const segments = Math.ceil(bytes.length / this.#mss);
    for (let k = 0; k < segments; k++) {
      const payload = bytes.subarray(k * this.#mss, (k + 1) * this.#mss);
      const lastSegment = k === segments - 1;
      const extra = k === 0 && comment !== undefined ? { comment } : {};
      this.#send(from, to, t, lastSegment ? ACK | PSH : ACK, payload, extra);
      advance(from, payload.length);
      if (lastSegment || (k + 1) % SEGMENTS_PER_ACK === 0) this.#send(to, from, t, ACK);
    }
  }

  fin(from: Side, to: Side, t: number): 'open' | 'done' {
    this.#send(from, to, t, FIN | ACK);
    advance(from, 1); // RFC 793 §3.3: FIN occupies one sequence number
    from.finSent = true;
    this.#send(to, from, t, ACK);
    return to.finSent ? 'done' : 'open';
  }

  reset(from: Side, to: Side, t: number): 'done' {
    this.#send(from, to, t, RST | ACK);
    return 'done';
  }

  /** One Ethernet II + IPv4 + TCP frame from `from` to `to`; the sender's IP id counts up. */
  #send(
    from: Side,
    to: Side,
    at: number,
    flags: number,
    payload: Uint8Array = new Uint8Array(0),
    extra: Extra = {},
  ): void {
    const tcp = encodeTcpSegment({
      src: from.endpoint,
      dst: to.endpoint,
      seq: from.seq,
      ack: flags & ACK ? to.seq : 0,
      flags,
      window: this.#window,
      ...(extra.mss === undefined ? {} : { mss: extra.mss }),
      payload,
    });
    const ip = encodeIpv4Header({
      src: from.endpoint.ip,
      dst: to.endpoint.ip,
      protocol: IP_PROTOCOL_TCP,
      id: from.ipId,
      payloadLength: tcp.length,
    });
    from.ipId = (from.ipId + 1) & 0xffff;
    const data = concatBytes([encodeEthernetHeader(to.mac, from.mac, ETHERTYPE_IPV4), ip, tcp]);
    this.frames.push({
      timestampUs: at,
      data,
      ...(extra.comment === undefined ? {} : { comment: extra.comment }),
    });
  }
}

function advance(s: Side, n: number): void {
  s.seq = (s.seq + n) >>> 0;
}

/** Several conversations in one capture, frames merged by time (stable: ties keep input order). */
export function synthesizeConversations(conversations: readonly Conversation[]): PacketToWrite[] {
  return conversations
    .flatMap((c) => synthesizeConversation(c))
    .sort((a, b) => a.timestampUs - b.timestampUs);
}

/** FNV-1a of "a>b": a fixed, well-spread initial sequence number per direction. */
function hash32(a: Endpoint, b: Endpoint): number {
  let h = 0x811c9dc5;
  for (const ch of `${a.ip}:${a.port}>${b.ip}:${b.port}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}
