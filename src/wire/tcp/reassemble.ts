/**
 * TCP stream reassembly over decoded segments: connections by 4-tuple, each direction put back
 * in sequence order — out-of-order segments placed, retransmitted and overlapping bytes kept as
 * first seen (and counted), missing bytes reported as gaps, memory bounded per stream.
 */
import { parseOptions, z } from '../../core/options.js';
import type { TcpSegment } from '../pcap/frames/decode.js';
import { type Endpoint, TCP_FLAGS } from '../pcap/frames/tcp.js';
import { SegmentTable } from './segment-table.js';
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

/** One connection's segments as they are read; `build` reassembles it. */
export class ConnectionBuilder {
  readonly c2s: StreamBuilder;
  readonly s2c: StreamBuilder;
  startUs = Infinity;
  endUs = -Infinity;
  segments = 0;
  ended = false;
  /** The client's IPv4 × 2^16 + port, when the connection comes from a file scan. */
  clientKey = -1;

  constructor(
    readonly client: Endpoint,
    readonly server: Endpoint,
    table: SegmentTable,
  ) {
    this.c2s = new StreamBuilder('client-to-server', table);
    this.s2c = new StreamBuilder('server-to-client', table);
  }

  /** Row `i` of the table, sent by the client or by the server. */
  add(i: number, fromClient: boolean, timestampUs: number, flags: number): void {
    (fromClient ? this.c2s : this.s2c).add(i);
    if (timestampUs < this.startUs) this.startUs = timestampUs;
    if (timestampUs > this.endUs) this.endUs = timestampUs;
    this.segments++;
    if (flags & (TCP_FLAGS.FIN | TCP_FLAGS.RST)) this.ended = true;
  }

  /** Bytes `build` needs for both directions. */
  measure(maxBytes: number): number {
    return this.c2s.measure(maxBytes).length + this.s2c.measure(maxBytes).length;
  }

  build(maxBytes: number, alloc: (length: number) => Uint8Array): TcpConnection {
    const c2s: TcpChunk[] = [];
    const s2c: TcpChunk[] = [];
    const clientToServer = this.c2s.build(maxBytes, c2s, alloc(this.c2s.measure(maxBytes).length));
    const serverToClient = this.s2c.build(maxBytes, s2c, alloc(this.s2c.measure(maxBytes).length));
    const chunks = mergeByOrder(c2s, s2c);
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

/**
 * A SYN with a new initial sequence number on a 4-tuple that closed or already had its SYN is a
 * new connection reusing the ports; a repeated SYN (same number) is a retransmission.
 */
export function startsNew(conn: ConnectionBuilder, flags: number, seq: number): boolean {
  if ((flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) !== TCP_FLAGS.SYN) return false;
  const isn = conn.c2s.synSeq;
  return (isn !== undefined && isn !== seq) || (isn === undefined && conn.ended);
}

/** Who is the client: the SYN's sender, the SYN-ACK's receiver, else the higher (ephemeral) port. */
export function sourceIsClient(flags: number, srcPort: number, dstPort: number): boolean {
  const syn = (flags & TCP_FLAGS.SYN) !== 0;
  const ack = (flags & TCP_FLAGS.ACK) !== 0;
  if (syn) return !ack;
  return srcPort >= dstPort;
}

/**
 * Each direction's chunks are already in (order, offset) order; one merge puts both in capture
 * order. A segment belongs to one direction, so two chunks of equal order are never split.
 */
function mergeByOrder(a: readonly TcpChunk[], b: readonly TcpChunk[]): TcpChunk[] {
  const out: TcpChunk[] = new Array<TcpChunk>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = b[j]!.order < a[i]!.order ? b[j++]! : a[i++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** "ip:port", computed once per endpoint object (the frame decoder shares them). */
const keys = new WeakMap<Endpoint, string>();
function key(e: Endpoint): string {
  let k = keys.get(e);
  if (k === undefined) {
    k = `${e.ip}:${e.port}`;
    keys.set(e, k);
  }
  return k;
}

/** Connections in the order their first segment appears. */
export function reassembleTcp(
  segments: readonly TcpSegment[],
  options: ReassembleOptions = {},
): TcpConnection[] {
  const o = parseOptions(schema, options, 'reassembleTcp');
  const table = new SegmentTable(null);
  const all: ConnectionBuilder[] = [];
  // Keyed by the two endpoints' keys, the smaller first: both directions find the connection.
  const current = new Map<string, Map<string, ConnectionBuilder>>();
  for (let order = 0; order < segments.length; order++) {
    const s = segments[order]!;
    const row = table.pushPayload(s.timestampUs, s.seq, s.flags, s.payload);
    const a = key(s.src);
    const b = key(s.dst);
    const low = a < b ? a : b;
    const high = a < b ? b : a;
    let peers = current.get(low);
    if (peers === undefined) {
      peers = new Map();
      current.set(low, peers);
    }
    let conn = peers.get(high);
    if (conn !== undefined && startsNew(conn, s.flags, s.seq)) conn = undefined;
    if (conn === undefined) {
      const srcIsClient = sourceIsClient(s.flags, s.src.port, s.dst.port);
      conn = new ConnectionBuilder(srcIsClient ? s.src : s.dst, srcIsClient ? s.dst : s.src, table);
      peers.set(high, conn);
      all.push(conn);
    }
    const fromClient = s.src.ip === conn.client.ip && s.src.port === conn.client.port;
    conn.add(row, fromClient, s.timestampUs, s.flags);
  }
  const alloc = streamAllocator(all, o.maxStreamBytes);
  return all.map((c) => c.build(o.maxStreamBytes, alloc));
}

/** Past this, each stream gets an array of its own (and a damaged capture fails stream by stream). */
const POOL_MAX = 1024 * 1024 * 1024;

/**
 * One ArrayBuffer for every stream of the capture, each stream a view of its part. V8 runs a
 * full collection each time array-buffer memory has grown by 64 MiB since the last one: one
 * allocation for 200 MB of streams is one such collection, where a stream at a time made three
 * or more. The streams of one result share the buffer: keeping one connection keeps them all.
 */
export function streamAllocator(
  all: readonly ConnectionBuilder[],
  maxBytes: number,
): (length: number) => Uint8Array {
  let total = 0;
  for (const c of all) total += c.measure(maxBytes);
  if (total > POOL_MAX) return (length) => new Uint8Array(length);
  const pool = new ArrayBuffer(total);
  let at = 0;
  return (length) => {
    const view = new Uint8Array(pool, at, length);
    at += length;
    return view;
  };
}
