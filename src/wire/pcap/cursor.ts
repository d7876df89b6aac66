import { LabError } from '../../core/errors.js';

/** The one way a capture parser fails on bad bytes: what was wrong, and where in the file. */
export function malformed(what: string, offset: number, details: Record<string, unknown> = {}): LabError {
  return new LabError('ERR_PCAP_MALFORMED', `${what} (at byte offset ${offset})`, {
    details: { offset, ...details },
  });
}

/**
 * A bounded reader over a byte array: every read is checked against the bytes that remain, so a
 * length field pointing past the end is an ERR_PCAP_MALFORMED naming the field and its offset,
 * never a RangeError out of DataView. `base` is where `bytes` starts in the whole file, so the
 * offsets in messages are file offsets even for a cursor over one block.
 */
export class ByteCursor {
  readonly #view: DataView;
  #offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    public littleEndian: boolean,
    readonly base = 0,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Offset of the next byte within `bytes`. */
  get offset(): number {
    return this.#offset;
  }

  /** Offset of the next byte within the whole file. */
  get fileOffset(): number {
    return this.base + this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  /** Fail unless `n` more bytes are there to read `what`. */
  need(n: number, what: string): void {
    if (n < 0 || n > this.remaining)
      throw malformed(`${what}: needs ${n} bytes, ${this.remaining} remain`, this.fileOffset, {
        field: what,
      });
  }

  u8(what: string): number {
    this.need(1, what);
    return this.#view.getUint8(this.#offset++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.#view.getUint16(this.#offset, this.littleEndian);
    this.#offset += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.#view.getUint32(this.#offset, this.littleEndian);
    this.#offset += 4;
    return v;
  }

  /** The next `n` bytes, as a view (no copy). */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.#offset += n;
  }
}
