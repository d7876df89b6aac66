import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concat, u16, u8 } from './bytes.js';
import { protocolFailure } from './failure.js';

export type AeadCipher = 'aes-128-gcm' | 'aes-256-gcm';

/** RFC 5288 §3: 8-byte explicit nonce, 16-byte tag. */
export const EXPLICIT_NONCE = 8;
export const TAG = 16;
const MAX_SEQ = 0xffff_ffff_ffff_ffffn;

export interface SealParams {
  readonly cipher: AeadCipher;
  readonly key: Uint8Array;
  /** The 4-byte implicit part of the nonce (client_write_IV or server_write_IV). */
  readonly salt: Uint8Array;
  readonly seq: bigint;
  readonly type: number;
  readonly version: number;
  readonly plaintext: Uint8Array;
}

function seqBytes(seq: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(seq);
  return b;
}

/** RFC 5246 §6.2.3.3: additional_data = seq_num + type + version + length (of the plaintext). */
export function additionalData(seq: bigint, type: number, version: number, length: number): Uint8Array {
  return concat(seqBytes(seq), u8(type), u16(version), u16(length));
}

/**
 * One GenericAEADCipher fragment: explicit nonce ‖ ciphertext ‖ tag. RFC 5288 §3: nonce =
 * salt ‖ nonce_explicit; we make nonce_explicit the sequence number, which never repeats
 * under one key.
 */
export function sealFragment(p: SealParams): Uint8Array {
  const explicit = seqBytes(p.seq);
  const c = createCipheriv(p.cipher, p.key, concat(p.salt, explicit), { authTagLength: TAG });
  c.setAAD(additionalData(p.seq, p.type, p.version, p.plaintext.length));
  return concat(explicit, c.update(p.plaintext), c.final(), c.getAuthTag());
}

/** The plaintext of a fragment, or undefined when it is too short or does not authenticate. */
export function openFragment(
  p: Omit<SealParams, 'plaintext'> & { readonly fragment: Uint8Array },
): Uint8Array | undefined {
  const { fragment } = p;
  if (fragment.length < EXPLICIT_NONCE + TAG) return undefined;
  const explicit = fragment.subarray(0, EXPLICIT_NONCE);
  const body = fragment.subarray(EXPLICIT_NONCE, fragment.length - TAG);
  try {
    const d = createDecipheriv(p.cipher, p.key, concat(p.salt, explicit), { authTagLength: TAG });
    d.setAAD(additionalData(p.seq, p.type, p.version, body.length));
    d.setAuthTag(fragment.subarray(fragment.length - TAG));
    return concat(d.update(body), d.final());
  } catch {
    return undefined;
  }
}

/**
 * One direction's record protection: the key, the salt and the implicit sequence number
 * (RFC 5246 §6.1: starts at 0 with each new key, +1 per record, never wraps).
 */
export class RecordProtection {
  #seq = 0n;

  constructor(
    private readonly cipher: AeadCipher,
    private readonly key: Uint8Array,
    private readonly salt: Uint8Array,
  ) {}

  seal(type: number, version: number, plaintext: Uint8Array): Uint8Array {
    const seq = this.#next();
    return sealFragment({
      cipher: this.cipher,
      key: this.key,
      salt: this.salt,
      seq,
      type,
      version,
      plaintext,
    });
  }

  open(type: number, version: number, fragment: Uint8Array): Uint8Array {
    const seq = this.#next();
    const out = openFragment({
      cipher: this.cipher,
      key: this.key,
      salt: this.salt,
      seq,
      type,
      version,
      fragment,
    });
    // RFC 5246 §7.2.2: a record that does not deintegrity-check is bad_record_mac, always fatal.
    if (out === undefined)
      throw protocolFailure('bad_record_mac', 'a record failed AEAD authentication', { recordType: type });
    return out;
  }

  /** Wipe the key and salt; the object is unusable afterwards. */
  destroy(): void {
    this.key.fill(0);
    this.salt.fill(0);
  }

  #next(): bigint {
    // RFC 5246 §6.1: "Sequence numbers ... may not exceed 2^64-1"; we refuse rather than wrap.
    if (this.#seq === MAX_SEQ) throw protocolFailure('internal_error', 'record sequence number exhausted');
    return this.#seq++;
  }
}
