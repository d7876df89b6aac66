/**
 * A bounded cursor over one TLS structure. Every read checks the bytes that remain, and every
 * length-prefixed vector is checked against them before it is sliced (RFC 8446 §3.4: vectors
 * carry their length in a prefix of 1, 2 or 3 bytes). A violation throws `TlsParseError`,
 * which never leaves this folder: the dissector turns it into a `malformed` note.
 */
export class TlsParseError extends Error {
  /** Position in the structure being read where the violation was found. */
  readonly at: number;

  constructor(what: string, at: number) {
    super(what);
    this.name = 'TlsParseError';
    this.at = at;
  }
}

export class TlsReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private take(n: number, what: string): number {
    if (n > this.end - this.pos) {
      throw new TlsParseError(`${what}: needs ${n} bytes, ${this.end - this.pos} remain`, this.pos);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.take(1, what)]!;
  }

  u16(what: string): number {
    const at = this.take(2, what);
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }

  u24(what: string): number {
    const at = this.take(3, what);
    return (this.bytes[at]! << 16) | (this.bytes[at + 1]! << 8) | this.bytes[at + 2]!;
  }

  u32(what: string): number {
    return this.u16(what) * 0x10000 + this.u16(what);
  }

  raw(n: number, what: string): Uint8Array {
    const at = this.take(n, what);
    return this.bytes.subarray(at, at + n);
  }

  /**
   * A vector with a `prefix`-byte length, checked against the remaining bytes and against the
   * floor and ceiling the structure's definition gives (`<min..max>` in the RFC notation).
   */
  vector(prefix: 1 | 2 | 3, what: string, min = 0, max = 2 ** (8 * prefix) - 1): TlsReader {
    const length = prefix === 1 ? this.u8(what) : prefix === 2 ? this.u16(what) : this.u24(what);
    if (length < min || length > max) {
      throw new TlsParseError(`${what}: length ${length} outside <${min}..${max}>`, this.pos - prefix);
    }
    const at = this.take(length, what);
    return new TlsReader(this.bytes, at, at + length);
  }

  /** The bytes of a vector, as `vector` checks them. */
  opaque(prefix: 1 | 2 | 3, what: string, min = 0, max = 2 ** (8 * prefix) - 1): Uint8Array {
    const r = this.vector(prefix, what, min, max);
    return r.raw(r.remaining, what);
  }

  /** A vector of uint16 values (cipher suites, groups, signature schemes). */
  u16List(prefix: 1 | 2, what: string, min = 0, max = 2 ** (8 * prefix) - 1): number[] {
    const r = this.vector(prefix, what, min, max);
    if (r.remaining % 2 !== 0) throw new TlsParseError(`${what}: odd length ${r.remaining}`, r.pos);
    const out: number[] = [];
    while (r.remaining > 0) out.push(r.u16(what));
    return out;
  }

  /** A vector of uint8 values (compression methods, point formats, psk modes). */
  u8List(what: string, min = 0, max = 255): number[] {
    return Array.from(this.opaque(1, what, min, max));
  }

  /** The structure must end here: trailing bytes are a decode_error (RFC 8446 §6.2). */
  done(what: string): void {
    if (this.pos !== this.end) {
      throw new TlsParseError(`${what}: ${this.end - this.pos} unexpected trailing bytes`, this.pos);
    }
  }
}
