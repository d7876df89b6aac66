import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import { LabError } from '../../core/errors.js';
import { DerError, readChildren, readTlv } from '../../pki/der.js';
import { nameAttributes } from '../../pki/names.js';
import type { PeerCertificate } from '../types.js';

/**
 * The identity a verified client certificate gives: its first CN (use_identity_as_username)
 * and its subject in RFC 2253 form — last RDN first, comma-separated — which is what
 * Mosquitto's use_subject_as_username takes from X509_NAME_print_ex(XN_FLAG_RFC2253).
 * Only the subject is decoded, from the DER that OpenSSL already verified: this runs on every
 * mTLS connection, and a full certificate parse would cost more than the rest of CONNECT.
 */
export function peerCertificateFromDer(der: Uint8Array): PeerCertificate {
  const attributes = nameAttributes(AsnConvert.parse(subjectDer(der), Name));
  const cn = attributes.find((a) => a.type === 'CN')?.value;
  const subject = attributes
    .map((a) => `${a.type}=${escapeRfc2253(a.value)}`)
    .reverse()
    .join(',');
  return { commonName: cn, subject };
}

// RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, … }; TBSCertificate ::= SEQUENCE {
// [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, … }.
function subjectDer(der: Uint8Array): Uint8Array {
  try {
    const tbs = readChildren(readTlv(der).value)[0];
    const fields = tbs ? readChildren(tbs.value) : [];
    const first = fields[0]?.tag === 0xa0 ? 1 : 0;
    const subject = fields[first + 4];
    if (!subject) throw new DerError('no subject');
    return subject.raw;
  } catch (err) {
    throw new LabError('ERR_PKI_CERT_MALFORMED', 'client certificate: cannot read its subject', {
      cause: err,
    });
  }
}

// RFC 2253 §2.4: escape , + " \ < > ; anywhere, # at the start, space at either end.
function escapeRfc2253(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}
