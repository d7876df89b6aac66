import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concat, u16, u8 } from '../bytes.js';
import { ContentType, MAX_PLAINTEXT, TLS12 } from '../codes.js';
import { protocolFailure } from '../failure.js';
import { IV_LENGTH, type TrafficKey } from './key-schedule.js';

export type Tls13Aead = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** Every TLS 1.3 AEAD here has a 16-byte tag (RFC 5116 §5.1, RFC 8439 §2.8). */
export const TAG_LENGTH = 16;
/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
export const MAX_CIPHERTEXT_13 = MAX_PLAINTEXT + 256;
const MAX_SEQ = 0xffff_ffff_ffff_ffffn;

/** What one protected record held: the real content type and the content, padding removed. */
export interface OpenedRecord {
  readonly type: number;
  readonly content: Uint8Array;
}

/**
 * One direction of TLS 1.3 record protection (RFC 8446 §5.2–§5.4) under one traffic key:
 * TLSInnerPlaintext = content ‖ type ‖ zeros, sealed with nonce = iv XOR seq (§5.3) and the
 * record header as additional data; the outer type is always application_data, version 3.3.
 */
export class Tls13Protection {
  readonly #aead: Tls13Aead;
  readonly #key: Uint8Array;
  readonly #iv: Uint8Array;
  #seq: bigint;

  /** @param firstSequence 0 for a fresh key (RFC 8446 §5.3); tests may start further on. */
  constructor(aead: Tls13Aead, key: TrafficKey, firstSequence = 0n) {
    if (key.iv.length !== IV_LENGTH) throw new RangeError('TLS 1.3 IV is 12 bytes');
    this.#aead = aead;
    this.#key = key.key;
    this.#iv = key.iv;
    this.#seq = firstSequence;
  }

  /** A whole record: header ‖ encrypted (content ‖ type ‖ padding zeros) ‖ tag. */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    // RFC 8446 §5.4: content plus padding may not exceed 2^14 once the type byte is added.
    if (content.length + padding > MAX_PLAINTEXT) throw new RangeError('TLSInnerPlaintext over 2^14 + 1');
    const inner = concat(content, u8(type), new Uint8Array(padding));
    const header = concat(u8(ContentType.applicationData), u16(TLS12), u16(inner.length + TAG_LENGTH));
    const c = cipher(this.#aead, this.#key, this.#nonce());
    // RFC 8446 §5.2: additional_data = TLSCiphertext.opaque_type ‖ legacy_record_version ‖ length.
    c.setAAD(header, { plaintextLength: inner.length });
    return concat(header, c.update(inner), c.final(), c.getAuthTag());
  }

  /** Open one record given its 5-byte header (the additional data) and its body. */
  open(header: Uint8Array, body: Uint8Array): OpenedRecord {
    // RFC 8446 §5.2: a record over 2^14 + 256 is record_overflow (the reader refuses it earlier).
    if (body.length > MAX_CIPHERTEXT_13)
      throw protocolFailure('record_overflow', `protected record of ${body.length} bytes`, {
        length: body.length,
      });
    const seq = this.#seq;
    const nonce = this.#nonce();
    let inner: Uint8Array | undefined;
    if (body.length > TAG_LENGTH) {
      try {
        const d = decipher(this.#aead, this.#key, nonce);
        d.setAAD(header, { plaintextLength: body.length - TAG_LENGTH });
        d.setAuthTag(body.subarray(body.length - TAG_LENGTH));
        inner = concat(d.update(body.subarray(0, body.length - TAG_LENGTH)), d.final());
      } catch {
        inner = undefined;
      }
    }
    // RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate the connection with a
    // bad_record_mac alert" (a body shorter than one tag cannot authenticate either).
    if (inner === undefined)
      throw protocolFailure('bad_record_mac', 'a record failed AEAD authentication', {
        sequence: Number(seq),
      });
    // RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 1 octets" for TLSInnerPlaintext.
    if (inner.length > MAX_PLAINTEXT + 1)
      throw protocolFailure('record_overflow', `decrypted record of ${inner.length} bytes`, {
        length: inner.length,
      });
    // RFC 8446 §5.4: the type is the last non-zero octet; none at all is unexpected_message.
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw protocolFailure('unexpected_message', 'a protected record has no content type');
    return { type: inner[end]!, content: inner.subarray(0, end) };
  }

  /** Wipe the key and IV; the object is unusable afterwards. */
  destroy(): void {
    this.#key.fill(0);
    this.#iv.fill(0);
  }

  /** RFC 8446 §5.3: the 64-bit sequence number, left-padded to iv_length, XORed with the IV. */
  #nonce(): Uint8Array {
    // RFC 8446 §5.3: "If a sequence number would need to wrap, ... MUST either rekey or terminate."
    if (this.#seq === MAX_SEQ) throw protocolFailure('internal_error', 'record sequence number exhausted');
    const nonce = Uint8Array.from(this.#iv);
    let s = this.#seq++;
    for (let i = IV_LENGTH - 1; i >= IV_LENGTH - 8; i--) {
      nonce[i]! ^= Number(s & 0xffn);
      s >>= 8n;
    }
    return nonce;
  }
}

// Two calls so that TypeScript picks the AEAD overloads of node:crypto for each family.
function cipher(aead: Tls13Aead, key: Uint8Array, nonce: Uint8Array) {
  const options = { authTagLength: TAG_LENGTH };
  return aead === 'chacha20-poly1305'
    ? createCipheriv(aead, key, nonce, options)
    : createCipheriv(aead, key, nonce, options);
}

function decipher(aead: Tls13Aead, key: Uint8Array, nonce: Uint8Array) {
  const options = { authTagLength: TAG_LENGTH };
  return aead === 'chacha20-poly1305'
    ? createDecipheriv(aead, key, nonce, options)
    : createDecipheriv(aead, key, nonce, options);
}
