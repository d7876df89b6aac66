import { createPrivateKey } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { LabError } from '../../core/errors.js';
import { decodePem } from '../../pki/pem.js';
import { keySigner, type Signer } from '../../pki/signer.js';

/** Highest TLS version the device offers: the lab sheet's ESP32 negotiates 1.2 (its capture shows it). */
export type DeviceTlsVersion = '1.2' | '1.3';

/**
 * What the device's TLS client is built from. Two stacks:
 * - `device`: the project's own TLS client, as mbedtls behaves on the ESP32 — it takes the key
 *   as a signer and never checks it against the certificate, so a wrong key reaches the
 *   broker, which refuses the CertificateVerify ("bad signature"). A signer may be a key parsed
 *   from PEM (Steps 2–3) or the secure element itself (slot 0). TLS 1.2 only by default; with
 *   `--tls-version 1.3` and the key in the secure element, TLS 1.3 preferred and 1.2 offered,
 *   the chip signing the TLS 1.3 CertificateVerify.
 * - `node` (TLS 1.3 on request, key bytes in the firmware): Node's TLS, which needs the key
 *   bytes and refuses a key that does not match the certificate before connecting.
 */
export type DeviceTls =
  | {
      readonly stack: 'device';
      /** Offered versions, highest first: ['1.2'] (the ESP32) or ['1.3', '1.2']. */
      readonly versions: readonly DeviceTlsVersion[];
      readonly trustAnchors: readonly Uint8Array[];
      readonly certificateChain: readonly Uint8Array[];
      readonly signer: Signer;
    }
  | { readonly stack: 'node'; readonly context: SecureContext };

export interface DeviceTlsMaterial {
  readonly caCert: string;
  readonly clientCert: string;
  /** Firmware buffer with the PEM key; wiped by the caller once the TLS stack holds the key. */
  readonly keyPem?: Uint8Array;
  /** A signer that keeps the key elsewhere (the secure element's slot 0). */
  readonly signer?: Signer;
  readonly maxVersion: DeviceTlsVersion;
}

/** `tlsClient.setCACert / setCertificate / setPrivateKey`: the stack parses what it is given. */
export function deviceTls(m: DeviceTlsMaterial): DeviceTls {
  // Node's TLS cannot sign with a key that stays in the chip: with a signer, TLS 1.3 is ours.
  if (m.maxVersion === '1.3' && m.signer === undefined) return { stack: 'node', context: nodeContext(m) };
  const der = (pem: string, what: string): Uint8Array[] =>
    decodePem(pem, ['CERTIFICATE'], what).map((block) => block.der);
  let signer = m.signer;
  if (signer === undefined) {
    if (m.keyPem === undefined) {
      throw new LabError('ERR_TLS_HANDSHAKE', 'no private key and no signer for the client certificate', {
        details: { reason: 'no-key' },
      });
    }
    try {
      // The parsed key lives in the TLS stack for the session (mbedtls' pk context on the ESP32).
      const view = Buffer.from(m.keyPem.buffer, m.keyPem.byteOffset, m.keyPem.byteLength); // no copy to wipe
      signer = keySigner(createPrivateKey({ key: view, format: 'pem' }));
    } catch (err) {
      throw new LabError('ERR_SE_KEY_FORMAT', 'the private key the firmware built does not parse', {
        details: { reason: 'bad-key' },
        cause: err,
      });
    }
  }
  return {
    stack: 'device',
    versions: m.maxVersion === '1.3' ? ['1.3', '1.2'] : ['1.2'],
    trustAnchors: der(m.caCert, 'ca_cert'),
    certificateChain: der(m.clientCert, 'client_cert'),
    signer,
  };
}

function nodeContext(m: DeviceTlsMaterial): SecureContext {
  if (m.keyPem === undefined) {
    throw new LabError(
      'ERR_TLS_HANDSHAKE',
      "TLS 1.3 with a key in the firmware uses Node's TLS, which needs the key bytes",
      {
        details: { reason: 'tls13-needs-key-bytes' },
      },
    );
  }
  try {
    return createSecureContext({
      ca: m.caCert,
      cert: m.clientCert,
      key: Buffer.from(m.keyPem.buffer, m.keyPem.byteOffset, m.keyPem.byteLength),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
  } catch (err) {
    const mismatch = (err as { code?: string }).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH';
    throw new LabError(
      'ERR_TLS_HANDSHAKE',
      mismatch
        ? 'the private key does not match the client certificate (refused by the TLS library before connecting)'
        : `the TLS library refused the device's certificates or key: ${(err as Error).message}`,
      { details: { reason: mismatch ? 'key-certificate-mismatch' : 'bad-credentials' }, cause: err },
    );
  }
}
