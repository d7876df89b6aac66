import { createPublicKey } from 'node:crypto';
import { LabError } from '../../core/errors.js';
import { ecdsaRawToDer, type Signer } from '../../pki/index.js';
import type { Atecc608Driver } from './atecc608.js';

/** DER SubjectPublicKeyInfo of a P-256 point given as the part returns it, X‖Y. */
export function p256PublicKeyInfo(xy: Uint8Array): Uint8Array {
  if (xy.length !== 64) {
    throw new LabError('ERR_SE_SLOT_INVALID', `a P-256 public key is 64 bytes X‖Y, got ${xy.length}`, {
      details: { length: xy.length },
    });
  }
  const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(xy.subarray(0, 32)), y: b64url(xy.subarray(32)) },
    format: 'jwk',
  });
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/**
 * The PKI's signer seam backed by the secure element: the TBS bytes are hashed on the host,
 * the digest goes into TempKey (Nonce pass-through) and Sign returns R‖S, wrapped as DER.
 * The private key stays in the slot; nothing here ever holds it.
 */
export async function secureElementSigner(driver: Atecc608Driver, slot = 0): Promise<Signer> {
  const publicKeyInfo = p256PublicKeyInfo(await driver.generatePublicKey(slot));
  return Object.freeze({
    publicKeyInfo,
    signatureAlgorithm: 'ecdsa-with-SHA256' as const,
    sign: async (tbs: Uint8Array) => ecdsaRawToDer(await driver.signMessage(tbs, slot)),
  });
}
