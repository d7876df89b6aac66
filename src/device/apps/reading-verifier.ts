/**
 * The M5Stack's side of signed readings: which key speaks for a device, and whether a reading
 * carries that key's signature.
 *
 * Trust comes from the subscriber's own flash, written when it is flashed: the lab CA (the same
 * `ca_cert` its TLS client trusts) and the publisher's certificate (`publisher_cert`). At boot
 * the certificate is validated against that CA with the PKI's path validation — signature,
 * validity period, clientAuth and digitalSignature — and its CN becomes the one deviceId whose
 * readings can be accepted. Nothing that arrives over MQTT can add or change a key: the broker
 * is exactly the party the signature must hold out against.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { type Clock, systemClock } from '../../core/clock.js';
import { LabError } from '../../core/errors.js';
import { fingerprint, type ParsedCertificate, parseCertificates, validatePath } from '../../pki/index.js';
import { nameField, nameToString } from '../../pki/names.js';
import type { Reading } from './reading.js';
import { decodeSig, readingSignedBytes } from './reading-signature.js';

/** Why a reading is not accepted as its device's. */
export type FlagReason = 'unsigned' | 'malformed-signature' | 'bad-signature' | 'unknown-device';
export type SignatureVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: FlagReason };

export interface ReadingVerifierOptions {
  /** PEM: the CA compiled into the subscriber's firmware. */
  readonly caCert: string;
  /** PEM: the publisher's certificate, compiled into the subscriber's firmware. */
  readonly publisherCert: string;
  /** The certificate must be valid at this clock's now (default: system time). */
  readonly clock?: Clock;
}

export class ReadingVerifier {
  /** The certificate's CN: the only device whose readings verify. */
  readonly deviceId: string;
  readonly certificate: ParsedCertificate;
  readonly #key: KeyObject;

  private constructor(certificate: ParsedCertificate, deviceId: string, key: KeyObject) {
    this.certificate = certificate;
    this.deviceId = deviceId;
    this.#key = key;
  }

  /**
   * ERR_TELEMETRY_SIGNER_UNTRUSTED (with `details.reason`, a path-validation reason or
   * 'not-end-entity' / 'not-p256' / 'no-cn') when the certificate cannot vouch for readings; a subscriber that
   * cannot verify does not start.
   */
  static create(o: ReadingVerifierOptions): ReadingVerifier {
    const [leaf, ...intermediates] = parseCertificates(o.publisherCert, 'publisher_cert');
    const anchors = parseCertificates(o.caCert, 'ca_cert');
    // A device's certificate authenticates it by signatures: clientAuth and digitalSignature.
    const path = validatePath({
      leaf: leaf!,
      anchors,
      intermediates,
      purpose: 'client',
      clock: o.clock ?? systemClock,
    });
    if (!path.valid) {
      const first = path.failures[0]!;
      throw untrusted(`it does not validate against the CA in flash: ${first.message}`, first.reason, leaf!);
    }
    // A device signs as an end entity; a CA certificate here would make the CA's key a device.
    if (leaf!.extensions.basicConstraints?.ca === true) {
      throw untrusted('it is a CA certificate, not a device certificate', 'not-end-entity', leaf!);
    }
    const key = createPublicKey({ key: Buffer.from(leaf!.spki), format: 'der', type: 'spki' });
    // The ATECC608B's slot-0 key is P-256, and `sig` is sized for it (64 bytes R‖S).
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw untrusted('its key is not P-256', 'not-p256', leaf!);
    }
    const cn = nameField(leaf!.subject, 'CN');
    if (cn === undefined) throw untrusted('it has no CN to match a deviceId', 'no-cn', leaf!);
    return new ReadingVerifier(leaf!, cn, key);
  }

  /** SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` prints it. */
  get fingerprint(): string {
    return fingerprint(this.certificate.der);
  }

  /**
   * Whether `reading`, received on `topic`, is the device's. A reading in another device's
   * name has no certificate here, whatever its signature: it is never the pinned device's.
   */
  verify(reading: Reading, topic: string): SignatureVerdict {
    if (reading.deviceId !== this.deviceId) return { ok: false, reason: 'unknown-device' };
    if (reading.sig === undefined) return { ok: false, reason: 'unsigned' };
    const raw = decodeSig(reading.sig);
    if (raw === undefined) return { ok: false, reason: 'malformed-signature' };
    const good = verify(
      'sha256',
      readingSignedBytes(reading, topic),
      { key: this.#key, dsaEncoding: 'ieee-p1363' },
      raw,
    );
    return good ? { ok: true } : { ok: false, reason: 'bad-signature' };
  }
}

function untrusted(why: string, reason: string, cert: ParsedCertificate): LabError {
  return new LabError(
    'ERR_TELEMETRY_SIGNER_UNTRUSTED',
    `the publisher certificate (${nameToString(cert.subject)}) cannot vouch for readings: ${why}`,
    { details: { reason, subject: nameToString(cert.subject) } },
  );
}
