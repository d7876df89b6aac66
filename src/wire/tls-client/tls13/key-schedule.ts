import { createHash, createHmac } from 'node:crypto';
import { concat, u16, u8 } from '../bytes.js';

/** The hash of a TLS 1.3 cipher suite (RFC 8446 §B.4): SHA-256 or SHA-384. */
export type Tls13Hash = 'sha256' | 'sha384';

export const HASH_LENGTH: Readonly<Record<Tls13Hash, number>> = Object.freeze({ sha256: 32, sha384: 48 });

const encoder = new TextEncoder();

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros (HMAC pads either way). */
export function hkdfExtract(hash: Tls13Hash, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(hash, salt).update(ikm).digest());
}

/** RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), L ≤ 255·HashLen. */
export function hkdfExpand(hash: Tls13Hash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const n = HASH_LENGTH[hash];
  if (!Number.isInteger(length) || length < 0 || length > 255 * n)
    throw new RangeError(`HKDF-Expand length ${length} outside 0..${255 * n}`);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let at = 0, i = 1; at < length; i++) {
    t = new Uint8Array(createHmac(hash, prk).update(t).update(info).update(u8(i)).digest());
    out.set(t.subarray(0, Math.min(n, length - at)), at);
    at += n;
  }
  return out;
}

/**
 * RFC 8446 §7.1: HKDF-Expand-Label(Secret, Label, Context, Length) with
 * HkdfLabel = uint16 length ‖ opaque label<7..255> ("tls13 " ‖ Label) ‖ opaque context<0..255>.
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const full = encoder.encode(`tls13 ${label}`);
  if (full.length > 255 || context.length > 255 || length > 0xffff)
    throw new RangeError('HkdfLabel field out of range');
  return concat(u16(length), u8(full.length), full, u8(context.length), context);
}

export function hkdfExpandLabel(
  hash: Tls13Hash,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/** RFC 8446 §7.1: Derive-Secret(Secret, Label, Messages) = Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length). */
export function deriveSecret(
  hash: Tls13Hash,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, HASH_LENGTH[hash]);
}

export function transcriptHash13(hash: Tls13Hash, messages: readonly Uint8Array[]): Uint8Array {
  const h = createHash(hash);
  for (const m of messages) h.update(m);
  return new Uint8Array(h.digest());
}

/** One direction's AEAD key and IV (RFC 8446 §7.3). */
export interface TrafficKey {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

/** RFC 8446 §5.3: the per-record nonce is iv_length = max(8, N_MIN) = 12 bytes for every AEAD we use. */
export const IV_LENGTH = 12;

/** RFC 8446 §7.3: write_key = Expand-Label(Secret, "key", "", key_length), write_iv = Expand-Label(Secret, "iv", "", iv_length). */
export function trafficKey(hash: Tls13Hash, secret: Uint8Array, keyLength: number): TrafficKey {
  return {
    key: hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), keyLength),
    iv: hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), IV_LENGTH),
  };
}

/** RFC 8446 §4.4.4: finished_key = Expand-Label(BaseKey, "finished", "", Hash.length). */
export function finishedKey(hash: Tls13Hash, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), HASH_LENGTH[hash]);
}

/** RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*)). */
export function finishedVerifyData13(
  hash: Tls13Hash,
  baseKey: Uint8Array,
  transcript: Uint8Array,
): Uint8Array {
  const key = finishedKey(hash, baseKey);
  const out = new Uint8Array(createHmac(hash, key).update(transcript).digest());
  key.fill(0);
  return out;
}

/** RFC 8446 §7.2: application_traffic_secret_N+1 = Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length). */
export function nextTrafficSecret(hash: Tls13Hash, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), HASH_LENGTH[hash]);
}

export interface TrafficSecrets {
  readonly client: Uint8Array;
  readonly server: Uint8Array;
}

/**
 * The RFC 8446 §7.1 key schedule without a PSK: Early Secret = Extract(0, 0), then the
 * Handshake Secret from the (EC)DHE shared secret, then the Master Secret. Each stage wipes
 * the secret it no longer needs.
 */
export class KeySchedule {
  readonly #hash: Tls13Hash;
  readonly #zeros: Uint8Array;
  #secret: Uint8Array;
  #stage: 'early' | 'handshake' | 'master' = 'early';

  constructor(hash: Tls13Hash) {
    this.#hash = hash;
    this.#zeros = new Uint8Array(HASH_LENGTH[hash]);
    // RFC 8446 §7.1: with no PSK, the PSK input is a string of Hash.length zeros.
    this.#secret = hkdfExtract(hash, this.#zeros, this.#zeros);
  }

  get hash(): Tls13Hash {
    return this.#hash;
  }

  /** The current extracted secret (early, handshake or master), for tests and the key log. */
  get secret(): Uint8Array {
    return this.#secret;
  }

  /** RFC 8446 §7.1: Handshake Secret = Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). */
  toHandshake(shared: Uint8Array): void {
    if (this.#stage !== 'early') throw new Error(`key schedule: handshake secret from stage ${this.#stage}`);
    this.#advance(shared);
    this.#stage = 'handshake';
  }

  /** client/server_handshake_traffic_secret over Transcript-Hash(ClientHello…ServerHello). */
  handshakeTrafficSecrets(helloHash: Uint8Array): TrafficSecrets {
    if (this.#stage !== 'handshake')
      throw new Error(`key schedule: handshake traffic from stage ${this.#stage}`);
    return this.#pair('c hs traffic', 's hs traffic', helloHash);
  }

  /** RFC 8446 §7.1: Master Secret = Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). */
  toMaster(): void {
    if (this.#stage !== 'handshake') throw new Error(`key schedule: master secret from stage ${this.#stage}`);
    this.#advance(this.#zeros);
    this.#stage = 'master';
  }

  /** client/server_application_traffic_secret_0 over Transcript-Hash(ClientHello…server Finished). */
  applicationTrafficSecrets(serverFinishedHash: Uint8Array): TrafficSecrets {
    if (this.#stage !== 'master')
      throw new Error(`key schedule: application traffic from stage ${this.#stage}`);
    return this.#pair('c ap traffic', 's ap traffic', serverFinishedHash);
  }

  /** exporter_master_secret (RFC 8446 §7.1), for tests: we export nothing. */
  exporterMasterSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.#hash, this.#secret, 'exp master', serverFinishedHash);
  }

  destroy(): void {
    this.#secret.fill(0);
  }

  #advance(ikm: Uint8Array): void {
    const empty = transcriptHash13(this.#hash, []);
    const salt = deriveSecret(this.#hash, this.#secret, 'derived', empty);
    this.#secret.fill(0);
    this.#secret = hkdfExtract(this.#hash, salt, ikm);
    salt.fill(0);
  }

  #pair(client: string, server: string, hash: Uint8Array): TrafficSecrets {
    return {
      client: deriveSecret(this.#hash, this.#secret, client, hash),
      server: deriveSecret(this.#hash, this.#secret, server, hash),
    };
  }
}
