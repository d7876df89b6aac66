import type { ParsedCertificate } from './certificate.js';
import type { ParsedCrl } from './crl.js';
import { namesEqual, nameToString } from './names.js';
import { isSelfIssued, signatureVerdict } from './validate-build.js';
import type { PathFailure, VerifyReason } from './validate-reasons.js';

export type CrlCheck = 'none' | 'leaf' | 'all';

/**
 * RFC 5280 §6.3 revocation status of the certificates of a path, in openssl's order
 * (check_revocation → check_crl → cert_crl): issuer key usage, CRL times, CRL signature,
 * unhandled critical CRL extensions, then the serial number. Depth 0 only for 'leaf'; every
 * certificate including the anchor for 'all' (a root's own CRL covers the root, as in openssl).
 */
export function checkRevocation(
  chain: readonly ParsedCertificate[],
  crls: readonly ParsedCrl[],
  mode: CrlCheck,
  at: Date,
): PathFailure[] {
  const out: PathFailure[] = [];
  const last = mode === 'all' ? chain.length - 1 : mode === 'leaf' ? 0 : -1;
  for (let depth = 0; depth <= last; depth++) {
    const cert = chain[depth]!;
    const fail = (reason: VerifyReason, message: string) =>
      out.push({ reason, depth, subject: nameToString(cert.subject), message });
    const issuer = depth + 1 < chain.length ? chain[depth + 1]! : isSelfIssued(cert) ? cert : undefined;
    // Without the issuer's certificate no CRL can be authenticated; the path already fails
    // with ISSUER_UNKNOWN in that case.
    if (!issuer) continue;
    // §6.3.3 (b): the CRL issuer is the certificate issuer (no indirect CRLs here).
    const candidates = crls.filter((c) => namesEqual(c.issuer, cert.issuer));
    const crl = bestCrl(candidates, issuer, at);
    if (!crl) {
      fail('CRL_MISSING', `no CRL issued by ${nameToString(cert.issuer)} was given`);
      continue;
    }
    // §6.3.3 (f): the CRL issuer's key must be allowed to sign CRLs.
    const ku = issuer.extensions.keyUsage;
    if (ku && !ku.usages.includes('cRLSign'))
      fail('CRL_KEY_USAGE', "the CRL issuer's keyUsage lacks cRLSign");
    // §6.3.3 (a)(1)-(2): thisUpdate not in the future, nextUpdate not in the past.
    if (crl.thisUpdate.getTime() > at.getTime()) {
      fail(
        'CRL_NOT_YET_VALID',
        `CRL thisUpdate ${crl.thisUpdate.toISOString()} is after ${at.toISOString()}`,
      );
    }
    if (crl.nextUpdate && crl.nextUpdate.getTime() < at.getTime()) {
      fail('CRL_EXPIRED', `CRL nextUpdate ${crl.nextUpdate.toISOString()} is before ${at.toISOString()}`);
    }
    // §6.3.3 (g): a CRL that does not verify says nothing, so its entries are not read.
    const sig = crlSignature(crl, issuer);
    if (sig !== 'ok') {
      if (sig === 'unsupported')
        fail(
          'ALGORITHM_UNSUPPORTED',
          `CRL signature algorithm ${crl.signatureAlgorithmOid} is not supported`,
        );
      else fail('CRL_SIGNATURE_INVALID', "the CRL signature does not verify with the issuer's key");
      continue;
    }
    // §5.2: a CRL with a critical extension we do not process must not be used to decide.
    if (crl.unhandledCritical.length > 0) {
      fail(
        'CRL_CRITICAL_EXTENSION_UNHANDLED',
        `CRL critical extension(s) not processed: ${crl.unhandledCritical.join(', ')}`,
      );
      continue;
    }
    // §6.3.3 (i): the serial is listed. removeFromCRL only appears in delta CRLs (§5.3.1).
    const entry = crl.revoked.get(cert.serial);
    if (entry && entry.reason !== 'removeFromCRL') {
      fail('REVOKED', `serial ${cert.serial} revoked at ${entry.revokedAt.toISOString()} (${entry.reason})`);
    }
  }
  return out;
}

/**
 * The CRL to use among several from the same issuer, ranked like openssl's get_crl_score:
 * no unhandled critical extension, then current at `at`, then (our stand-in for its
 * authorityKeyIdentifier match) signed by this issuer's key, then the newest thisUpdate.
 */
function bestCrl(crls: readonly ParsedCrl[], issuer: ParsedCertificate, at: Date): ParsedCrl | undefined {
  const score = (c: ParsedCrl) =>
    (c.unhandledCritical.length === 0 ? 4 : 0) +
    (crlCurrent(c, at) ? 2 : 0) +
    (crlSignature(c, issuer) === 'ok' ? 1 : 0);
  let best: ParsedCrl | undefined;
  for (const c of crls) {
    if (!best || score(c) > score(best) || (score(c) === score(best) && c.thisUpdate > best.thisUpdate))
      best = c;
  }
  return best;
}

function crlCurrent(crl: ParsedCrl, at: Date): boolean {
  return (
    crl.thisUpdate.getTime() <= at.getTime() && (!crl.nextUpdate || at.getTime() <= crl.nextUpdate.getTime())
  );
}

function crlSignature(crl: ParsedCrl, issuer: ParsedCertificate): 'ok' | 'bad' | 'unsupported' {
  return signatureVerdict(issuer.spki, crl.signatureAlgorithmOid, crl.tbs, crl.signature);
}
