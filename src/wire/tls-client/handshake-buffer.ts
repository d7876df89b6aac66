import { concat } from './bytes.js';
import { MAX_HANDSHAKE_MESSAGE } from './codes.js';
import { protocolFailure } from './failure.js';

/** One handshake message: its type, its body, and the exact bytes the transcript hashes. */
export interface HandshakeMessage {
  readonly type: number;
  readonly body: Uint8Array;
  /** msg_type ‖ length ‖ body, as RFC 5246 §7.4.9 hashes it. */
  readonly raw: Uint8Array;
}

/**
 * Reassembles handshake messages across records and splits several per record (RFC 5246
 * §6.2.1: "multiple client messages of the same ContentType MAY be coalesced into a single
 * TLSPlaintext record, or a single message MAY be fragmented across several records").
 */
export class HandshakeBuffer {
  #buf: Uint8Array = new Uint8Array(0);

  /** Bytes of an incomplete message waiting for the rest. */
  get pending(): number {
    return this.#buf.length;
  }

  push(fragment: Uint8Array): void {
    this.#buf = this.#buf.length === 0 ? fragment : concat(this.#buf, fragment);
    this.#checkHeader();
  }

  next(): HandshakeMessage | undefined {
    if (this.#buf.length < 4) return undefined;
    const length = this.#checkHeader();
    if (this.#buf.length < 4 + length) return undefined;
    const raw = this.#buf.slice(0, 4 + length);
    this.#buf = this.#buf.subarray(4 + length);
    return { type: raw[0]!, body: raw.subarray(4), raw };
  }

  /** The announced length, refused before the body is buffered if it is over our bound. */
  #checkHeader(): number {
    if (this.#buf.length < 4) return 0;
    const length = (this.#buf[1]! << 16) | (this.#buf[2]! << 8) | this.#buf[3]!;
    // Our bound (no RFC gives one): refuse before buffering, as OpenSSL does (illegal_parameter).
    if (length > MAX_HANDSHAKE_MESSAGE)
      throw protocolFailure(
        'illegal_parameter',
        `handshake message of ${length} bytes exceeds ${MAX_HANDSHAKE_MESSAGE}`,
        {
          handshakeType: this.#buf[0],
          length,
        },
      );
    return length;
  }
}
