import { type ParsedCertificate, parseCertificateDer, parseCertificates } from '../pki/certificate.js';
import { type ParsedCrl, parseCrl } from '../pki/crl.js';
import { nameToString, namesEqual } from '../pki/names.js';
import { checkRevocation } from '../pki/validate-crl.js';

export interface CertificateStatus {
  readonly serialNumber: string;
  readonly subject: string;
  readonly notAfter: Date;
  /** Listed in a CRL of the listener whose signature verifies with the issuer from its CA bundle. */
  readonly revoked: boolean;
}

/**
 * Decides whether the certificate of a client that is already connected has since been revoked,
 * with the same PKI path code as `mqtts-lab pki verify`: the CRL must be issued by the
 * certificate's issuer (found in the listener's CA bundle) and verify with its key, so a CRL
 * from elsewhere cannot disconnect anyone.
 */
export class RevocationChecker {
  readonly #anchors: readonly ParsedCertificate[];
  readonly #crls: readonly ParsedCrl[];

  constructor(caPems: readonly Uint8Array[], crlPems: readonly Uint8Array[]) {
    this.#anchors = caPems.flatMap((pem) => parseCertificates(pem, 'cafile'));
    this.#crls = crlPems.map((pem) => parseCrl(pem, 'crlfile'));
  }

  get hasCrls(): boolean {
    return this.#crls.length > 0;
  }

  status(der: Uint8Array, at: Date): CertificateStatus {
    const leaf = parseCertificateDer(der, 'client certificate');
    const issuer = this.#anchors.find((ca) => namesEqual(ca.subject, leaf.issuer));
    const failures = issuer ? checkRevocation([leaf, issuer], this.#crls, 'leaf', at) : [];
    return {
      serialNumber: leaf.serial,
      subject: nameToString(leaf.subject),
      notAfter: leaf.notAfter,
      revoked: failures.some((f) => f.reason === 'REVOKED'),
    };
  }
}
