import { type AeadCipher, RecordProtection } from './aead.js';
import { concat } from './bytes.js';
import { ContentType, MAX_CIPHERTEXT, MAX_PLAINTEXT, TLS12 } from './codes.js';
import { protocolFailure } from './failure.js';
import type { TrafficKeys } from './prf.js';
import { encodeRecord, RecordReader } from './record.js';

/** Our bound against floods of records that carry nothing (OpenSSL's is 32 too). */
const MAX_EMPTY_RECORDS = 32;

/** One record as the layer above sees it: type and plaintext. */
export interface InboundRecord {
  readonly type: number;
  readonly plaintext: Uint8Array;
}

/**
 * The record layer of RFC 5246 §6: framing both ways, the current and pending protection
 * states, and the per-record rules (version, length, emptiness) that do not depend on the
 * handshake.
 */
export class RecordLayer {
  readonly #reader = new RecordReader();
  #read: RecordProtection | undefined;
  #write: RecordProtection | undefined;
  #pendingRead: RecordProtection | undefined;
  #emptyRecords = 0;

  get writeProtected(): boolean {
    return this.#write !== undefined;
  }

  push(bytes: Uint8Array): void {
    this.#reader.push(bytes);
  }

  /** The next whole record, decrypted and checked; undefined until more bytes arrive. */
  next(versionKnown: boolean): InboundRecord | undefined {
    const record = this.#reader.next(this.#read ? MAX_CIPHERTEXT : MAX_PLAINTEXT);
    if (!record) return undefined;
    // RFC 5246 Appendix E.1: the ServerHello record may carry any 3.x; after it, the version is
    // the negotiated one.
    if (versionKnown && record.version !== TLS12)
      throw protocolFailure(
        'protocol_version',
        `record version 0x${record.version.toString(16)} after TLS 1.2`,
        {
          version: record.version,
        },
      );
    const plaintext = this.#read
      ? this.#read.open(record.type, record.version, record.fragment)
      : record.fragment;
    // RFC 5246 §6.2.3: a decrypted fragment over 2^14 is record_overflow.
    if (plaintext.length > MAX_PLAINTEXT)
      throw protocolFailure('record_overflow', `decrypted record of ${plaintext.length} bytes`, {
        length: plaintext.length,
      });
    if (plaintext.length === 0) {
      // RFC 5246 §6.2.1: zero-length Handshake, Alert and ChangeCipherSpec fragments MUST NOT be
      // sent; empty application data may be, but a flood of them is a denial of service.
      if (record.type !== ContentType.applicationData || ++this.#emptyRecords > MAX_EMPTY_RECORDS)
        throw protocolFailure('unexpected_message', `empty record of type ${record.type}`, {
          recordType: record.type,
        });
    } else this.#emptyRecords = 0;
    return { type: record.type, plaintext };
  }

  /** Our keys are derived: write protection starts now (after our CCS), read protection is pending. */
  installKeys(cipher: AeadCipher, keys: TrafficKeys): void {
    this.#write = new RecordProtection(cipher, keys.clientKey, keys.clientSalt);
    this.#pendingRead = new RecordProtection(cipher, keys.serverKey, keys.serverSalt);
  }

  /** RFC 5246 §6.1: on the server's ChangeCipherSpec the pending read state becomes current (seq 0). */
  activateRead(): void {
    this.#read = this.#pendingRead;
    this.#pendingRead = undefined;
  }

  /** A record of `type`, protected once write keys are in use. */
  record(type: number, body: Uint8Array): Uint8Array {
    return this.#write
      ? encodeRecord(type, TLS12, this.#write.seal(type, TLS12, body))
      : encodeRecord(type, TLS12, body);
  }

  /** Data in as many records as it needs, 2^14 bytes of plaintext at most each (RFC 5246 §6.2.1). */
  records(type: number, data: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += MAX_PLAINTEXT)
      parts.push(this.record(type, data.subarray(at, at + MAX_PLAINTEXT)));
    return concat(...parts);
  }

  /** Wipe every key; nothing can be sent or received protected afterwards. */
  destroy(): void {
    this.#read?.destroy();
    this.#write?.destroy();
    this.#pendingRead?.destroy();
    this.#read = this.#write = this.#pendingRead = undefined;
  }
}
