/**
 * An in-memory capture of relayed TCP connections: per connection, the events a socket sees
 * (connected, bytes each way with their time, FIN, RST). It becomes frames through the
 * synthesized framing, so every relayed connection is one ordinary TCP conversation in the file.
 */
import { parseOptions, z } from '../../core/options.js';
import { isIpv4 } from '../pcap/frames/ipv4.js';
import {
  type Conversation,
  type ConversationEvent,
  DEFAULT_MSS,
  synthesizeConversations,
} from '../pcap/frames/synthesize.js';
import type { Endpoint, TcpDirection } from '../pcap/frames/tcp.js';
import type { PacketToWrite } from '../pcap/packet.js';
import { encodePcap } from '../pcap/pcap-writer.js';
import { encodePcapng, type PcapngWriterOptions } from '../pcap/pcapng-writer.js';

const EPHEMERAL_FIRST = 49152; // IANA dynamic ports 49152–65535 (RFC 6335 §6)

export const ipSchema = z.string().refine(isIpv4, 'expected a dotted-quad IPv4 address');
export const portSchema = z.number().int().min(1).max(65535);
const ip = ipSchema;
const port = portSchema;
const endpointFn = z.custom<(index: number) => Endpoint>(
  (v) => typeof v === 'function',
  'expected a function',
);
export const recordingSchema = z.strictObject({
  /** The server as it appears in the file (the real upstream may be on another port). */
  server: z.strictObject({ ip: ip.default('127.0.0.1'), port }),
  clientIp: ip.default('127.0.0.2'),
  /** Connection i gets client port clientPortBase + i (wrapping within the range up to 65535). */
  clientPortBase: port.default(EPHEMERAL_FIRST),
  /** Overrides clientIp/clientPortBase: the synthetic client endpoint of connection i. */
  clientEndpoint: endpointFn.optional(),
  mss: z.number().int().min(1).max(65495).default(DEFAULT_MSS),
  /** Payload bytes kept over all connections; past it data is no longer recorded (`truncated`). */
  maxBytes: z
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
});
export type RecordingOptions = z.input<typeof recordingSchema>;

interface Connection {
  readonly client: Endpoint;
  readonly events: ConversationEvent[];
  state: 'new' | 'open' | 'done';
  readonly finSent: Set<TcpDirection>;
  lastUs: number;
}

export class CaptureRecording {
  readonly #o: Readonly<z.output<typeof recordingSchema>>;
  readonly #connections: Connection[] = [];
  #bytes = 0;
  #truncated = false;

  constructor(options: RecordingOptions) {
    this.#o = parseOptions(recordingSchema, options, 'CaptureRecording');
  }

  get connectionCount(): number {
    return this.#connections.length;
  }

  /** Some data was not recorded because `maxBytes` was reached. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /** A new connection; returns its index. Nothing is on the wire until `connected` or `refused`. */
  open(): number {
    const index = this.#connections.length;
    const span = 65536 - this.#o.clientPortBase;
    const client = this.#o.clientEndpoint?.(index) ?? {
      ip: this.#o.clientIp,
      port: this.#o.clientPortBase + (index % span),
    };
    this.#connections.push({ client, events: [], state: 'new', finSent: new Set(), lastUs: 0 });
    return index;
  }

  connected(index: number, timestampUs: number): void {
    this.#event(index, 'new', { type: 'connect', timestampUs }, 'open');
  }

  /** The upstream refused: SYN answered by RST. */
  refused(index: number, timestampUs: number): void {
    this.#event(index, 'new', { type: 'refused', timestampUs }, 'done');
  }

  data(
    index: number,
    direction: TcpDirection,
    bytes: Uint8Array,
    timestampUs: number,
    comment?: string,
  ): void {
    const c = this.#connections[index];
    if (c === undefined || c.state !== 'open' || c.finSent.has(direction) || bytes.length === 0) return;
    if (this.#bytes + bytes.length > this.#o.maxBytes) {
      this.#truncated = true;
      return;
    }
    this.#bytes += bytes.length;
    const data = new Uint8Array(bytes); // a copy: the caller's buffer may be reused
    this.#event(index, 'open', {
      type: 'data',
      direction,
      timestampUs,
      data,
      ...(comment === undefined ? {} : { comment }),
    });
  }

  /** FIN in `direction`. */
  close(index: number, direction: TcpDirection, timestampUs: number): void {
    const c = this.#connections[index];
    if (c === undefined || c.finSent.has(direction)) return;
    const other = direction === 'client-to-server' ? 'server-to-client' : 'client-to-server';
    const done = c.finSent.has(other);
    if (this.#event(index, 'open', { type: 'close', direction, timestampUs }, done ? 'done' : 'open'))
      c.finSent.add(direction);
  }

  /** RST sent in `direction` (by the client for client-to-server). */
  reset(index: number, direction: TcpDirection, timestampUs: number): void {
    this.#event(index, 'open', { type: 'reset', direction, timestampUs }, 'done');
  }

  /** Whether the connection's TCP conversation is over (FIN both ways, RST, refused). */
  isDone(index: number): boolean {
    return this.#connections[index]?.state === 'done';
  }

  conversations(): Conversation[] {
    return this.#connections
      .filter((c) => c.events.length > 0)
      .map((c) => ({ client: c.client, server: this.#o.server, events: [...c.events], mss: this.#o.mss }));
  }

  packets(): PacketToWrite[] {
    return synthesizeConversations(this.conversations());
  }

  toPcap(): Uint8Array {
    return encodePcap(this.packets());
  }

  toPcapng(options: PcapngWriterOptions = {}): Uint8Array {
    return encodePcapng(this.packets(), options);
  }

  /** Record an event if the connection is in `from`; times never go backwards within a connection. */
  #event(index: number, from: Connection['state'], e: ConversationEvent, to?: Connection['state']): boolean {
    const c = this.#connections[index];
    if (c === undefined || c.state !== from) return false;
    c.lastUs = Math.max(c.lastUs, Math.floor(e.timestampUs));
    c.events.push({ ...e, timestampUs: c.lastUs });
    if (to !== undefined) c.state = to;
    return true;
  }
}
