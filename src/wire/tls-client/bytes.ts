import { protocolFailure } from './failure.js';

/**
 * A bounded cursor over one received message. Every read checks the bytes are there and every
 * vector its RFC 5246 §4.3 bounds <floor..ceiling>; a short or oversized field is decode_error
 * (RFC 5246 §7.2.2: "a message could not be decoded because some field was out of the
 * specified range or the length of the message was incorrect").
 */
export class ByteReader {
  #pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.#pos;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  u16(): number {
    const b = this.take(2);
    return (b[0]! << 8) | b[1]!;
  }

  u24(): number {
    const b = this.take(3);
    return (b[0]! << 16) | (b[1]! << 8) | b[2]!;
  }

  take(n: number): Uint8Array {
    if (n > this.remaining) this.fail(`truncated: ${n} byte(s) needed, ${this.remaining} left`);
    const out = this.bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** A vector with a 1-, 2- or 3-byte length prefix, its length checked against <min..max>. */
  vector(prefix: 1 | 2 | 3, min: number, max: number, field: string): Uint8Array {
    const at = this.#pos;
    const n = prefix === 1 ? this.u8() : prefix === 2 ? this.u16() : this.u24();
    if (n < min || n > max) this.fail(`${field} length ${n} outside <${min}..${max}>`, at);
    return this.take(n);
  }

  /** The message must end here: trailing bytes are a decoding error too. */
  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing byte(s)`);
  }

  fail(why: string, offset = this.#pos): never {
    throw protocolFailure('decode_error', `${this.what}: ${why} at offset ${offset}`, {
      message: this.what,
      offset,
    });
  }
}

export function u8(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff);
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

export function u24(n: number): Uint8Array {
  return Uint8Array.of((n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A vector with its length prefix; the caller's bounds are a programming contract here. */
export function vector(prefix: 1 | 2 | 3, body: Uint8Array): Uint8Array {
  const max = prefix === 1 ? 0xff : prefix === 2 ? 0xffff : 0xffffff;
  if (body.length > max)
    throw new RangeError(`vector of ${body.length} bytes exceeds its ${prefix}-byte length`);
  const len = prefix === 1 ? u8(body.length) : prefix === 2 ? u16(body.length) : u24(body.length);
  return concat(len, body);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
