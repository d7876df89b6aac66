/**
 * TCP stream reassembly over decoded segments: connections by 4-tuple, each direction put back
 * in sequence order — out-of-order segments placed, retransmitted and overlapping bytes kept as
 * first seen (and counted), missing bytes reported as gaps, memory bounded per stream.
 */
import { parseOptions, z } from '../../core/options.js';
import type { TcpSegment } from '../pcap/frames/decode.js';
import { type Endpoint, TCP_FLAGS } from '../pcap/frames/tcp.js';
import { StreamBuilder, type TcpChunk, type TcpStream } from './stream.js';

export const DEFAULT_MAX_STREAM_BYTES = 64 * 1024 * 1024;

const schema = z.strictObject({
  /** Per direction; bytes past it are dropped and the stream is marked truncated. */
  maxStreamBytes: z.number().int().min(0).max(0x7fffffff).default(DEFAULT_MAX_STREAM_BYTES),
});
export type ReassembleOptions = z.input<typeof schema>;

export interface TcpConnection {
  /** The side that sent the SYN; without a SYN in the capture, the side with the higher port. */
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly startUs: number;
  readonly endUs: number;
  /** The client's SYN was captured. */
  readonly handshake: boolean;
  readonly segments: number;
  readonly clientToServer: TcpStream;
  readonly serverToClient: TcpStream;
  /** New bytes of both directions in arrival order. */
  readonly chunks: readonly TcpChunk[];
}

class ConnectionBuilder {
  readonly c2s = new StreamBuilder('client-to-server');
  readonly s2c = new StreamBuilder('server-to-client');
  startUs = Infinity;
  endUs = -Infinity;
  segments = 0;
  ended = false;

  constructor(
    readonly client: Endpoint,
    readonly server: Endpoint,
  ) {}

  add(s: TcpSegment, order: number): void {
    const fromClient = s.src.ip === this.client.ip && s.src.port === this.client.port;
    (fromClient ? this.c2s : this.s2c).add(s, order);
    this.startUs = Math.min(this.startUs, s.timestampUs);
    this.endUs = Math.max(this.endUs, s.timestampUs);
    this.segments++;
    if (s.flags & (TCP_FLAGS.FIN | TCP_FLAGS.RST)) this.ended = true;
  }

  build(maxBytes: number): TcpConnection {
    const chunks: TcpChunk[] = [];
    const clientToServer = this.c2s.build(maxBytes, chunks);
    const serverToClient = this.s2c.build(maxBytes, chunks);
    chunks.sort((a, b) => a.order - b.order || a.offset - b.offset);
    return {
      client: this.client,
      server: this.server,
      startUs: this.startUs,
      endUs: this.endUs,
      handshake: clientToServer.synSeen,
      segments: this.segments,
      clientToServer,
      serverToClient,
      chunks,
    };
  }
}

const key = (e: Endpoint) => `${e.ip}:${e.port}`;
const pairKey = (a: Endpoint, b: Endpoint) => {
  const [x, y] = [key(a), key(b)].sort();
  return `${x}|${y}`;
};

/** Connections in the order their first segment appears. */
export function reassembleTcp(
  segments: readonly TcpSegment[],
  options: ReassembleOptions = {},
): TcpConnection[] {
  const o = parseOptions(schema, options, 'reassembleTcp');
  const all: ConnectionBuilder[] = [];
  const current = new Map<string, ConnectionBuilder>();
  segments.forEach((s, order) => {
    const k = pairKey(s.src, s.dst);
    const pureSyn = (s.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN;
    let conn = current.get(k);
    // A SYN with a new initial sequence number on a 4-tuple that closed or already had its SYN
    // is a new connection reusing the ports; a repeated SYN (same number) is a retransmission.
    if (conn !== undefined && pureSyn) {
      const isn = conn.c2s.synSeq;
      if ((isn !== undefined && isn !== s.seq) || (isn === undefined && conn.ended)) conn = undefined;
    }
    if (conn === undefined) {
      const [client, server] = roles(s);
      conn = new ConnectionBuilder(client, server);
      current.set(k, conn);
      all.push(conn);
    }
    conn.add(s, order);
  });
  return all.map((c) => c.build(o.maxStreamBytes));
}

/** Who is the client: the SYN's sender, the SYN-ACK's receiver, else the higher (ephemeral) port. */
function roles(s: TcpSegment): [Endpoint, Endpoint] {
  const syn = (s.flags & TCP_FLAGS.SYN) !== 0;
  const ack = (s.flags & TCP_FLAGS.ACK) !== 0;
  if (syn && !ack) return [s.src, s.dst];
  if (syn && ack) return [s.dst, s.src];
  return s.src.port >= s.dst.port ? [s.src, s.dst] : [s.dst, s.src];
}
