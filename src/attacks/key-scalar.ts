/**
 * The last resort of a key search: a raw P-256 private key is 32 random bytes with no header
 * to look for. Random bytes stand out by their statistics, so the search keeps the 32-byte
 * windows that look random and tests each one as a scalar against a public key it already has
 * (the certificate's): d·G = Q is cheap and decisive, where trying every window as a key for a
 * TLS handshake would be neither.
 */
import { createECDH, createPrivateKey, createPublicKey } from 'node:crypto';
import type { Rng } from '../core/rng.js';
import { fingerprint } from '../pki/index.js';

/** A P-256 scalar is 32 bytes (SEC 1 §2.3.6: ⌈log2(n)/8⌉ octets). */
export const SCALAR_BYTES = 32;

/**
 * A window counts as random when at least this many of its 32 bytes are distinct (uniform
 * bytes give ~30.2 on average, text or code far fewer)…
 */
const MIN_DISTINCT = 24;
/** …and at least this many have the top bit set (uniform: 16 of 32; ASCII text and base64: none). */
const MIN_HIGH = 6;
/** Bounds the work on a hostile image; the count reports that the cap was hit. */
export const MAX_CANDIDATES = 1 << 16;

export interface EntropyCandidates {
  /** Start offsets of every random-looking 32-byte window, ascending, at most MAX_CANDIDATES. */
  readonly offsets: readonly number[];
  /** Maximal runs of overlapping candidate windows: [offset, length]. */
  readonly regions: readonly (readonly [number, number])[];
  /** More windows qualified than were kept. */
  readonly truncated: boolean;
}

/** One pass with a sliding histogram: O(n) whatever the image holds. */
export function highEntropyWindows(image: Uint8Array, limit = MAX_CANDIDATES): EntropyCandidates {
  const offsets: number[] = [];
  const regions: [number, number][] = [];
  let truncated = false;
  if (image.length < SCALAR_BYTES) return { offsets, regions, truncated };
  const counts = new Uint16Array(256);
  let distinct = 0;
  let high = 0;
  const add = (b: number): void => {
    if (counts[b]!++ === 0) distinct++;
    if (b & 0x80) high++;
  };
  const remove = (b: number): void => {
    if (--counts[b]! === 0) distinct--;
    if (b & 0x80) high--;
  };
  for (let i = 0; i < SCALAR_BYTES; i++) add(image[i]!);
  for (let start = 0; ; start++) {
    if (distinct >= MIN_DISTINCT && high >= MIN_HIGH) {
      const last = regions.at(-1);
      if (last !== undefined && last[0] + last[1] >= start) last[1] = start + SCALAR_BYTES - last[0];
      else regions.push([start, SCALAR_BYTES]);
      if (offsets.length < limit) offsets.push(start);
      else truncated = true;
    }
    const end = start + SCALAR_BYTES;
    if (end >= image.length) break;
    remove(image[start]!);
    add(image[end]!);
  }
  return { offsets, regions, truncated };
}

/** The uncompressed point 04‖X‖Y of a P-256 SubjectPublicKeyInfo; undefined for any other key. */
export function p256Point(spkiDer: Uint8Array): Uint8Array | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec') return undefined;
    const jwk = key.export({ format: 'jwk' });
    if (jwk.crv !== 'P-256' || jwk.x === undefined || jwk.y === undefined) return undefined;
    return Uint8Array.from([4, ...Buffer.from(jwk.x, 'base64url'), ...Buffer.from(jwk.y, 'base64url')]);
  } catch {
    return undefined;
  }
}

export interface ScalarMatch {
  readonly offset: number;
  /** Index in `points` of the public key the scalar belongs to. */
  readonly point: number;
}

/**
 * Each window as a P-256 scalar d: does d·G equal one of `points`? Windows that are not a
 * valid scalar (0 or ≥ n) are skipped. Returns the matches; `tested` counts valid scalars.
 */
export function matchScalars(
  bytes: Uint8Array,
  offsets: Iterable<number>,
  points: readonly Uint8Array[],
): { readonly matches: ScalarMatch[]; readonly tested: number } {
  const matches: ScalarMatch[] = [];
  let tested = 0;
  if (points.length === 0) return { matches, tested };
  const ecdh = createECDH('prime256v1');
  const wanted = points.map((p) => Buffer.from(p));
  for (const offset of offsets) {
    if (offset < 0 || offset + SCALAR_BYTES > bytes.length) continue;
    let q: Buffer;
    try {
      ecdh.setPrivateKey(bytes.subarray(offset, offset + SCALAR_BYTES));
      q = ecdh.getPublicKey();
    } catch {
      continue; // SEC 1 §3.2.1: d must be in [1, n-1]
    }
    tested++;
    const point = wanted.findIndex((w) => w.equals(q));
    if (point >= 0) matches.push({ offset, point });
  }
  return { matches, tested };
}

/** Every start offset of a 32-byte window in `length` bytes (for small traces, tested exhaustively). */
export function* everyWindow(length: number): Generator<number> {
  for (let i = 0; i + SCALAR_BYTES <= length; i++) yield i;
}

/**
 * The PKCS#8 DER private key for a P-256 scalar d (a key found raw, or the attacker's own made
 * from the run's randomness); undefined when d is not a valid scalar.
 */
export function scalarToPkcs8(d: Uint8Array): Uint8Array | undefined {
  const ecdh = createECDH('prime256v1');
  let point: Buffer;
  try {
    ecdh.setPrivateKey(d);
    point = ecdh.getPublicKey();
  } catch {
    return undefined;
  }
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: b64(d),
    x: b64(point.subarray(1, 33)),
    y: b64(point.subarray(33)),
  };
  return new Uint8Array(
    createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' }),
  );
}

/**
 * The attacker's own P-256 key, made from the run's randomness so a seeded run writes the same
 * bytes every time: "a key of the attacker's choosing", one no certificate names.
 */
export interface AttackerKey {
  /** The private scalar d, 32 bytes big-endian. */
  readonly scalar: Uint8Array;
  readonly pkcs8: Uint8Array;
  readonly pem: string;
  readonly spkiSha256: string;
}

export function attackerKey(rng: Rng): AttackerKey {
  // SEC 1 §3.2.1: d in [1, n-1]; a 32-byte draw falls outside with probability ~2^-32.
  for (;;) {
    const scalar = rng.bytes(SCALAR_BYTES);
    const pkcs8 = scalarToPkcs8(scalar);
    if (pkcs8 === undefined) continue;
    const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
    return {
      scalar,
      pkcs8,
      pem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
      spkiSha256: fingerprint(spki),
    };
  }
}
