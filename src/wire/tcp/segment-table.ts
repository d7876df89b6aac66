/**
 * The TCP segments of a capture as columns of typed arrays, one row per segment in capture
 * order: what reassembly needs (time, sequence number, flags, where the payload is), with no
 * object per segment. A 200 MB capture is ~600,000 segments: as objects they outlive every young
 * collection and make the garbage collector the largest cost of reading the file.
 */
export class SegmentTable {
  length = 0;
  timestampUs = new Float64Array(INITIAL);
  seq = new Uint32Array(INITIAL);
  flags = new Uint8Array(INITIAL);
  /** Offset of the payload in `source`, or 0 for a payload of its own (`payloads`). */
  payloadStart = new Float64Array(INITIAL);
  payloadLength = new Uint32Array(INITIAL);
  /** The next segment of the same connection and direction, -1 for the last. */
  next = new Int32Array(INITIAL);

  /**
   * Payloads are `source[payloadStart, payloadStart + payloadLength)` (segments read in place
   * from a capture file), or one array per segment when `source` is null.
   */
  constructor(
    readonly source: Uint8Array | null,
    readonly payloads: Uint8Array[] = [],
  ) {}

  /** A new row; returns its index. */
  push(timestampUs: number, seq: number, flags: number, payloadStart: number, payloadLength: number): number {
    const i = this.length;
    if (i === this.seq.length) this.#grow();
    this.timestampUs[i] = timestampUs;
    this.seq[i] = seq;
    this.flags[i] = flags;
    this.payloadStart[i] = payloadStart;
    this.payloadLength[i] = payloadLength;
    this.next[i] = -1;
    this.length = i + 1;
    return i;
  }

  /** A row whose payload is an array of its own (a decoded segment object). */
  pushPayload(timestampUs: number, seq: number, flags: number, payload: Uint8Array): number {
    const i = this.push(timestampUs, seq, flags, 0, payload.length);
    this.payloads[i] = payload;
    return i;
  }

  /** The array holding segment `i`'s payload, at `payloadStart[i]`. */
  bytesOf(i: number): Uint8Array {
    return this.source ?? this.payloads[i]!;
  }

  #grow(): void {
    const n = this.seq.length * 2;
    const grow = <T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(
      a: T,
      make: new (n: number) => T,
    ): T => {
      const b = new make(n);
      b.set(a);
      return b;
    };
    this.timestampUs = grow(this.timestampUs, Float64Array);
    this.seq = grow(this.seq, Uint32Array);
    this.flags = grow(this.flags, Uint8Array);
    this.payloadStart = grow(this.payloadStart, Float64Array);
    this.payloadLength = grow(this.payloadLength, Uint32Array);
    this.next = grow(this.next, Int32Array);
  }
}

const INITIAL = 1024;
