import { handshakeFailure } from './failure.js';
import { CLIENT_CERT_TYPE, type CertificateRequest } from './messages/certificate-request.js';
import type { ClientSettings } from './options.js';
import { type SignatureScheme, schemeForSigner } from './signature-schemes.js';

/** What we answer a CertificateRequest with: our chain and a way to sign CertificateVerify. */
export interface ClientCredential {
  readonly chain: readonly Uint8Array[];
  readonly scheme: SignatureScheme;
  sign(tbs: Uint8Array): Promise<Uint8Array>;
}

/**
 * Our chain if the server can take it, else undefined (an empty Certificate, RFC 5246 §7.4.6:
 * "If no suitable certificate is available, the client MUST send a certificate message
 * containing no certificates"). Suitable means: the signer's scheme is in the server's
 * supported_signature_algorithms (RFC 5246 §7.4.4, §7.4.8) and its key type in
 * certificate_types. Whether the signer's key is the certificate's key is NOT checked: an
 * ESP32 with a wrong secure element sends the signature anyway, and the server refuses it.
 */
export function chooseClientCredential(
  req: CertificateRequest,
  s: ClientSettings,
): ClientCredential | undefined {
  const signer = s.signer;
  if (!signer || s.certificateChain.length === 0) return undefined;
  const scheme = schemeForSigner(signer.signatureAlgorithm, signer.rsaPadding);
  const type = scheme.key === 'ec' ? CLIENT_CERT_TYPE.ecdsaSign : CLIENT_CERT_TYPE.rsaSign;
  if (!req.signatureSchemes.includes(scheme.id) || !req.certificateTypes.includes(type)) return undefined;
  return {
    chain: s.certificateChain,
    scheme,
    async sign(tbs) {
      let signature: unknown;
      try {
        signature = await signer.sign(tbs);
      } catch (err) {
        // A secure element that stops answering mid-handshake lands here.
        throw handshakeFailure('internal_error', 'the signer failed to sign CertificateVerify', {}, err);
      }
      // RFC 5246 §7.4.8: signature<0..2^16-1>.
      if (!(signature instanceof Uint8Array) || signature.length === 0 || signature.length > 0xffff)
        throw handshakeFailure('internal_error', 'the signer returned no usable signature');
      return signature;
    },
  };
}
