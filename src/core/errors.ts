/**
 * The one catalog of error codes. A code identifies an error for good; messages may change.
 * Every code here is documented in docs/errors.md (checked by errors.test.ts).
 *
 * Protocol outcomes (a path that fails validation, a CONNACK refusal) are typed data in
 * results, not errors: an error means our code could not do what it was asked.
 */
export const ERROR_CODES = {
  // options and CLI
  ERR_OPTIONS_UNKNOWN_KEY: 'an options object has a key the API does not know',
  ERR_OPTIONS_INVALID: 'an option has a value of the wrong type or out of range',
  ERR_CLI_USAGE: 'the command line is malformed (unknown option, missing argument)',
  // files
  ERR_FS_NOT_FOUND: 'a file or directory the operation needs does not exist',
  ERR_FS_EXISTS: 'the output file exists and --force was not given',
  ERR_FS_IO: 'reading or writing a file failed at the operating-system level',
  ERR_FS_LOCKED: 'another process holds the lock on the PKI directory',
  // encodings
  ERR_PEM_MALFORMED: 'the input is neither valid PEM nor DER of the expected type',
  ERR_PKI_CERT_MALFORMED: 'a certificate does not parse as X.509',
  ERR_PKI_CSR_MALFORMED: 'a certificate signing request does not parse as PKCS#10',
  ERR_PKI_CRL_MALFORMED: 'a CRL does not parse as an X.509 CertificateList',
  ERR_PKI_KEY_MALFORMED: 'a private key does not parse',
  // keys and passphrases
  ERR_PKI_KEY_TYPE_UNKNOWN: 'the requested key type is not one of the supported types',
  ERR_PKI_KEY_UNSUPPORTED: 'the key is of an algorithm or size the PKI does not use',
  ERR_PKI_KEY_PASSPHRASE: 'the passphrase does not decrypt the private key',
  ERR_PKI_PASSPHRASE_REQUIRED: 'a passphrase is needed and none was given',
  ERR_PKI_PASSPHRASE_SOURCE: 'a passphrase source (pass:, env:, file:) is malformed or empty',
  ERR_PKI_KEY_MISMATCH: 'a private key does not belong to the certificate or CSR it is used with',
  // issuance
  ERR_PKI_SUBJECT_INVALID: 'a distinguished name is malformed or empty',
  ERR_PKI_SAN_INVALID: 'a subject alternative name is neither a DNS name, an IP address, a URI nor an e-mail',
  ERR_PKI_PROFILE_UNKNOWN: 'the profile is not ca, intermediate, broker or device',
  ERR_PKI_CSR_SIGNATURE: 'the CSR self-signature does not verify (no proof of possession)',
  ERR_PKI_ALGORITHM_UNSUPPORTED: 'a signature algorithm is not supported',
  ERR_PKI_VALIDITY_INVALID: 'the validity period is empty, negative or not a date',
  ERR_PKI_ISSUER_NOT_CA: 'the issuing certificate is not a CA allowed to sign certificates',
  ERR_PKI_ISSUER_EXPIRED: 'the issuing CA certificate is not valid at the issuance time',
  // index and revocation
  ERR_PKI_INDEX_MALFORMED: 'a line of the issued-certificate index (index.txt) does not parse',
  ERR_PKI_SERIAL_UNKNOWN: 'no certificate with this serial number is in the index',
  ERR_PKI_ALREADY_REVOKED: 'the certificate is already revoked',
  ERR_PKI_REASON_UNKNOWN: 'the revocation reason is not one of RFC 5280 §5.3.1',
  // broker configuration
  ERR_BROKER_CONFIG_UNKNOWN: 'a mosquitto.conf line names an option Mosquitto 2.0 does not know (a typo)',
  ERR_BROKER_CONFIG_UNSUPPORTED:
    'a mosquitto.conf option or value exists in Mosquitto but mqtts-lab refuses it',
  ERR_BROKER_CONFIG_INVALID:
    'a mosquitto.conf value is malformed, out of range, or inconsistent with another',
  ERR_BROKER_PASSWORD_FILE: 'a line of a Mosquitto password file is malformed',
  // broker runtime
  ERR_BROKER_LISTEN: 'a listener cannot bind its address and port (in use, no permission)',
  // broker persistence and policy
  ERR_BROKER_ACL_FILE: 'a line of a Mosquitto ACL file is malformed',
  ERR_BROKER_STORE_IO: 'the persistence store cannot be opened, locked or written',
  ERR_BROKER_NOT_RUNNING: 'no broker process has the given pid (broker reload)',
  // emulated hardware: I2C bus
  ERR_I2C_ADDRESS_INVALID: 'an I2C address is not a usable 7-bit address (0x08–0x77), or is taken',
  // emulated hardware: secure element
  ERR_SE_IMAGE_MALFORMED: 'a secure-element part image does not parse (magic, version, size or checksum)',
  ERR_SE_PROFILE_UNKNOWN: 'the secure-element profile is not tngtls or blank',
  ERR_SE_SLOT_INVALID: 'a slot number, block or length is outside what the slot holds',
  ERR_SE_NO_DEVICE: 'no secure element answers (no ACK or no valid wake reply) at the I2C address',
  ERR_SE_STATUS: 'the secure element answered a command with an error status',
  ERR_SE_COMMUNICATION: 'a secure-element response failed its count or CRC check',
  ERR_SE_KEY_FORMAT: 'slot content is not a length-prefixed PKCS#8 private key',
  // device firmware: sensor drivers
  ERR_SENSOR_NO_DEVICE: 'no sensor answers at the I2C address',
  ERR_SENSOR_BAD_DATA: 'a sensor answered with a failed CRC, a wrong chip id or an impossible value',
  ERR_TELEMETRY_MALFORMED: 'a telemetry payload on m5go/env is not a valid reading',
  ERR_TELEMETRY_SIGNER_UNTRUSTED:
    'the publisher certificate a subscriber verifies signed readings with does not validate or has no P-256 key',
  // emulated hardware: ESP32 flash
  ERR_ESP32_IMAGE_MALFORMED: 'an ESP32 flash image, partition table or app image does not parse',
  ERR_ESP32_IMAGE_TOO_LARGE: 'content does not fit the flash size or its partition',
  // wire: captures
  ERR_PCAP_MALFORMED: 'a pcap or pcapng file does not parse (magic, block length, truncated record)',
  ERR_PCAP_UNSUPPORTED: 'a capture uses a link type or pcapng feature the reader does not handle',
  ERR_CAPTURE_RELAY: 'the capture relay cannot listen on its port or reach its upstream',
  ERR_KEYLOG_MALFORMED: 'a TLS key log (NSS SSLKEYLOGFILE format) line does not parse',
  // wire: the device TLS client
  ERR_TLS_HANDSHAKE: 'the TLS handshake failed (the alert sent or received is named)',
  ERR_TLS_ALERT: 'the TLS peer sent a fatal alert after the handshake',
  ERR_TLS_PROTOCOL: 'a TLS record or handshake message from the peer is malformed or unexpected',
  ERR_TLS_CERTIFICATE: "the server's certificate chain or name does not validate",
  // the lab run and its attacks
  ERR_LAB_NOT_LOOPBACK: 'an attack target is not a loopback address and remote targets were not allowed',
  ERR_LAB_SETUP: 'a lab step could not be brought up (a broker did not listen, a device did not connect)',
  ERR_LAB_TOOL_MISSING: 'an external program the run needs (mosquitto) is not installed',
  // the dashboard
  ERR_WEB_REMOTE_BIND: 'the dashboard was asked to listen beyond loopback without --allow-remote',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface LabErrorOptions {
  readonly cause?: unknown;
  /** Machine-readable facts about the failure (a key name, a path, a serial). Never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Base class of every error mqtts-lab throws on purpose. */
export class LabError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: LabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isLabError(value: unknown, code?: ErrorCode): value is LabError {
  return value instanceof LabError && (code === undefined || value.code === code);
}
