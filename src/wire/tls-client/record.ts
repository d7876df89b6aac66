import { concat, u16, u8 } from './bytes.js';
import { ContentType, MAX_CIPHERTEXT, MAX_PLAINTEXT } from './codes.js';
import { protocolFailure } from './failure.js';

/** One TLSPlaintext or TLSCiphertext as framed on the wire (RFC 5246 §6.2.1). */
export interface TlsRecord {
  readonly type: number;
  readonly version: number;
  readonly fragment: Uint8Array;
}

const HEADER = 5;
const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(ContentType));

/** Frame one record. The caller keeps fragments within 2^14 plaintext (+ AEAD overhead). */
export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  if (fragment.length > MAX_CIPHERTEXT) throw new RangeError(`record fragment of ${fragment.length} bytes`);
  return concat(u8(type), u16(version), u16(fragment.length), fragment);
}

/**
 * Incremental record framing: feed transport bytes, take whole records. The header is judged
 * as soon as its 5 bytes are in — type, version, length — so an oversized record is refused
 * before its body is buffered.
 */
export class RecordReader {
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #offset = 0; // transport offset of #buf[#start], for error details

  get buffered(): number {
    return this.#buf.length - this.#start;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const rest = this.#buf.subarray(this.#start);
    this.#buf = concat(rest, bytes);
    this.#start = 0;
  }

  /**
   * The next complete record, or undefined until more bytes arrive.
   * `maxLength`: 2^14 while records are plaintext, 2^14 + 2048 once they are protected.
   */
  next(maxLength: number): TlsRecord | undefined {
    if (this.buffered < HEADER) return undefined;
    const h = this.#buf.subarray(this.#start, this.#start + HEADER);
    const type = h[0]!;
    const version = (h[1]! << 8) | h[2]!;
    const length = (h[3]! << 8) | h[4]!;
    const at = { offset: this.#offset, recordType: type };
    // RFC 5246 §6: an unknown record type MUST be answered with unexpected_message.
    if (!KNOWN_TYPES.has(type))
      throw protocolFailure('unexpected_message', `unknown record type ${type}`, at);
    // RFC 5246 Appendix E.1: every TLS version's records carry major version 3.
    if (h[1] !== 3)
      throw protocolFailure('protocol_version', `record version 0x${version.toString(16)} is not TLS`, at);
    // RFC 5246 §6.2.1 / §6.2.3: length over 2^14 (plaintext) or 2^14 + 2048 (protected) is record_overflow.
    if (length > maxLength)
      throw protocolFailure('record_overflow', `record of ${length} bytes exceeds ${maxLength}`, {
        ...at,
        length,
      });
    if (this.buffered < HEADER + length) return undefined;
    const body = this.#buf.slice(this.#start + HEADER, this.#start + HEADER + length);
    this.#start += HEADER + length;
    this.#offset += HEADER + length;
    if (this.#start === this.#buf.length) {
      this.#buf = new Uint8Array(0);
      this.#start = 0;
    }
    return { type, version, fragment: body };
  }
}

export { MAX_CIPHERTEXT, MAX_PLAINTEXT };
