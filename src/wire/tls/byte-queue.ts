/**
 * A FIFO of byte chunks that joins them only when a whole unit (record, handshake message) is
 * taken, so a unit arriving in many small pieces is copied once, and one within a single piece
 * not at all. Each chunk carries a tag (its capture time, or its offset in the stream) so a unit
 * can say where its first byte came from.
 */
interface Piece {
  bytes: Uint8Array;
  readonly tag: number;
  /** Bytes of this piece already taken. */
  skip: number;
}

export class ByteQueue {
  private pieces: Piece[] = [];
  /** Index of the first live piece (shifting an array per piece would be quadratic). */
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(bytes: Uint8Array, tag: number): void {
    if (bytes.length === 0) return;
    this.pieces.push({ bytes, tag, skip: 0 });
    this.size += bytes.length;
  }

  /** The tag of the piece holding the first byte, and how far into that piece the byte is. */
  front(): { tag: number; skip: number } | undefined {
    const p = this.pieces[this.head];
    return p ? { tag: p.tag, skip: p.skip } : undefined;
  }

  /** The byte at position i (i < length); walks at most the pieces before it. */
  byteAt(i: number): number {
    const first = this.pieces[this.head];
    if (first !== undefined && i < first.bytes.length) return first.bytes[i]!;
    for (let k = this.head; k < this.pieces.length; k++) {
      const p = this.pieces[k]!;
      if (i < p.bytes.length) return p.bytes[i]!;
      i -= p.bytes.length;
    }
    return 0;
  }

  /**
   * Remove and return the first n bytes (n ≤ length): a view when they are all in the first
   * piece or in pieces that lie end to end in one buffer, else a copy joining the pieces.
   */
  take(n: number): Uint8Array {
    const first = this.pieces[this.head];
    if (first !== undefined && n <= first.bytes.length) {
      const b = first.bytes;
      const out = new Uint8Array(b.buffer, b.byteOffset, n);
      if (n === b.length) this.head++;
      else {
        first.bytes = b.subarray(n);
        first.skip += n;
      }
      this.#compact();
      this.size -= n;
      return out;
    }
    const joined = this.#adjacent(n);
    if (joined !== undefined) return joined;
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const p = this.pieces[this.head]!;
      const part = p.bytes.subarray(0, n - at);
      out.set(part, at);
      at += part.length;
      if (part.length === p.bytes.length) {
        this.head++;
      } else {
        p.bytes = p.bytes.subarray(part.length);
        p.skip += part.length;
      }
    }
    this.#compact();
    this.size -= n;
    return out;
  }

  /**
   * The first n bytes as one view when the pieces holding them lie end to end in one buffer (the
   * pieces of a reassembled stream do): nothing to copy. Undefined when they do not.
   */
  #adjacent(n: number): Uint8Array | undefined {
    const first = this.pieces[this.head]!.bytes;
    let end = first.byteOffset + first.length;
    let k = this.head + 1;
    for (let have = first.length; have < n; k++) {
      const b = this.pieces[k]!.bytes;
      if (b.buffer !== first.buffer || b.byteOffset !== end) return undefined;
      end += b.length;
      have += b.length;
    }
    const out = new Uint8Array(first.buffer, first.byteOffset, n);
    // Consume what the view covers: whole pieces, then the start of the last one.
    let left = n;
    while (left > 0) {
      const p = this.pieces[this.head]!;
      if (left >= p.bytes.length) {
        left -= p.bytes.length;
        this.head++;
      } else {
        p.bytes = p.bytes.subarray(left);
        p.skip += left;
        left = 0;
      }
    }
    this.#compact();
    this.size -= n;
    return out;
  }

  #compact(): void {
    if (this.head === this.pieces.length) {
      this.pieces = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.pieces = this.pieces.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.pieces = [];
    this.head = 0;
    this.size = 0;
  }
}
