import { TCP_FLAGS, type TcpDirection } from '../pcap/frames/tcp.js';
import { Intervals } from './intervals.js';
import type { SegmentTable } from './segment-table.js';

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

/** Collects one direction's segments (rows of a SegmentTable), then reassembles them (first-seen bytes win). */
export class StreamBuilder {
  /** The segments in arrival order: a list linked through `table.next`. */
  #head = -1;
  #tail = -1;
  #synSeq: number | undefined;
  /** The last `measure`, for the limit it was made with (segments are all added by then). */
  #extent: (StreamExtent & { readonly maxBytes: number }) | undefined;

  constructor(
    readonly direction: TcpDirection,
    readonly table: SegmentTable,
  ) {}

  get synSeq(): number | undefined {
    return this.#synSeq;
  }

  /** Row `i` of the table, the next segment of this direction. */
  add(i: number): void {
    const t = this.table;
    this.#extent = undefined;
    if (t.flags[i]! & TCP_FLAGS.SYN && this.#synSeq === undefined) this.#synSeq = t.seq[i]!;
    if (this.#tail < 0) this.#head = i;
    else t.next[this.#tail] = i;
    this.#tail = i;
  }

  /** What `build` will find: the stream's length, and what its flags and limit say. */
  measure(maxBytes: number): StreamExtent {
    if (this.#extent?.maxBytes !== maxBytes) this.#extent = { maxBytes, ...this.#measure(maxBytes) };
    return this.#extent;
  }

  #measure(maxBytes: number): StreamExtent {
    const { flags, payloadLength, next } = this.table;
    const base = this.#baseSeq();
    let end = 0;
    let finEnd = 0;
    let finSeen = false;
    let truncated = false;
    let resetSeen = false;
    for (let i = this.#head; i >= 0; i = next[i]!) {
      const f = flags[i]!;
      if (f & TCP_FLAGS.RST) {
        resetSeen = true;
        continue; // RST data (RFC 1122 §4.2.2.12) is a diagnostic, not stream bytes
      }
      const size = payloadLength[i]!;
      const stop = relative(this.#payloadSeq(i), base) + size;
      if (f & TCP_FLAGS.FIN) {
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
   * The stream, its new bytes appended to `chunks`. `into` is where the bytes go, of
   * `measure(maxBytes).length` bytes (a fresh array when absent): every byte of it is written,
   * those never sent as zeros, so a reused buffer needs no clearing first.
   */
  build(maxBytes: number, chunks: TcpChunk[], into?: Uint8Array): TcpStream {
    const { base, length, finSeen, truncated, resetSeen } = this.measure(maxBytes);
    const t = this.table;
    const { flags, payloadLength, payloadStart, timestampUs, next } = t;
    const bytes = into ?? new Uint8Array(length);
    const filled = new Intervals();
    let retransmittedBytes = 0;
    let conflictingBytes = 0;
    for (let i = this.#head; i >= 0; i = next[i]!) {
      if (flags[i]! & TCP_FLAGS.RST) continue;
      const size = payloadLength[i]!;
      if (size === 0) continue;
      const source = t.bytesOf(i);
      const from0 = payloadStart[i]!;
      const payloadStart0 = relative(this.#payloadSeq(i), base);
      const start = Math.max(payloadStart0, 0);
      const stop = Math.min(payloadStart0 + size, maxBytes);
      if (start >= stop) continue;
      // source[from0 + k] is the byte at stream offset payloadStart0 + k.
      const at = from0 - payloadStart0;
      if (start >= filled.end) {
        // Past everything filled so far (in-order data, the usual case): all of it is new.
        copy(bytes, start, source, at + start, stop - start);
        chunks.push(chunkOf(this.direction, start, stop, timestampUs[i]!, i));
        filled.add(start, stop);
        continue;
      }
      let fresh = 0;
      for (const [from, to] of filled.uncovered(start, stop)) {
        copy(bytes, from, source, at + from, to - from);
        fresh += to - from;
        chunks.push(chunkOf(this.direction, from, to, timestampUs[i]!, i));
      }
      const again = stop - start - fresh;
      if (again > 0) {
        retransmittedBytes += again;
        conflictingBytes += countConflicts(bytes, source, at, start, stop, filled);
      }
      filled.add(start, stop);
    }
    const gaps = filled.gaps(length);
    if (into) for (const g of gaps) bytes.fill(0, g.offset, g.offset + g.length);
    return {
      bytes,
      gaps,
      baseSeq: base,
      synSeen: this.#synSeq !== undefined,
      finSeen,
      resetSeen,
      truncated,
      retransmittedBytes,
      conflictingBytes,
    };
  }

  /** Sequence number of row `i`'s first payload byte: a SYN's data starts after the SYN's own number. */
  #payloadSeq(i: number): number {
    const seq = this.table.seq[i]!;
    return this.table.flags[i]! & TCP_FLAGS.SYN ? (seq + 1) >>> 0 : seq;
  }

  /** After the SYN when seen (it takes one sequence number), else the lowest sequence number sent. */
  #baseSeq(): number | undefined {
    if (this.#synSeq !== undefined) return (this.#synSeq + 1) >>> 0;
    const { flags, payloadLength, seq, next } = this.table;
    let first = -1;
    let firstCarrying = -1;
    for (let i = this.#head; i >= 0; i = next[i]!) {
      if (flags[i]! & TCP_FLAGS.RST) continue;
      if (firstCarrying < 0) firstCarrying = i;
      if (payloadLength[i]! > 0) {
        first = i;
        break;
      }
    }
    if (first < 0) first = firstCarrying;
    if (first < 0) return undefined;
    const ref = seq[first]!;
    let lowest = 0;
    for (let i = this.#head; i >= 0; i = next[i]!)
      if (!(flags[i]! & TCP_FLAGS.RST) && payloadLength[i]! > 0)
        lowest = Math.min(lowest, int32(seq[i]! - ref));
    return (ref + lowest) >>> 0;
  }
}

/** Below this many bytes a loop copies faster than the native copy. */
const SMALL_COPY = 64;
// Buffer's copy takes offsets: no view is made (and collected) per segment, as `set` would need.
const copyBytes = Buffer.prototype.copy;

function copy(to: Uint8Array, at: number, from: Uint8Array, start: number, length: number): void {
  if (length > SMALL_COPY) copyBytes.call(from, to, at, start, start + length);
  else for (let i = 0; i < length; i++) to[at + i] = from[start + i]!;
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

/** Bytes of the already-filled part of [start, stop) that this copy (stream offset k at source[at + k]) would change. */
function countConflicts(
  bytes: Uint8Array,
  source: Uint8Array,
  at: number,
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
    if (!inHole && bytes[i] !== source[at + i]) conflicts++;
  }
  return conflicts;
}
