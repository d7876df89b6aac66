import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import { nameToString } from '../../pki/names.js';
import { TlsParseError, TlsReader } from './reader.js';
import { CERTIFICATE_TYPE_NAMES, named, type NamedCode, SIGNATURE_SCHEME_NAMES } from './registry.js';
import type { CertificateRequest } from './types.js';

/**
 * CertificateRequest of TLS ≤ 1.2 (RFC 5246 §7.4.4): the server asks for a client certificate
 * and, in clear, names the CAs it trusts — the lab CA's name is visible to any observer.
 */
export function parseCertificateRequest(body: Uint8Array, tls12: boolean): CertificateRequest {
  const r = new TlsReader(body);
  // RFC 5246 §7.4.4: ClientCertificateType certificate_types<1..2^8-1>.
  const certificateTypes = r.u8List('certificate_types', 1).map((t) => named(CERTIFICATE_TYPE_NAMES, t));
  // RFC 5246 §7.4.4: SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2> (TLS 1.2 only).
  const signatureAlgorithms = tls12
    ? r.u16List(2, 'supported_signature_algorithms', 2, 0xfffe).map((s) => named(SIGNATURE_SCHEME_NAMES, s))
    : undefined;
  // RFC 5246 §7.4.4: DistinguishedName certificate_authorities<0..2^16-1>; opaque DistinguishedName<1..2^16-1>.
  const list = r.vector(2, 'certificate_authorities');
  r.done('CertificateRequest');
  const certificateAuthorities: string[] = [];
  while (list.remaining > 0)
    certificateAuthorities.push(distinguishedName(list.opaque(2, 'DistinguishedName', 1)));
  return { certificateTypes, ...(signatureAlgorithms && { signatureAlgorithms }), certificateAuthorities };
}

/**
 * CertificateRequest of TLS 1.3 (RFC 8446 §4.3.2): a context and extensions — the accepted
 * signature schemes and CA names travel in signature_algorithms and certificate_authorities.
 * Encrypted on the wire: only a key holder reads it.
 */
export function parseCertificateRequest13(
  body: Uint8Array,
  note: (what: string) => void,
): CertificateRequest {
  const r = new TlsReader(body);
  // RFC 8446 §4.3.2: opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>.
  r.opaque(1, 'certificate_request_context');
  const block = r.vector(2, 'CertificateRequest extensions', 2);
  r.done('CertificateRequest');
  let signatureAlgorithms: NamedCode[] | undefined;
  const certificateAuthorities: string[] = [];
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const ext = block.vector(2, 'extension data');
    try {
      if (type === 13) {
        // RFC 8446 §4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>.
        signatureAlgorithms = ext
          .u16List(2, 'signature_algorithms', 2, 0xfffe)
          .map((s) => named(SIGNATURE_SCHEME_NAMES, s));
      } else if (type === 47) {
        // RFC 8446 §4.2.4: DistinguishedName authorities<3..2^16-1>.
        const list = ext.vector(2, 'certificate_authorities', 3);
        while (list.remaining > 0)
          certificateAuthorities.push(distinguishedName(list.opaque(2, 'DistinguishedName', 1)));
      }
    } catch (err) {
      if (!(err instanceof TlsParseError)) throw err;
      note(`CertificateRequest extension ${type}: ${err.message}`);
    }
  }
  // RFC 8446 §4.3.2: the signature_algorithms extension MUST be specified.
  if (!signatureAlgorithms) note('TLS 1.3 CertificateRequest without signature_algorithms');
  return {
    certificateTypes: [],
    ...(signatureAlgorithms && { signatureAlgorithms }),
    certificateAuthorities,
  };
}

function distinguishedName(der: Uint8Array): string {
  try {
    return nameToString(AsnConvert.parse(der, Name));
  } catch {
    return `(not a DER Name: ${der.length} bytes)`;
  }
}
