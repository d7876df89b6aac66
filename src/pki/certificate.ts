import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  Certificate,
  type Extension,
  Extensions,
  type Name,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
} from '@peculiar/asn1-x509';
import { LabError } from '../core/errors.js';
import { algorithmIdentifier } from './algorithms.js';
import { DerError, splitSigned } from './der.js';
import { type DecodedExtensions, decodeExtensions } from './extensions.js';
import { decodePem, encodePem } from './pem.js';
import type { Signer } from './signer.js';

/** A read-only view of one X.509 certificate, keeping the exact bytes that were signed. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureAlgorithmOid: string;
  /** X.509 version number as people say it: 1, 2 or 3. */
  readonly version: number;
  /** Serial as uppercase hex without leading zero octets (openssl's index.txt form). */
  readonly serial: string;
  readonly issuer: Name;
  readonly subject: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly extensions: DecodedExtensions;
}

export const CERT_LABELS = ['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE'] as const;

export function parseCertificateDer(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  try {
    const { tbs, signature } = splitSigned(der);
    const cert = AsnConvert.parse(der, Certificate);
    const t = cert.tbsCertificate;
    // RFC 5280 §4.1.1.2: the outer algorithm MUST equal the one inside the TBS.
    if (t.signature.algorithm !== cert.signatureAlgorithm.algorithm) {
      throw new DerError('signatureAlgorithm differs from tbsCertificate.signature');
    }
    return Object.freeze({
      der,
      tbs,
      signature,
      signatureAlgorithmOid: cert.signatureAlgorithm.algorithm,
      version: t.version + 1,
      serial: serialToHex(new Uint8Array(t.serialNumber)),
      issuer: t.issuer,
      subject: t.subject,
      notBefore: t.validity.notBefore.getTime(),
      notAfter: t.validity.notAfter.getTime(),
      spki: new Uint8Array(AsnConvert.serialize(t.subjectPublicKeyInfo)),
      extensions: decodeExtensions(t.extensions),
    });
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError(
      'ERR_PKI_CERT_MALFORMED',
      `${what} is not a valid X.509 certificate: ${(err as Error).message}`,
      {
        cause: err,
        details: { what },
      },
    );
  }
}

/** Every certificate in a PEM bundle (or one DER certificate). */
export function parseCertificates(input: string | Uint8Array, what = 'certificate'): ParsedCertificate[] {
  return decodePem(input, CERT_LABELS, what).map((b) => parseCertificateDer(b.der, what));
}

export function parseCertificate(input: string | Uint8Array, what = 'certificate'): ParsedCertificate {
  const all = parseCertificates(input, what);
  if (all.length !== 1) {
    throw new LabError('ERR_PKI_CERT_MALFORMED', `${what}: expected one certificate, found ${all.length}`, {
      details: { what },
    });
  }
  return all[0]!;
}

export function certificateToPem(der: Uint8Array): string {
  return encodePem('CERTIFICATE', der);
}

export function fingerprint(der: Uint8Array, hash: 'sha256' | 'sha1' = 'sha256'): string {
  return createHash(hash).update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

export function serialToHex(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i)).toString('hex').toUpperCase();
}

/** Normalise a user-typed serial ("0x1a:2B", "1A2B") to the index form. */
export function normaliseSerial(text: string): string | undefined {
  const hex = text.trim().replace(/^0x/i, '').replace(/:/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  return serialToHex(Uint8Array.from(Buffer.from(even, 'hex')));
}

export interface TbsCertificateParams {
  /** Positive serial number, big-endian, at most 20 octets (RFC 5280 §4.1.2.2). */
  readonly serial: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** Build the TBS, have the signer sign its exact DER, and assemble the certificate. */
export async function signCertificate(params: TbsCertificateParams, signer: Signer): Promise<Uint8Array> {
  const serial = positiveInteger(params.serial);
  if (serial.length > 20) throw new RangeError('RFC 5280 §4.1.2.2: serial numbers are at most 20 octets');
  const sigAlg = algorithmIdentifier(signer.signatureAlgorithm);
  const tbs = new TBSCertificate({
    version: 2, // v3
    serialNumber: toArrayBuffer(serial),
    signature: sigAlg,
    issuer: params.issuer,
    validity: new Validity({ notBefore: params.notBefore, notAfter: params.notAfter }),
    subject: params.subject,
    subjectPublicKeyInfo: AsnConvert.parse(params.subjectPublicKeyInfo, SubjectPublicKeyInfo),
    extensions: new Extensions([...params.extensions]),
  });
  // Time values carry whole seconds only (RFC 5280 §4.1.2.5.1/§4.1.2.5.2).
  tbs.validity.notBefore = new Time(params.notBefore);
  tbs.validity.notAfter = new Time(params.notAfter);
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await signer.sign(tbsDer);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: sigAlg,
    signatureValue: toArrayBuffer(signature),
  });
  const der = new Uint8Array(AsnConvert.serialize(cert));
  // The signature must cover exactly the bytes we handed the signer.
  if (!Buffer.from(splitSigned(der).tbs).equals(Buffer.from(tbsDer)))
    throw new Error('TBS re-encoding mismatch');
  return der;
}

/** DER INTEGER content for a positive value: a 0x00 is prepended when the top bit is set. */
export function positiveInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  if (trimmed.length === 1 && trimmed[0] === 0) throw new RangeError('serial number must be positive');
  return trimmed[0]! & 0x80 ? Uint8Array.from([0, ...trimmed]) : trimmed;
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
