/**
 * A capture file straight to its TCP connections, in one pass: each record's headers are read in
 * place in the file's bytes (link layer, IPv4, TCP, with the frame decoder's checks), the segment
 * becomes a row of a SegmentTable whose payload stays in the file, and its connection is found
 * by number. No object per frame: the same connections as readCapture → tcpSegments →
 * reassembleTcp, a fraction of the garbage.
 */
import { isLabError, type LabError } from '../../core/errors.js';
import { endpointAt, locateTcp, newTcpLocation } from '../pcap/frames/decode.js';
import type { CaptureFormat } from '../pcap/packet.js';
import type { PacketSink } from '../pcap/packet.js';
import { scanCapture, steppedScan } from '../pcap/read-capture.js';
import { ConnectionBuilder, sourceIsClient, startsNew, streamAllocator } from './reassemble.js';
import { SegmentTable } from './segment-table.js';
import type { TcpConnection } from './reassemble.js';

export interface CaptureFlows {
  readonly format: CaptureFormat;
  /** Frames in the file. */
  readonly packets: number;
  /** Of those, TCP segments. */
  readonly tcpSegments: number;
  /** Connections in the order their first segment appears, not yet reassembled. */
  readonly connections: readonly ConnectionBuilder[];
  /** Frames that are valid but not IPv4/TCP, and frames that could not be decoded. */
  readonly skipped: { readonly other: number; readonly malformed: number; readonly unsupported: number };
  /** The first frame that could not be decoded. */
  readonly firstError: LabError | undefined;
}

/**
 * Throws what readCapture throws for the file. A frame the decoder refuses is counted (and the
 * first kept), as a caller decoding frame by frame would: one damaged frame does not end the read.
 */
export function scanFlows(bytes: Uint8Array): CaptureFlows {
  const flows = new FlowCollector(bytes);
  const { format } = scanCapture(bytes, flows.sink);
  return flows.result(format);
}

/**
 * scanFlows in steps, for a file still being read into `bytes` (readFileStepwise): `advance`
 * takes in the packets whole in `bytes[0, filled)`, `finish` the rest and gives what scanFlows
 * gives for the whole file (it throws the same errors).
 */
export function steppedFlows(bytes: Uint8Array): { advance(filled: number): void; finish(): CaptureFlows } {
  const flows = new FlowCollector(bytes);
  const scan = steppedScan(bytes, flows.sink);
  return {
    advance: (filled) => scan.advance(filled),
    finish: () => flows.result(scan.finish().format),
  };
}

/** Each packet's segment to its connection, as the scan finds them. */
class FlowCollector {
  readonly #table: SegmentTable;
  readonly #all: ConnectionBuilder[] = [];
  // Keyed by the two endpoints' numbers (IPv4 × 2^16 + port), the smaller first.
  readonly #current = new Map<number, Map<number, ConnectionBuilder>>();
  readonly #skipped = { other: 0, malformed: 0, unsupported: 0 };
  #firstError: LabError | undefined;
  #packets = 0;
  readonly sink: PacketSink;

  constructor(bytes: Uint8Array) {
    const table = new SegmentTable(bytes);
    this.#table = table;
    const all = this.#all;
    const current = this.#current;
    const skipped = this.#skipped;
    const lookup = (low: number, high: number) => current.get(low)?.get(high);
    const last: { low: number; high: number; conn: ConnectionBuilder | undefined } = {
      low: -1,
      high: -1,
      conn: undefined,
    };
    const at = newTcpLocation();
    this.sink = (timestampUs, linkType, dataStart, captured, originalLength) => {
      const index = this.#packets++;
      const end = dataStart + captured;
      try {
        if (!locateTcp(bytes, dataStart, end, linkType, originalLength > captured, dataStart, index, at)) {
          skipped.other++;
          return;
        }
      } catch (err) {
        if (!isLabError(err, 'ERR_PCAP_MALFORMED') && !isLabError(err, 'ERR_PCAP_UNSUPPORTED')) throw err;
        this.#firstError ??= err;
        skipped[err.code === 'ERR_PCAP_MALFORMED' ? 'malformed' : 'unsupported']++;
        return;
      }
      const { ip, tcp } = at;
      const srcPort = (bytes[tcp]! << 8) | bytes[tcp + 1]!;
      const dstPort = (bytes[tcp + 2]! << 8) | bytes[tcp + 3]!;
      const src = u32(bytes, ip + 12) * 0x10000 + srcPort;
      const dst = u32(bytes, ip + 16) * 0x10000 + dstPort;
      const seq = u32(bytes, tcp + 4);
      const flags = bytes[tcp + 13]!;
      const payload = tcp + at.headerLength;
      const row = table.push(timestampUs, seq, flags, payload, at.end - payload);
      const low = src < dst ? src : dst;
      const high = src < dst ? dst : src;
      // Frames of one connection often follow each other: the last one found is tried first.
      let conn = low === last.low && high === last.high ? last.conn : lookup(low, high);
      if (conn !== undefined && startsNew(conn, flags, seq)) conn = undefined;
      if (conn === undefined) {
        const s = endpointAt(bytes, ip + 12, srcPort);
        const d = endpointAt(bytes, ip + 16, dstPort);
        const srcIsClient = sourceIsClient(flags, srcPort, dstPort);
        conn = new ConnectionBuilder(srcIsClient ? s : d, srcIsClient ? d : s, table);
        conn.clientKey = srcIsClient ? src : dst;
        let peers = current.get(low);
        if (peers === undefined) {
          peers = new Map();
          current.set(low, peers);
        }
        peers.set(high, conn);
        all.push(conn);
      }
      last.low = low;
      last.high = high;
      last.conn = conn;
      conn.add(row, src === conn.clientKey, timestampUs, flags);
    };
  }

  result(format: CaptureFormat): CaptureFlows {
    return {
      format,
      packets: this.#packets,
      tcpSegments: this.#table.length,
      connections: this.#all,
      skipped: this.#skipped,
      firstError: this.#firstError,
    };
  }
}

const u32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Every connection reassembled, their streams in one buffer (as reassembleTcp does). */
export function buildAll(flows: CaptureFlows, maxStreamBytes: number): TcpConnection[] {
  const alloc = streamAllocator(flows.connections, maxStreamBytes);
  return flows.connections.map((c) => c.build(maxStreamBytes, alloc));
}
