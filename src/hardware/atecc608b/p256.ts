import { createECDH, createHmac } from 'node:crypto';
import type { Rng } from '../../core/rng.js';

/**
 * NIST P-256 as the part computes it: public keys and ECDH through Node's crypto (createECDH),
 * ECDSA over a 32-byte digest the part holds (TempKey or the Message Digest Buffer). Node's
 * sign/verify hash their input, so the digest signature is assembled here: k·G comes from
 * createECDH, s from modular arithmetic, and verification is the textbook u1·G + u2·Q.
 * Variable-time arithmetic: this models the part's interface, not its side-channel resistance.
 */
export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

export function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function toBytes(value: bigint, length = 32): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex'));
}

/** A private key is a 32-byte big-endian integer in [1, n−1]. */
export function isValidScalar(d: Uint8Array): boolean {
  if (d.length !== 32) return false;
  const v = toBigInt(d);
  return v > 0n && v < N;
}

/** Draw a private key from the injected randomness (rejection sampling, so no bias). */
export function randomScalar(rng: Rng): Uint8Array {
  for (;;) {
    const d = rng.bytes(32);
    if (isValidScalar(d)) return d;
  }
}

/** X‖Y (64 bytes, big-endian) of d·G. */
export function publicKeyOf(d: Uint8Array): Uint8Array {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  return new Uint8Array(ecdh.getPublicKey().subarray(1));
}

/** Is X‖Y a point of the curve (coordinates below p, y² = x³ − 3x + b)? */
export function isOnCurve(xy: Uint8Array): boolean {
  if (xy.length !== 64) return false;
  const x = toBigInt(xy.subarray(0, 32));
  const y = toBigInt(xy.subarray(32));
  if (x >= P || y >= P) return false;
  return mod(y * y - (x * x * x - 3n * x + B)) === 0n;
}

/** ECDH: the x coordinate of d·Q, or null when Q is not a valid point. */
export function ecdhSharedX(d: Uint8Array, peer: Uint8Array): Uint8Array | null {
  if (!isOnCurve(peer)) return null;
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  try {
    return new Uint8Array(ecdh.computeSecret(Buffer.concat([Buffer.of(0x04), peer])));
  } catch {
    return null;
  }
}

/**
 * ECDSA over a 32-byte digest: raw R‖S, big-endian. The nonce k follows RFC 6979 with the
 * injected randomness as additional data (§3.6), so a seeded part signs reproducibly and two
 * different digests never share a k even when the randomness repeats.
 */
export function signDigest(d: Uint8Array, digest: Uint8Array, extraEntropy?: Uint8Array): Uint8Array {
  const e = toBigInt(digest);
  const x = toBigInt(d);
  for (const k of rfc6979Nonces(d, digest, extraEntropy)) {
    const r = toBigInt(publicKeyOf(toBytes(k)).subarray(0, 32)) % N;
    if (r === 0n) continue;
    const s = (inverse(k, N) * (e + r * x)) % N;
    if (s === 0n) continue;
    const out = new Uint8Array(64);
    out.set(toBytes(r), 0);
    out.set(toBytes(s), 32);
    return out;
  }
  throw new Error('unreachable: the nonce generator is infinite');
}

/**
 * Verify raw R‖S over a 32-byte digest with public key X‖Y: x(u1·G + u2·Q) ≡ r (mod n), with
 * u1·G from createECDH and u2·Q by a 4-bit window.
 */
export function verifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || !isOnCurve(publicKey)) return false;
  const r = toBigInt(signature.subarray(0, 32));
  const s = toBigInt(signature.subarray(32));
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const w = inverse(s, N);
  const u1 = (toBigInt(digest) * w) % N;
  const u2 = (r * w) % N;
  const u1G = u1 === 0n ? INFINITY : jacobian(publicKeyOf(toBytes(u1)));
  const sum = add(u1G, multiplyJacobian(u2, jacobian(publicKey)));
  if (sum[2] === 0n) return false;
  const zi = inverse(sum[2], P);
  return ((sum[0] * zi * zi) % P) % N === r;
}

/** RFC 6979 §3.2 candidate nonces for P-256 with SHA-256 (k' of §3.6 as `extra`). */
export function* rfc6979Nonces(d: Uint8Array, digest: Uint8Array, extra?: Uint8Array): Generator<bigint> {
  const hmac = (key: Uint8Array, ...parts: Uint8Array[]): Uint8Array => {
    const h = createHmac('sha256', key);
    for (const part of parts) h.update(part);
    return new Uint8Array(h.digest());
  };
  const h1 = toBytes(toBigInt(digest) % N);
  const more = extra ?? new Uint8Array(0);
  let v: Uint8Array = new Uint8Array(32).fill(0x01);
  let k: Uint8Array = new Uint8Array(32);
  k = hmac(k, v, Uint8Array.of(0x00), d, h1, more);
  v = hmac(k, v);
  k = hmac(k, v, Uint8Array.of(0x01), d, h1, more);
  v = hmac(k, v);
  for (;;) {
    v = hmac(k, v);
    const candidate = toBigInt(v);
    if (candidate > 0n && candidate < N) yield candidate;
    k = hmac(k, v, Uint8Array.of(0x00));
    v = hmac(k, v);
  }
}

type Jacobian = [bigint, bigint, bigint];
const INFINITY: Jacobian = [0n, 1n, 0n];

function mod(a: bigint, m = P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function inverse(a: bigint, m: bigint): bigint {
  let [low, high] = [mod(a, m), m];
  let [x0, x1] = [1n, 0n];
  while (low > 1n) {
    const q = high / low;
    [low, high] = [high - q * low, low];
    [x0, x1] = [x1 - q * x0, x0];
  }
  return mod(x0, m);
}

// Jacobian doubling and addition for a = −3 (EFD "dbl-2001-b", "add-2007-bl").
function double([x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return INFINITY;
  const yy = (y * y) % P;
  const s = (4n * x * yy) % P;
  const zz = (z * z) % P;
  const m = (3n * (x - zz) * (x + zz)) % P;
  const x3 = mod(m * m - 2n * s);
  return [x3, mod(m * (s - x3) - 8n * yy * yy), (2n * y * z) % P];
}

function add(p1: Jacobian, p2: Jacobian): Jacobian {
  if (p1[2] === 0n) return p2;
  if (p2[2] === 0n) return p1;
  const [x1, y1, z1] = p1;
  const [x2, y2, z2] = p2;
  const z1z1 = (z1 * z1) % P;
  const z2z2 = (z2 * z2) % P;
  const u1 = (x1 * z2z2) % P;
  const u2 = (x2 * z1z1) % P;
  const s1 = (((y1 * z2) % P) * z2z2) % P;
  const s2 = (((y2 * z1) % P) * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? double(p1) : INFINITY;
  const h = mod(u2 - u1);
  const r = mod(s2 - s1);
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const v = (u1 * hh) % P;
  const x3 = mod(r * r - hhh - 2n * v);
  return [x3, mod(r * (v - x3) - s1 * hhh), (((z1 * z2) % P) * h) % P];
}

function jacobian(xy: Uint8Array): Jacobian {
  return [toBigInt(xy.subarray(0, 32)), toBigInt(xy.subarray(32, 64)), 1n];
}

/** k·A with a 4-bit fixed window. */
function multiplyJacobian(k: bigint, a: Jacobian): Jacobian {
  const table: Jacobian[] = [INFINITY, a];
  for (let i = 2; i < 16; i++) table.push(add(table[i - 1]!, a));
  let acc = INFINITY;
  for (let shift = 252; shift >= 0; shift -= 4) {
    acc = double(double(double(double(acc))));
    const digit = Number((k >> BigInt(shift)) & 15n);
    if (digit !== 0) acc = add(acc, table[digit]!);
  }
  return acc;
}

/** Scalar multiplication of an affine point, for tests against createECDH. */
export function multiply(k: bigint, point: Uint8Array): Uint8Array | null {
  const r = multiplyJacobian(k % N, jacobian(point));
  if (r[2] === 0n) return null;
  const zi = inverse(r[2], P);
  const out = new Uint8Array(64);
  out.set(toBytes((r[0] * zi * zi) % P), 0);
  out.set(toBytes((r[1] * zi * zi * zi) % P), 32);
  return out;
}
