import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  CertificateList,
  CRLNumber,
  CRLReason,
  CRLReasons,
  Extension,
  type Name,
  RevokedCertificate,
  TBSCertList,
  Time,
} from '@peculiar/asn1-x509';
import { LabError } from '../core/errors.js';
import { algorithmIdentifier } from './algorithms.js';
import { positiveInteger, serialToHex, toArrayBuffer } from './certificate.js';
import { DerError, splitSigned } from './der.js';
import { authorityKeyIdentifierExtension, OID } from './extensions.js';
import { decodePem, encodePem } from './pem.js';
import type { Signer } from './signer.js';

/** RFC 5280 §5.3.1 reason codes, by the names openssl's index.txt uses. */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'CACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'removeFromCRL',
  'privilegeWithdrawn',
  'AACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

const REASON_CODE: Readonly<Record<RevocationReason, CRLReasons>> = {
  unspecified: CRLReasons.unspecified,
  keyCompromise: CRLReasons.keyCompromise,
  CACompromise: CRLReasons.cACompromise,
  affiliationChanged: CRLReasons.affiliationChanged,
  superseded: CRLReasons.superseded,
  cessationOfOperation: CRLReasons.cessationOfOperation,
  certificateHold: CRLReasons.certificateHold,
  removeFromCRL: CRLReasons.removeFromCRL,
  privilegeWithdrawn: CRLReasons.privilegeWithdrawn,
  AACompromise: CRLReasons.aACompromise,
};

export function parseReason(text: string): RevocationReason {
  const r = REVOCATION_REASONS.find((x) => x.toLowerCase() === text.toLowerCase());
  if (!r) {
    throw new LabError(
      'ERR_PKI_REASON_UNKNOWN',
      `unknown revocation reason "${text}" (use ${REVOCATION_REASONS.join(', ')})`,
      {
        details: { reason: text },
      },
    );
  }
  return r;
}

export interface CrlEntry {
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
}

export interface CrlParams {
  readonly issuer: Name;
  /** The issuer's subjectKeyIdentifier, copied into the CRL's AKI (RFC 5280 §5.2.1). */
  readonly issuerKeyId?: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: number;
  readonly entries: readonly CrlEntry[];
}

export async function signCrl(params: CrlParams, signer: Signer): Promise<Uint8Array> {
  const sigAlg = algorithmIdentifier(signer.signatureAlgorithm);
  const crlExtensions: Extension[] = [
    new Extension({
      extnID: OID.cRLNumber,
      critical: false,
      extnValue: new OctetString(AsnConvert.serialize(new CRLNumber(params.crlNumber))),
    }),
  ];
  if (params.issuerKeyId) crlExtensions.unshift(authorityKeyIdentifierExtension(params.issuerKeyId));
  const revoked = params.entries.map((e) => {
    // RFC 5280 §5.3.1: reasonCode "unspecified" SHOULD be absent rather than present.
    const entryExt =
      e.reason === 'unspecified'
        ? undefined
        : [
            new Extension({
              extnID: OID.cRLReason,
              critical: false,
              extnValue: new OctetString(AsnConvert.serialize(new CRLReason(REASON_CODE[e.reason]))),
            }),
          ];
    return new RevokedCertificate({
      userCertificate: toArrayBuffer(
        positiveInteger(Uint8Array.from(Buffer.from(e.serial.length % 2 ? `0${e.serial}` : e.serial, 'hex'))),
      ),
      revocationDate: new Time(e.revokedAt),
      crlEntryExtensions: entryExt,
    });
  });
  const tbs = new TBSCertList({
    version: 1, // v2: required because of the extensions (RFC 5280 §5.1.2.1)
    signature: sigAlg,
    issuer: params.issuer,
    thisUpdate: new Time(params.thisUpdate),
    nextUpdate: new Time(params.nextUpdate),
    revokedCertificates: revoked.length > 0 ? revoked : undefined,
    crlExtensions,
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await signer.sign(tbsDer);
  return new Uint8Array(
    AsnConvert.serialize(
      new CertificateList({
        tbsCertList: tbs,
        signatureAlgorithm: sigAlg,
        signature: toArrayBuffer(signature),
      }),
    ),
  );
}

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly issuer: Name;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: number;
  /** The issuer's key identifier (RFC 5280 §5.2.1), to tell same-name issuers apart. */
  readonly authorityKeyId?: Uint8Array;
  readonly revoked: ReadonlyMap<string, { revokedAt: Date; reason: RevocationReason }>;
  readonly unhandledCritical: readonly string[];
}

export function parseCrl(input: string | Uint8Array, what = 'CRL'): ParsedCrl {
  const blocks = decodePem(input, ['X509 CRL'], what);
  if (blocks.length !== 1)
    throw new LabError('ERR_PKI_CRL_MALFORMED', `${what}: expected one CRL, found ${blocks.length}`);
  const der = blocks[0]!.der;
  try {
    const { tbs, signature } = splitSigned(der);
    const list = AsnConvert.parse(der, CertificateList);
    const t = list.tbsCertList;
    // RFC 5280 §5.1.1.2: the outer algorithm MUST equal the one inside the TBS.
    if (t.signature.algorithm !== list.signatureAlgorithm.algorithm) {
      throw new DerError('signatureAlgorithm differs from tbsCertList.signature');
    }
    const unhandledCritical: string[] = [];
    const revoked = new Map<string, { revokedAt: Date; reason: RevocationReason }>();
    for (const r of t.revokedCertificates ?? []) {
      let reason: RevocationReason = 'unspecified';
      for (const e of r.crlEntryExtensions ?? []) {
        // RFC 5280 §5.3: a CRL with a critical entry extension we do not process must not be used.
        if (e.critical && e.extnID !== OID.cRLReason) unhandledCritical.push(e.extnID);
        if (e.extnID === OID.cRLReason) {
          const code = AsnConvert.parse(e.extnValue.buffer, CRLReason).reason;
          reason =
            (Object.entries(REASON_CODE).find(([, c]) => c === code)?.[0] as RevocationReason) ??
            'unspecified';
        }
      }
      revoked.set(serialToHex(new Uint8Array(r.userCertificate)), {
        revokedAt: r.revocationDate.getTime(),
        reason,
      });
    }
    let crlNumber: number | undefined;
    let authorityKeyId: Uint8Array | undefined;
    for (const e of t.crlExtensions ?? []) {
      if (e.extnID === OID.cRLNumber) crlNumber = AsnConvert.parse(e.extnValue.buffer, CRLNumber).value;
      else if (e.extnID === OID.authorityKeyIdentifier) {
        const aki = AsnConvert.parse(e.extnValue.buffer, AuthorityKeyIdentifier);
        if (aki.keyIdentifier) authorityKeyId = new Uint8Array(aki.keyIdentifier.buffer);
      } else if (e.critical && e.extnID !== OID.authorityKeyIdentifier) unhandledCritical.push(e.extnID);
    }
    return Object.freeze({
      der,
      tbs,
      signature,
      signatureAlgorithmOid: list.signatureAlgorithm.algorithm,
      issuer: t.issuer,
      thisUpdate: t.thisUpdate.getTime(),
      nextUpdate: t.nextUpdate?.getTime(),
      crlNumber,
      authorityKeyId,
      revoked,
      unhandledCritical,
    });
  } catch (err) {
    if (err instanceof LabError) throw err;
    const msg = err instanceof DerError ? err.message : (err as Error).message;
    throw new LabError('ERR_PKI_CRL_MALFORMED', `${what} is not a valid X.509 CRL: ${msg}`, {
      cause: err,
      details: { what },
    });
  }
}

export function crlToPem(der: Uint8Array): string {
  return encodePem('X509 CRL', der);
}
