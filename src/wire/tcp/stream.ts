import { TCP_FLAGS, type TcpDirection } from '../pcap/frames/tcp.js';
import type { TcpSegment } from '../pcap/frames/decode.js';
import { Intervals } from './intervals.js';

export interface TcpGap {
  /** Stream offset of the first missing byte. */
  readonly offset: number;
  readonly length: number;
}

/** One direction of a connection, reassembled. */
export interface TcpStream {
  /**
   * The bytes in sequence order, offset 0 being the first byte after the SYN (or, with no SYN in
   * the capture, the lowest sequence number seen). Missing bytes are zeros here and listed in `gaps`.
   */
  readonly bytes: Uint8Array;
  readonly gaps: readonly TcpGap[];
  /** Sequence number of bytes[0]; undefined when the direction carried nothing. */
  readonly baseSeq: number | undefined;
  readonly synSeen: boolean;
  /** A FIN was seen: the stream ends at `bytes.length` (RFC 793 §3.3, FIN occupies one number). */
  readonly finSeen: boolean;
  readonly resetSeen: boolean;
  /** Bytes past `maxStreamBytes` were dropped. */
  readonly truncated: boolean;
  /** Bytes that arrived again (retransmission, overlap); the first copy was kept. */
  readonly retransmittedBytes: number;
  /** Of those, bytes whose value differed from the first copy: an overlap that rewrites data. */
  readonly conflictingBytes: number;
}

/** A piece of a stream as it arrived: what a dissector needs for record timing and sizes. */
export interface TcpChunk {
  readonly direction: TcpDirection;
  /** Offset in the direction's `bytes`. */
  readonly offset: number;
  readonly length: number;
  readonly timestampUs: number;
  /** Index of the segment in the input (capture order). */
  readonly order: number;
}

interface Arrival {
  readonly segment: TcpSegment;
  readonly order: number;
}

const int32 = (n: number) => n | 0;

/** Collects one direction's segments, then reassembles them (first-seen bytes win). */
export class StreamBuilder {
  readonly #arrivals: Arrival[] = [];
  #synSeq: number | undefined;

  constructor(readonly direction: TcpDirection) {}

  get synSeq(): number | undefined {
    return this.#synSeq;
  }

  add(segment: TcpSegment, order: number): void {
    if (segment.flags & TCP_FLAGS.SYN && this.#synSeq === undefined) this.#synSeq = segment.seq;
    this.#arrivals.push({ segment, order });
  }

  build(maxBytes: number, chunks: TcpChunk[]): TcpStream {
    const base = this.#baseSeq();
    const rel = (seq: number) => (base === undefined ? 0 : int32(seq - base));
    let end = 0;
    let finEnd = 0;
    let finSeen = false;
    let truncated = false;
    let resetSeen = false;
    const spans: { start: number; end: number; arrival: Arrival }[] = [];
    for (const a of this.#arrivals) {
      const s = a.segment;
      if (s.flags & TCP_FLAGS.RST) {
        resetSeen = true;
        continue; // RST data (RFC 1122 §4.2.2.12) is a diagnostic, not stream bytes
      }
      const start = rel(payloadSeq(s));
      const stop = start + s.payload.length;
      if (s.flags & TCP_FLAGS.FIN) {
        finSeen = true;
        if (stop > maxBytes) truncated = true;
        finEnd = Math.max(finEnd, Math.min(stop, maxBytes));
      }
      if (s.payload.length === 0 || stop <= 0) continue;
      if (stop > maxBytes) truncated = true;
      spans.push({ start: Math.max(start, 0), end: Math.min(stop, maxBytes), arrival: a });
      end = Math.max(end, Math.min(stop, maxBytes));
    }
    const length = Math.max(end, finEnd);
    const bytes = new Uint8Array(length);
    const filled = new Intervals();
    let retransmittedBytes = 0;
    let conflictingBytes = 0;
    for (const { start, end: stop, arrival } of spans) {
      if (start >= stop) continue;
      const payload = arrival.segment.payload;
      const payloadStart = rel(payloadSeq(arrival.segment));
      let fresh = 0;
      for (const [from, to] of filled.uncovered(start, stop)) {
        bytes.set(payload.subarray(from - payloadStart, to - payloadStart), from);
        fresh += to - from;
        chunks.push({
          direction: this.direction,
          offset: from,
          length: to - from,
          timestampUs: arrival.segment.timestampUs,
          order: arrival.order,
        });
      }
      const again = stop - start - fresh;
      if (again > 0) {
        retransmittedBytes += again;
        conflictingBytes += countConflicts(bytes, payload, payloadStart, start, stop, filled);
      }
      filled.add(start, stop);
    }
    return {
      bytes,
      gaps: filled.gaps(length),
      baseSeq: base,
      synSeen: this.#synSeq !== undefined,
      finSeen,
      resetSeen,
      truncated,
      retransmittedBytes,
      conflictingBytes,
    };
  }

  /** After the SYN when seen (it takes one sequence number), else the lowest sequence number sent. */
  #baseSeq(): number | undefined {
    if (this.#synSeq !== undefined) return (this.#synSeq + 1) >>> 0;
    const carrying = this.#arrivals.filter((a) => !(a.segment.flags & TCP_FLAGS.RST));
    const first = carrying.find((a) => a.segment.payload.length > 0) ?? carrying[0];
    if (first === undefined) return undefined;
    const ref = first.segment.seq;
    let lowest = 0;
    for (const a of carrying)
      if (a.segment.payload.length > 0) lowest = Math.min(lowest, int32(a.segment.seq - ref));
    return (ref + lowest) >>> 0;
  }
}

/** Sequence number of the first payload byte: a SYN's data starts after the SYN's own number. */
function payloadSeq(s: TcpSegment): number {
  return s.flags & TCP_FLAGS.SYN ? (s.seq + 1) >>> 0 : s.seq;
}

/** Bytes of the already-filled part of [start, stop) that this copy would change. */
function countConflicts(
  bytes: Uint8Array,
  payload: Uint8Array,
  payloadStart: number,
  start: number,
  stop: number,
  filled: Intervals,
): number {
  const holes = filled.uncovered(start, stop);
  let conflicts = 0;
  let h = 0;
  for (let i = start; i < stop; i++) {
    while (h < holes.length && holes[h]![1] <= i) h++;
    const inHole = h < holes.length && holes[h]![0] <= i;
    if (!inHole && bytes[i] !== payload[i - payloadStart]) conflicts++;
  }
  return conflicts;
}
