import { createHash } from 'node:crypto';
import { fingerprint, parseCertificateDer } from '../../pki/certificate.js';
import { formatSan } from '../../pki/extensions.js';
import { describeKey, spkiToKey } from '../../pki/keys.js';
import { attributesToString, nameAttributes } from '../../pki/names.js';
import { type CertificateSkim, skimCertificate } from '../../pki/skim.js';
import { TlsReader } from './reader.js';
import type { TlsCertificateInfo } from './types.js';

/**
 * The Certificate message: RFC 5246 §7.4.2 (a bare list) or, when `tls13`, RFC 8446 §4.4.2
 * (a request context, then entries with their own extensions). Each certificate is read for
 * what an observer learns from it; one that does not parse as X.509 says so in `error`.
 */
export function parseCertificateMessage(body: Uint8Array, tls13: boolean): TlsCertificateInfo[] {
  const r = new TlsReader(body);
  if (tls13) r.opaque(1, 'certificate_request_context');
  // RFC 5246 §7.4.2: ASN.1Cert certificate_list<0..2^24-1>; ASN.1Cert opaque<1..2^24-1>.
  const list = r.vector(3, 'certificate_list');
  r.done('certificate');
  const out: TlsCertificateInfo[] = [];
  while (list.remaining > 0) {
    out.push(describe(list.opaque(3, 'ASN.1Cert', 1)));
    if (tls13) list.opaque(2, 'CertificateEntry extensions');
  }
  return out;
}

// The same few certificates cross the wire at every reconnect of every device: parsing X.509
// costs ~1 ms, hashing it ~10 µs. Bounded; entries are frozen since results share them.
const CACHE_SIZE = 256;
const cache = new Map<string, TlsCertificateInfo>();

/**
 * Subject, issuer, serial, validity and key of one DER certificate, read with the PKI's parser.
 * Never throws: certificates on the wire are the peer's bytes.
 */
export function describe(der: Uint8Array): TlsCertificateInfo {
  const key = createHash('sha256').update(der).digest('hex');
  const known = cache.get(key);
  if (known) return known;
  const info = deepFreeze(read(der));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, info);
  return info;
}

function deepFreeze(info: TlsCertificateInfo): TlsCertificateInfo {
  if (info.subjectAltNames) Object.freeze(info.subjectAltNames);
  return Object.freeze(info);
}

function read(der: Uint8Array): TlsCertificateInfo {
  // The usual certificate is read by the quick reader; anything else by the PKI's parser, which
  // also says why a certificate is not X.509.
  const quick = skimCertificate(der);
  if (quick) return info(der, quick);
  try {
    const cert = parseCertificateDer(der, 'certificate on the wire');
    return info(der, {
      serial: cert.serial,
      issuer: nameAttributes(cert.issuer),
      subject: nameAttributes(cert.subject),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      spki: cert.spki,
      subjectAltNames: cert.extensions.subjectAltName?.names ?? [],
    });
  } catch (err) {
    return { length: der.length, error: err instanceof Error ? err.message : String(err) };
  }
}

function info(der: Uint8Array, c: CertificateSkim): TlsCertificateInfo {
  const cn = c.subject.find((a) => a.type === 'CN')?.value;
  return {
    length: der.length,
    subject: attributesToString(c.subject),
    ...(cn === undefined ? {} : { subjectCn: cn }),
    issuer: attributesToString(c.issuer),
    serial: c.serial,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    publicKey: keyOf(c.spki),
    subjectAltNames: c.subjectAltNames.map(formatSan),
    sha256Fingerprint: fingerprint(der),
  };
}

function keyOf(spki: Uint8Array): string {
  try {
    return describeKey(spkiToKey(spki));
  } catch {
    return 'unknown';
  }
}
