import { createPublicKey, type KeyObject } from 'node:crypto';
import { concat, u8 } from '../bytes.js';
import { handshakeFailure } from '../failure.js';
import type { ClientSettings } from '../options.js';
import {
  type SignatureScheme,
  schemeForSigner,
  signatureSchemeById,
  verifyWithScheme,
} from '../signature-schemes.js';

/** RFC 8446 §4.2.3: in TLS 1.3 an ecdsa_* scheme names its curve. */
const SCHEME_CURVE: Readonly<Record<number, string>> = {
  0x0403: 'prime256v1',
  0x0503: 'secp384r1',
  0x0603: 'secp521r1',
};

/**
 * A scheme usable for a TLS 1.3 CertificateVerify: ECDSA on its own curve or RSASSA-PSS with
 * an rsaEncryption key. RFC 8446 §4.2.3: "rsa_pkcs1_* ... are not defined for use in signed TLS
 * handshake messages"; §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm".
 */
export function usableIn13(s: SignatureScheme): boolean {
  return s.padding === 'pss' || s.id in SCHEME_CURVE;
}

/** RFC 8446 §4.4.3: 64 spaces ‖ context string ‖ 0 ‖ Transcript-Hash(…, Certificate). */
export function signedContent(context: string, transcriptHash: Uint8Array): Uint8Array {
  return concat(new Uint8Array(64).fill(0x20), new TextEncoder().encode(context), u8(0), transcriptHash);
}

/** Judge the server's CertificateVerify (RFC 8446 §4.4.3). */
export function verifyServerSignature(
  offered: readonly number[],
  schemeId: number,
  key: KeyObject,
  content: Uint8Array,
  signature: Uint8Array,
): SignatureScheme {
  const scheme = signatureSchemeById(schemeId);
  // RFC 8446 §4.4.3: "the signature algorithm MUST be one offered in the client's
  // "signature_algorithms" extension"; one we did not offer, or one TLS 1.3 forbids here, is illegal_parameter.
  if (!scheme || !offered.includes(schemeId) || !usableIn13(scheme))
    throw handshakeFailure('illegal_parameter', `the server signed with scheme 0x${schemeId.toString(16)}`, {
      signatureScheme: schemeId,
    });
  const curve = SCHEME_CURVE[schemeId];
  const keyFits =
    key.asymmetricKeyType === scheme.key &&
    (curve === undefined || key.asymmetricKeyDetails?.namedCurve === curve);
  // RFC 8446 §4.4.3: "If the verification fails, the receiver MUST terminate the handshake with a
  // "decrypt_error" alert" — a scheme that does not fit the certificate key cannot verify either.
  if (!keyFits || !verifyWithScheme(scheme, key, content, signature))
    throw handshakeFailure(
      'decrypt_error',
      'the server CertificateVerify does not verify with its certificate key',
      {
        signatureScheme: scheme.name,
      },
    );
  return scheme;
}

/** Our answer to a TLS 1.3 CertificateRequest: chain, scheme, and the signer to call. */
export interface Credential13 {
  readonly chain: readonly Uint8Array[];
  readonly scheme: SignatureScheme;
  sign(content: Uint8Array): Promise<Uint8Array>;
}

/**
 * The Signer's scheme in TLS 1.3, if it has one the server accepts; else undefined and we send
 * an empty Certificate (RFC 8446 §4.4.2.4: "If the server requests client authentication but no
 * suitable certificate is available, the client MUST send a Certificate message containing no
 * certificates"). A Signer hashes what it signs: ECDSA with the hash its curve names is a TLS 1.3
 * scheme, and so is an RSA Signer with `rsaPadding: 'pss'` (rsa_pss_rsae_*); PKCS#1 v1.5 never
 * is (§4.4.3), so such an RSA Signer sends an empty Certificate. As in TLS 1.2, the Signer's key
 * is NOT checked against the certificate: the server judges (docs/tls-client.md).
 */
export function chooseCredential13(
  requested: readonly number[],
  s: ClientSettings,
): Credential13 | undefined {
  const signer = s.signer;
  if (!signer || s.certificateChain.length === 0) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(signer.publicKeyInfo), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  const scheme = schemeForSigner(signer.signatureAlgorithm, signer.rsaPadding);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const fits =
    usableIn13(scheme) &&
    key.asymmetricKeyType === scheme.key &&
    (SCHEME_CURVE[scheme.id] === undefined || SCHEME_CURVE[scheme.id] === curve);
  if (!fits || !requested.includes(scheme.id)) return undefined;
  return {
    chain: s.certificateChain,
    scheme,
    async sign(content) {
      let signature: unknown;
      try {
        signature = await signer.sign(content);
      } catch (err) {
        // A secure element that stops answering mid-handshake lands here.
        throw handshakeFailure('internal_error', 'the signer failed to sign CertificateVerify', {}, err);
      }
      // RFC 8446 §4.4.3: opaque signature<0..2^16-1>.
      if (!(signature instanceof Uint8Array) || signature.length === 0 || signature.length > 0xffff)
        throw handshakeFailure('internal_error', 'the signer returned no usable signature');
      return signature;
    },
  };
}
