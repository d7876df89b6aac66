import { isValidScalar } from './p256.js';
import { slotSize, type Eeprom } from './zones.js';

/**
 * Where a P-256 key sits in a slot. A private key takes the first 36 bytes: four zero pad
 * bytes, then the 32-byte scalar (the PrivWrite layout, CryptoAuthLib `calib_priv_write`).
 * A public key in a 72-byte slot is `pad(4) X(32) pad(4) Y(32)` (`calib_write_pubkey`).
 */
export function storePrivateKey(eeprom: Eeprom, slot: number, d: Uint8Array): void {
  const target = eeprom.slot(slot);
  target.fill(0, 0, 4);
  target.set(d, 4);
}

/** The slot's private scalar, or null when the slot does not hold a valid one. */
export function privateKeyIn(eeprom: Eeprom, slot: number): Uint8Array | null {
  const d = eeprom.slot(slot).slice(4, 36);
  return isValidScalar(d) ? d : null;
}

/** X‖Y of a public key stored in a 72-byte (or larger) slot, or null when the slot is too small. */
export function storedPublicKeyIn(eeprom: Eeprom, slot: number): Uint8Array | null {
  if (slotSize(slot) < 72) return null;
  const s = eeprom.slot(slot);
  const xy = new Uint8Array(64);
  xy.set(s.subarray(4, 36), 0);
  xy.set(s.subarray(40, 72), 32);
  return xy;
}
