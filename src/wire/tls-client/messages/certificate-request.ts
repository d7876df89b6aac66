import { ByteReader } from '../bytes.js';

/** RFC 5246 §7.4.4 CertificateRequest. */
export interface CertificateRequest {
  /** ClientCertificateType values: rsa_sign(1), ecdsa_sign(64) (RFC 8422 §5.5), … */
  readonly certificateTypes: readonly number[];
  readonly signatureSchemes: readonly number[];
  /** DER DistinguishedNames of acceptable CAs; informational, we send our chain regardless. */
  readonly authorities: readonly Uint8Array[];
}

export const CLIENT_CERT_TYPE = Object.freeze({ rsaSign: 1, ecdsaSign: 64 } as const);

export function parseCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new ByteReader(body, 'CertificateRequest');
  const certificateTypes = [...r.vector(1, 1, 0xff, 'certificate_types')];
  const algs = r.vector(2, 2, 0xfffe, 'supported_signature_algorithms');
  if (algs.length % 2 !== 0) r.fail('supported_signature_algorithms has an odd length');
  const signatureSchemes: number[] = [];
  for (let i = 0; i < algs.length; i += 2) signatureSchemes.push((algs[i]! << 8) | algs[i + 1]!);
  const cas = new ByteReader(r.vector(2, 0, 0xffff, 'certificate_authorities'), 'CertificateRequest');
  const authorities: Uint8Array[] = [];
  while (cas.remaining > 0) authorities.push(cas.vector(2, 1, 0xffff, 'DistinguishedName').slice());
  r.end();
  return { certificateTypes, signatureSchemes, authorities };
}
