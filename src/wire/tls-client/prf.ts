import { createHash, createHmac } from 'node:crypto';
import { concat } from './bytes.js';
import { VERIFY_DATA_LENGTH } from './codes.js';

/** The PRF hash of a TLS 1.2 cipher suite (RFC 5246 §5; RFC 5289 §3.2 for the SHA-384 suites). */
export type PrfHash = 'sha256' | 'sha384';

/** RFC 5246 §8.1: the master secret is always 48 bytes. */
export const MASTER_SECRET_LENGTH = 48;

/** Far more than any key block; a bound, so a bad caller cannot ask for gigabytes. */
const MAX_OUTPUT = 1024;

/**
 * RFC 5246 §5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + …
 * with A(0) = seed and A(i) = HMAC(secret, A(i-1)), truncated to `length`.
 */
export function pHash(hash: PrfHash, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_OUTPUT)
    throw new RangeError(`PRF output length ${length} outside 0..${MAX_OUTPUT}`);
  const out = new Uint8Array(length);
  let a: Uint8Array = seed;
  for (let at = 0; at < length;) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.set(block.subarray(0, Math.min(block.length, length - at)), at);
    at += block.length;
  }
  return out;
}

/** RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed). */
export function prf(
  hash: PrfHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  return pHash(hash, secret, concat(new TextEncoder().encode(label), seed), length);
}

export function transcriptHash(hash: PrfHash, messages: readonly Uint8Array[]): Uint8Array {
  const h = createHash(hash);
  for (const m of messages) h.update(m);
  return new Uint8Array(h.digest());
}

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", client_random + server_random). */
export function masterSecret(
  hash: PrfHash,
  preMaster: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  return prf(hash, preMaster, 'master secret', concat(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash),
 * session_hash (§3) being the hash of the handshake messages up to and including ClientKeyExchange.
 */
export function extendedMasterSecret(
  hash: PrfHash,
  preMaster: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return prf(hash, preMaster, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/** The AEAD keys and implicit nonces of one connection (RFC 5246 §6.3; RFC 5288 §3). */
export interface TrafficKeys {
  readonly clientKey: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly clientSalt: Uint8Array;
  readonly serverSalt: Uint8Array;
}

/**
 * RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random),
 * cut into client/server MAC keys (none for AEAD), client/server write keys, then client/server
 * IVs — for AES-GCM the 4-byte implicit salt (RFC 5288 §3).
 */
export function trafficKeys(
  hash: PrfHash,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  ivLength = 4,
): TrafficKeys {
  const block = prf(
    hash,
    master,
    'key expansion',
    concat(serverRandom, clientRandom),
    2 * (keyLength + ivLength),
  );
  let at = 0;
  const cut = (n: number) => block.slice(at, (at += n));
  const keys = {
    clientKey: cut(keyLength),
    serverKey: cut(keyLength),
    clientSalt: cut(ivLength),
    serverSalt: cut(ivLength),
  };
  block.fill(0);
  return keys;
}

/** RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]. */
export function finishedVerifyData(
  hash: PrfHash,
  master: Uint8Array,
  sender: 'client' | 'server',
  handshakeHash: Uint8Array,
): Uint8Array {
  return prf(hash, master, `${sender} finished`, handshakeHash, VERIFY_DATA_LENGTH);
}
