/**
 * What an attacker does with a flash dump (or any blob: a slot, a bus trace): look for private
 * keys and certificates. Three searches, from the obvious to the last resort — PEM blocks (the
 * lab sheet's `-----BEGIN PRIVATE KEY-----` string compiled into the firmware), DER structures
 * anywhere in the bytes, then random-looking 32-byte windows tested as P-256 scalars against
 * the certificates found. Keys are paired with certificates by public key. Sans-IO: bytes in,
 * offsets and fingerprints out; nothing here prints a key.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { fingerprint, nameToString, type ParsedCertificate, parseCertificates } from '../pki/index.js';
import { highEntropyWindows, matchScalars, p256Point, scalarToPkcs8, SCALAR_BYTES } from './key-scalar.js';

export type KeyFormat =
  'pkcs8' | 'sec1' | 'pkcs1' | 'encrypted-pkcs8' | 'encrypted-legacy' | 'raw-p256' | 'other';

export interface FoundKey {
  readonly offset: number;
  readonly length: number;
  readonly encoding: 'pem' | 'der' | 'raw';
  readonly format: KeyFormat;
  /** Usable without a passphrase: `key` is set. */
  readonly encrypted: boolean;
  readonly key?: KeyObject;
  /** SHA-256 of the key's SubjectPublicKeyInfo, colon hex: names the key without showing it. */
  readonly spkiSha256?: string;
  /** e.g. "ec prime256v1", "rsa 2048". */
  readonly algorithm?: string;
}

export interface FoundCertificate {
  readonly offset: number;
  readonly length: number;
  readonly certificate: ParsedCertificate;
  readonly pem: string;
  readonly subject: string;
  readonly isCa: boolean;
  readonly spkiSha256: string;
}

export interface KeySearch {
  readonly keys: readonly FoundKey[];
  readonly certificates: readonly FoundCertificate[];
  /** Keys whose public key is a certificate's. */
  readonly pairs: readonly { readonly key: FoundKey; readonly certificate: FoundCertificate }[];
  /** The scalar search: windows kept, regions they form, valid scalars tested, whether capped. */
  readonly entropy: {
    readonly windows: number;
    readonly regions: number;
    readonly tested: number;
    readonly truncated: boolean;
  };
}

// RFC 7468 §2: labels are uppercase words; the body is bounded so a stray BEGIN cannot run on.
const PEM_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----\r?\n([\s\S]{1,16384}?)-----END \1-----/g;
const PEM_CERT = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]{1,16384}?-----END CERTIFICATE-----/g;

export function findPemKeys(image: Uint8Array): FoundKey[] {
  const text = Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('latin1');
  const found: FoundKey[] = [];
  for (const m of text.matchAll(PEM_KEY)) {
    const label = m[1]!;
    // RFC 1421 headers (openssl's legacy `-des3` output) or PKCS#8 EncryptedPrivateKeyInfo.
    const legacy = /^Proc-Type: 4,ENCRYPTED/m.test(m[2]!);
    const format: KeyFormat = legacy
      ? 'encrypted-legacy'
      : label === 'ENCRYPTED PRIVATE KEY'
        ? 'encrypted-pkcs8'
        : label === 'PRIVATE KEY'
          ? 'pkcs8'
          : label === 'EC PRIVATE KEY'
            ? 'sec1'
            : label === 'RSA PRIVATE KEY'
              ? 'pkcs1'
              : 'other';
    const base = { offset: m.index, length: m[0].length, encoding: 'pem' as const, format };
    if (format.startsWith('encrypted')) {
      found.push({ ...base, encrypted: true });
      continue;
    }
    const key = parse(() => createPrivateKey({ key: m[0], format: 'pem' }));
    found.push(
      key === undefined ? { ...base, encrypted: false } : { ...base, encrypted: false, ...describe(key) },
    );
  }
  return found;
}

/** SEQUENCE length: short form, or 0x81/0x82 long form (a key is never ≥ 64 KiB). */
function derLength(b: Uint8Array, i: number): { header: number; length: number } | undefined {
  const first = b[i + 1];
  if (first === undefined) return undefined;
  if (first < 0x80) return { header: 2, length: first };
  if (first === 0x81 && i + 2 < b.length && b[i + 2]! >= 0x80) return { header: 3, length: b[i + 2]! };
  if (first === 0x82 && i + 3 < b.length && b[i + 2]! > 0)
    return { header: 4, length: (b[i + 2]! << 8) | b[i + 3]! };
  return undefined;
}

/** What the first bytes of a SEQUENCE's content say it could be (X.690 encodings of each version). */
function shape(b: Uint8Array, j: number): KeyFormat | undefined {
  const at = (k: number): number => b[j + k] ?? -1;
  if (at(0) === 0x02 && at(1) === 0x01) {
    // RFC 5208 §5 version 0 + AlgorithmIdentifier; RFC 5958 version 1 (OneAsymmetricKey).
    if ((at(2) === 0x00 || at(2) === 0x01) && at(3) === 0x30) return 'pkcs8';
    if (at(2) === 0x01 && at(3) === 0x04) return 'sec1'; // RFC 5915 §3: ecPrivkeyVer1, OCTET STRING
    if (at(2) === 0x00 && at(3) === 0x02) return 'pkcs1'; // RFC 8017 A.1.2: version 0, INTEGER n
  }
  // RFC 5958 §3 EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier { OID 1.2.840.113549.1.5.x | .12.1.x } }
  if (
    at(0) === 0x30 &&
    at(2) === 0x06 &&
    [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01].every((v, k) => at(4 + k) === v)
  ) {
    if (at(11) === 0x05 || at(11) === 0x0c) return 'encrypted-pkcs8';
  }
  return undefined;
}

const DER_TYPE = { pkcs8: 'pkcs8', sec1: 'sec1', pkcs1: 'pkcs1' } as const;

/** Walk every offset for a SEQUENCE that parses as a private key; a hit is skipped over whole. */
export function findDerKeys(image: Uint8Array): FoundKey[] {
  const found: FoundKey[] = [];
  for (let i = 0; i < image.length - 8; i++) {
    if (image[i] !== 0x30) continue;
    const len = derLength(image, i);
    if (len === undefined || len.length < 16) continue;
    const end = i + len.header + len.length;
    if (end > image.length) continue; // truncated: not a key, whatever it looks like
    const format = shape(image, i + len.header);
    if (format === undefined) continue;
    const der = image.subarray(i, end);
    const base = { offset: i, length: end - i, encoding: 'der' as const, format };
    if (format === 'encrypted-pkcs8') {
      found.push({ ...base, encrypted: true });
      i = end - 1;
      continue;
    }
    const type = DER_TYPE[format as keyof typeof DER_TYPE];
    const key = parse(() => createPrivateKey({ key: Buffer.from(der), format: 'der', type }));
    if (key === undefined) continue;
    found.push({ ...base, encrypted: false, ...describe(key) });
    i = end - 1;
  }
  return found;
}

export function findCertificates(image: Uint8Array): FoundCertificate[] {
  const text = Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('latin1');
  const found: FoundCertificate[] = [];
  for (const m of text.matchAll(PEM_CERT)) {
    const certificate = parse(() => parseCertificates(m[0], 'certificate in the image')[0]);
    if (certificate === undefined) continue;
    found.push({
      offset: m.index,
      length: m[0].length,
      certificate,
      pem: m[0] + '\n',
      subject: nameToString(certificate.subject),
      isCa: certificate.extensions.basicConstraints?.ca === true,
      spkiSha256: fingerprint(certificate.spki),
    });
  }
  return found;
}

/** The scalar search over random-looking windows, against the P-256 keys of `certificates`. */
export function findRawScalars(
  image: Uint8Array,
  certificates: readonly FoundCertificate[],
  offsets?: Iterable<number>,
): { keys: FoundKey[]; entropy: KeySearch['entropy'] } {
  const windows = highEntropyWindows(image);
  const points = certificates.map((c) => p256Point(c.certificate.spki));
  const usable = points.filter((p): p is Uint8Array => p !== undefined);
  const { matches, tested } = matchScalars(image, offsets ?? windows.offsets, usable);
  const keys: FoundKey[] = [];
  for (const m of matches) {
    const pkcs8 = scalarToPkcs8(image.subarray(m.offset, m.offset + SCALAR_BYTES));
    const key =
      pkcs8 && parse(() => createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
    if (key === undefined) continue;
    keys.push({
      offset: m.offset,
      length: SCALAR_BYTES,
      encoding: 'raw',
      format: 'raw-p256',
      encrypted: false,
      ...describe(key),
    });
  }
  return {
    keys,
    entropy: {
      windows: windows.offsets.length,
      regions: windows.regions.length,
      tested,
      truncated: windows.truncated,
    },
  };
}

export function pairKeys(
  keys: readonly FoundKey[],
  certificates: readonly FoundCertificate[],
): KeySearch['pairs'] {
  return keys.flatMap((key) =>
    certificates
      .filter((c) => key.spkiSha256 !== undefined && c.spkiSha256 === key.spkiSha256)
      .map((certificate) => ({ key, certificate })),
  );
}

/** All three searches; a raw scalar inside a key already found as PEM or DER is not counted twice. */
export function searchKeys(image: Uint8Array): KeySearch {
  const structured = [...findPemKeys(image), ...findDerKeys(image)].sort((a, b) => a.offset - b.offset);
  const certificates = findCertificates(image);
  const raw = findRawScalars(image, certificates);
  const inside = (k: FoundKey): boolean =>
    structured.some((s) => k.offset >= s.offset && k.offset < s.offset + s.length);
  const keys = [...structured, ...raw.keys.filter((k) => !inside(k))];
  return { keys, certificates, pairs: pairKeys(keys, certificates), entropy: raw.entropy };
}

function describe(key: KeyObject): Pick<FoundKey, 'key' | 'spkiSha256' | 'algorithm'> {
  const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const d = key.asymmetricKeyDetails;
  const detail = d?.namedCurve ?? (d?.modulusLength === undefined ? '' : String(d.modulusLength));
  return {
    key,
    spkiSha256: fingerprint(spki),
    algorithm: `${key.asymmetricKeyType ?? 'unknown'} ${detail}`.trim(),
  };
}

/** Parsers throw on malformed input: for a search that is "not this one", never a failure. */
function parse<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
