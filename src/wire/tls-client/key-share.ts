import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type ECDH } from 'node:crypto';
import type { Rng } from '../../core/rng.js';
import { concat } from './bytes.js';
import { handshakeFailure } from './failure.js';

export const GROUP_NAMES = ['x25519', 'secp256r1', 'secp384r1'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** RFC 8422 §5.1.1 / RFC 8446 §4.2.7 NamedGroup code points. */
export const GROUP_IDS: Readonly<Record<GroupName, number>> = Object.freeze({
  x25519: 0x001d,
  secp256r1: 0x0017,
  secp384r1: 0x0018,
});

export function groupById(id: number): GroupName | undefined {
  return GROUP_NAMES.find((g) => GROUP_IDS[g] === id);
}

/** The client's ephemeral ECDHE key: its public value for ClientKeyExchange and the secret it derives. */
export interface EphemeralKey {
  readonly group: GroupName;
  readonly publicKey: Uint8Array;
  /** The pre-master secret with the server's public value (RFC 8422 §5.10), or illegal_parameter. */
  deriveSecret(peer: Uint8Array): Uint8Array;
}

// DER prefixes of an X25519 PKCS#8 private key and SPKI public key (RFC 8410 §7, §4).
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/** A fresh key from the injected randomness, so a seeded lab run replays byte for byte. */
export function generateEphemeral(group: GroupName, rng: Rng): EphemeralKey {
  return group === 'x25519' ? x25519(rng) : nistCurve(group, rng);
}

function x25519(rng: Rng): EphemeralKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8, rng.bytes(32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    group: 'x25519',
    publicKey: new Uint8Array(spki.subarray(X25519_SPKI.length)),
    deriveSecret(peer) {
      // RFC 8422 §5.11: the X25519 public value is exactly 32 bytes.
      if (peer.length !== 32) throw badPoint('x25519', 'public value is not 32 bytes');
      let secret: Uint8Array;
      try {
        const publicKey = createPublicKey({
          key: Buffer.from(concat(X25519_SPKI, peer)),
          format: 'der',
          type: 'spki',
        });
        secret = new Uint8Array(diffieHellman({ privateKey, publicKey }));
      } catch (err) {
        throw badPoint('x25519', 'public value rejected', err);
      }
      // RFC 8422 §5.11 / RFC 7748 §6.1: an all-zero shared secret (a small-order point) aborts.
      if (secret.every((b) => b === 0)) throw badPoint('x25519', 'shared secret is all zeros');
      return secret;
    },
  };
}

const CURVES = { secp256r1: { node: 'prime256v1', size: 32 }, secp384r1: { node: 'secp384r1', size: 48 } };

function nistCurve(group: 'secp256r1' | 'secp384r1', rng: Rng): EphemeralKey {
  const { node, size } = CURVES[group];
  const ecdh = withPrivateKey(node, size, rng);
  return {
    group,
    publicKey: new Uint8Array(ecdh.getPublicKey()),
    deriveSecret(peer) {
      // RFC 8422 §5.1.2 and §5.4: we offered only the uncompressed form, 0x04 ‖ X ‖ Y.
      if (peer.length !== 1 + 2 * size || peer[0] !== 0x04)
        throw badPoint(group, 'point is not in uncompressed form');
      try {
        // computeSecret checks the point is on the curve (RFC 8422 §5.10, public key validation).
        return new Uint8Array(ecdh.computeSecret(peer));
      } catch (err) {
        throw badPoint(group, 'point is not on the curve', err);
      }
    },
  };
}

function withPrivateKey(curve: string, size: number, rng: Rng): ECDH {
  const ecdh = createECDH(curve);
  // A random string is a valid scalar unless it is 0 or ≥ n; retry the astronomically rare miss.
  for (let i = 0; i < 8; i++) {
    try {
      ecdh.setPrivateKey(rng.bytes(size));
      return ecdh;
    } catch {
      /* out of range: draw again */
    }
  }
  throw new RangeError(`${curve}: the randomness source gave no valid private scalar`);
}

function badPoint(group: GroupName, why: string, cause?: unknown) {
  return handshakeFailure('illegal_parameter', `the server's ${group} ECDHE ${why}`, { group }, cause);
}
