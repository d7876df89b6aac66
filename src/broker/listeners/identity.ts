import { parseCertificateDer } from '../../pki/certificate.js';
import { nameAttributes } from '../../pki/names.js';
import type { PeerCertificate } from '../types.js';

/**
 * The identity a verified client certificate gives: its CN (use_identity_as_username) and its
 * subject in RFC 2253 form — last RDN first, comma-separated — which is what Mosquitto's
 * use_subject_as_username takes from OpenSSL's X509_NAME_print_ex(XN_FLAG_RFC2253).
 */
export function peerCertificateFromDer(der: Uint8Array): PeerCertificate {
  const cert = parseCertificateDer(der, 'client certificate');
  const attributes = nameAttributes(cert.subject);
  const cn = attributes.find((a) => a.type === 'CN')?.value;
  const subject = attributes
    .slice()
    .reverse()
    .map((a) => `${a.type}=${escapeRfc2253(a.value)}`)
    .join(',');
  return { commonName: cn, subject };
}

// RFC 2253 §2.4: escape , + " \ < > ; anywhere, # at the start, space at either end.
function escapeRfc2253(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}
