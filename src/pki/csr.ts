import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Attribute, type Extension, Extensions, type Name, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { LabError } from '../core/errors.js';
import { algorithmIdentifier, signatureAlgorithmName, verifySignature } from './algorithms.js';
import { toArrayBuffer } from './certificate.js';
import { DerError, splitSigned } from './der.js';
import {
  type DecodedExtensions,
  decodeExtensions,
  OID,
  type SanEntry,
  subjectAltNameExtension,
} from './extensions.js';
import { decodePem, encodePem } from './pem.js';
import type { Signer } from './signer.js';

export interface ParsedCsr {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly subject: Name;
  readonly spki: Uint8Array;
  /** Extensions asked for in the extensionRequest attribute (RFC 2985 §5.4.2). */
  readonly requestedExtensions: DecodedExtensions;
  /** The raw requested extensions, so a CA can copy the ones its policy allows. */
  readonly requestedExtensionList: readonly Extension[];
}

export const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;

export function parseCsr(input: string | Uint8Array, what = 'CSR'): ParsedCsr {
  const block = decodePem(input, CSR_LABELS, what);
  if (block.length !== 1)
    throw new LabError('ERR_PKI_CSR_MALFORMED', `${what}: expected one CSR, found ${block.length}`);
  const der = block[0]!.der;
  try {
    const { tbs, signature } = splitSigned(der);
    const req = AsnConvert.parse(der, CertificationRequest);
    const info = req.certificationRequestInfo;
    // RFC 2986 §4.1: version is 0 (v1).
    if (info.version !== 0) throw new DerError(`unsupported CSR version ${info.version}`);
    const extList = [];
    for (const attr of info.attributes) {
      if (attr.type !== OID.extensionRequest) continue;
      for (const v of attr.values) extList.push(...AsnConvert.parse(v, Extensions));
    }
    return Object.freeze({
      der,
      tbs,
      signature,
      signatureAlgorithmOid: req.signatureAlgorithm.algorithm,
      subject: info.subject,
      spki: new Uint8Array(AsnConvert.serialize(info.subjectPKInfo)),
      requestedExtensions: decodeExtensions(extList),
      requestedExtensionList: extList,
    });
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError(
      'ERR_PKI_CSR_MALFORMED',
      `${what} is not a valid PKCS#10 request: ${(err as Error).message}`,
      {
        cause: err,
        details: { what },
      },
    );
  }
}

/**
 * Proof of possession (RFC 2986 §3): the request is signed by the private key of the public
 * key it carries. Throws ERR_PKI_CSR_SIGNATURE when it is not.
 */
export function assertCsrSignature(csr: ParsedCsr, what = 'CSR'): void {
  if (!verifySignature(csr.spki, csr.signatureAlgorithmOid, csr.tbs, csr.signature)) {
    throw new LabError(
      'ERR_PKI_CSR_SIGNATURE',
      `${what}: the self-signature (${signatureAlgorithmName(csr.signatureAlgorithmOid)}) does not verify`,
      {
        details: { what },
      },
    );
  }
}

export interface CsrParams {
  readonly subject: Name;
  readonly sans?: readonly SanEntry[];
}

/** Build and sign a PKCS#10 request; the signer may be a software key or a secure element. */
export async function createCsr(params: CsrParams, signer: Signer): Promise<Uint8Array> {
  const attributes = new Attributes();
  if (params.sans && params.sans.length > 0) {
    const exts = new Extensions([subjectAltNameExtension(params.sans, false)]);
    attributes.push(new Attribute({ type: OID.extensionRequest, values: [AsnConvert.serialize(exts)] }));
  }
  const info = new CertificationRequestInfo({
    version: 0,
    subject: params.subject,
    subjectPKInfo: AsnConvert.parse(signer.publicKeyInfo, SubjectPublicKeyInfo),
    attributes,
  });
  const infoDer = new Uint8Array(AsnConvert.serialize(info));
  const signature = await signer.sign(infoDer);
  const req = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: algorithmIdentifier(signer.signatureAlgorithm),
    signature: toArrayBuffer(signature),
  });
  return new Uint8Array(AsnConvert.serialize(req));
}

export function csrToPem(der: Uint8Array): string {
  return encodePem('CERTIFICATE REQUEST', der);
}
