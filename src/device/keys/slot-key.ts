import { createPrivateKey, type KeyObject } from 'node:crypto';
import { LabError } from '../../core/errors.js';

/** Slot 8 of an ATECC608B: 13 blocks of 32 bytes (datasheet Table 9-5). */
export const SLOT8_BYTES = 416;
export const SLOT8_BLOCKS = SLOT8_BYTES / 32;

/**
 * The lab sheet's Step 3 slot format: a 2-byte big-endian length, the PKCS#8 DER private
 * key, then zeros to the end of the slot ("[Longueur (2 octets)] + [Clé DER] + [Padding
 * zéros]"). Every block is written, so stale bytes from an earlier key are cleared.
 */
export function encodeSlotKey(pkcs8Der: Uint8Array, slotBytes = SLOT8_BYTES): Uint8Array {
  if (pkcs8Der.length === 0 || pkcs8Der.length + 2 > slotBytes) {
    throw new LabError(
      'ERR_SE_SLOT_INVALID',
      `a ${pkcs8Der.length}-byte key does not fit a ${slotBytes}-byte slot with its 2-byte length`,
      { details: { length: pkcs8Der.length, slotBytes } },
    );
  }
  parsePkcs8(pkcs8Der);
  const out = new Uint8Array(slotBytes);
  out[0] = pkcs8Der.length >> 8;
  out[1] = pkcs8Der.length & 0xff;
  out.set(pkcs8Der, 2);
  return out;
}

export interface SlotKey {
  /** The DER bytes exactly as stored. */
  readonly der: Uint8Array;
  /** What the firmware rebuilds: "-----BEGIN PRIVATE KEY-----", base64 in 64-column lines. */
  readonly pem: string;
  readonly key: KeyObject;
}

/** Back from the slot's bytes to the key: ERR_SE_KEY_FORMAT when they do not hold one. */
export function decodeSlotKey(slot: Uint8Array): SlotKey {
  if (slot.length < 2) throw keyFormat('the slot holds fewer than 2 bytes', { length: slot.length });
  const length = (slot[0]! << 8) | slot[1]!;
  if (length === 0 || length + 2 > slot.length) {
    throw keyFormat(`length prefix ${length} does not fit the ${slot.length}-byte slot`, { length });
  }
  const der = slot.slice(2, 2 + length);
  const key = parsePkcs8(der);
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return { der, key, pem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n` };
}

function parsePkcs8(der: Uint8Array): KeyObject {
  try {
    const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa') {
      throw keyFormat(`a ${key.asymmetricKeyType ?? 'unknown'} key; the lab stores EC or RSA keys`, {});
    }
    return key;
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw keyFormat('the bytes are not a PKCS#8 DER private key', {}, err);
  }
}

function keyFormat(message: string, details: Record<string, unknown>, cause?: unknown): LabError {
  return new LabError('ERR_SE_KEY_FORMAT', message, { details, cause });
}
