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

const int32 = (n: number) => n | 0;

export interface StreamExtent {
  /** Sequence number of offset 0. */
  readonly base: number | undefined;
  readonly length: number;
  readonly finSeen: boolean;
  readonly truncated: boolean;
  readonly resetSeen: boolean;
}

/** Collects one direction's segments, then reassembles them (first-seen bytes win). */
export class StreamBuilder {
  /** The segments in arrival order, and each one's index in the capture's segment list. */
  readonly #segments: TcpSegment[] = [];
  readonly #orders: number[] = [];
  #synSeq: number | undefined;
  /** The last `measure`, for the limit it was made with (segments are all added by then). */
  #extent: (StreamExtent & { readonly maxBytes: number }) | undefined;

  constructor(readonly direction: TcpDirection) {}

  get synSeq(): number | undefined {
    return this.#synSeq;
  }

  add(segment: TcpSegment, order: number): void {
    this.#extent = undefined;
    if (segment.flags & TCP_FLAGS.SYN && this.#synSeq === undefined) this.#synSeq = segment.seq;
    this.#segments.push(segment);
    this.#orders.push(order);
  }

  /** What `build` will find: the stream's length, and what its flags and limit say. */
  measure(maxBytes: number): StreamExtent {
    if (this.#extent?.maxBytes !== maxBytes) this.#extent = { maxBytes, ...this.#measure(maxBytes) };
    return this.#extent;
  }

  #measure(maxBytes: number): StreamExtent {
    const base = this.#baseSeq();
    let end = 0;
    let finEnd = 0;
    let finSeen = false;
    let truncated = false;
    let resetSeen = false;
    for (const s of this.#segments) {
      if (s.flags & TCP_FLAGS.RST) {
        resetSeen = true;
        continue; // RST data (RFC 1122 §4.2.2.12) is a diagnostic, not stream bytes
      }
      const size = s.payload.length;
      const stop = relative(payloadSeq(s), base) + size;
      if (s.flags & TCP_FLAGS.FIN) {
        finSeen = true;
        if (stop > maxBytes) truncated = true;
        finEnd = Math.max(finEnd, Math.min(stop, maxBytes));
      }
      if (size === 0 || stop <= 0) continue;
      if (stop > maxBytes) truncated = true;
      end = Math.max(end, Math.min(stop, maxBytes));
    }
    return { base, length: Math.max(end, finEnd), finSeen, truncated, resetSeen };
  }

  /**
   * The stream, its new bytes appended to `chunks`. `into` is where the bytes go: zeros of
   * `measure(maxBytes).length` (a fresh array when absent).
   */
  build(maxBytes: number, chunks: TcpChunk[], into?: Uint8Array): TcpStream {
    const { base, length, finSeen, truncated, resetSeen } = this.measure(maxBytes);
    const segments = this.#segments;
    const bytes = into ?? new Uint8Array(length);
    const filled = new Intervals();
    let retransmittedBytes = 0;
    let conflictingBytes = 0;
    for (let k = 0; k < segments.length; k++) {
      const segment = segments[k]!;
      if (segment.flags & TCP_FLAGS.RST) continue;
      const payload = segment.payload;
      if (payload.length === 0) continue;
      const payloadStart = relative(payloadSeq(segment), base);
      const start = Math.max(payloadStart, 0);
      const stop = Math.min(payloadStart + payload.length, maxBytes);
      if (start >= stop) continue;
      const order = this.#orders[k]!;
      if (start >= filled.end) {
        // Past everything filled so far (in-order data, the usual case): all of it is new.
        bytes.set(
          start === payloadStart && stop - start === payload.length
            ? payload
            : payload.subarray(start - payloadStart, stop - payloadStart),
          start,
        );
        chunks.push(chunkOf(this.direction, start, stop, segment.timestampUs, order));
        filled.add(start, stop);
        continue;
      }
      let fresh = 0;
      for (const [from, to] of filled.uncovered(start, stop)) {
        bytes.set(payload.subarray(from - payloadStart, to - payloadStart), from);
        fresh += to - from;
        chunks.push(chunkOf(this.direction, from, to, segment.timestampUs, order));
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
    const carrying = this.#segments.filter((s) => !(s.flags & TCP_FLAGS.RST));
    const first = carrying.find((s) => s.payload.length > 0) ?? carrying[0];
    if (first === undefined) return undefined;
    const ref = first.seq;
    let lowest = 0;
    for (const s of carrying) if (s.payload.length > 0) lowest = Math.min(lowest, int32(s.seq - ref));
    return (ref + lowest) >>> 0;
  }
}

function chunkOf(
  direction: TcpDirection,
  from: number,
  to: number,
  timestampUs: number,
  order: number,
): TcpChunk {
  return { direction, offset: from, length: to - from, timestampUs, order };
}

/** Offset of `seq` from the stream's first sequence number, modulo 2^32 (RFC 793 §3.3). */
function relative(seq: number, base: number | undefined): number {
  return base === undefined ? 0 : int32(seq - base);
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
