import { createSecureContext, type SecureContext } from 'node:tls';
import { LabError } from '../../core/errors.js';

/** `tls_version` of the device: the ESP32 in the lab sheet negotiates TLS 1.2 (its capture shows it). */
export type DeviceTlsVersion = '1.2' | '1.3';

export interface DeviceTlsMaterial {
  readonly caCert: string;
  readonly clientCert?: string;
  /** Firmware buffer with the PEM key; zeroed by the caller once the context exists. */
  readonly keyPem?: Uint8Array;
  readonly maxVersion: DeviceTlsVersion;
}

/**
 * `tlsClient.setCACert / setCertificate / setPrivateKey`: the TLS stack parses the PEM into
 * its own context (as mbedtls does on the ESP32), which then serves every reconnection, so the
 * firmware's buffers can be wiped right after.
 */
export function deviceSecureContext(m: DeviceTlsMaterial): SecureContext {
  try {
    return createSecureContext({
      ca: m.caCert,
      ...(m.clientCert === undefined ? {} : { cert: m.clientCert }),
      ...(m.keyPem === undefined
        ? {}
        : { key: Buffer.from(m.keyPem.buffer, m.keyPem.byteOffset, m.keyPem.byteLength) }),
      minVersion: 'TLSv1.2',
      maxVersion: m.maxVersion === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
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
