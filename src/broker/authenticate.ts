import { type PasswordTable, verifyPassword } from './password-file.js';

/** What the TLS layer verified about the client, if it asked for a certificate at all. */
export interface PeerCertificate {
  /**
   * The first commonName of the subject, in DER order, as its raw value bytes read as UTF-8
   * (Mosquitto takes ASN1_STRING_get0_data without conversion: a BMPString CN shows NUL
   * bytes and is refused). Absent when the subject has no CN.
   */
  readonly subjectCN?: string;
  /** The subject as X509_NAME_print_ex(XN_FLAG_RFC2253) prints it, e.g. `CN=dev1,O=Ciel`. */
  readonly subjectRfc2253: string;
}

export interface ConnectCredentials {
  readonly protocolVersion: 3 | 4 | 5;
  /** The listener has certfile and keyfile. */
  readonly listenerTls: boolean;
  /**
   * Only a certificate the handshake verified. With require_certificate false the server sends
   * no CertificateRequest (SSL_VERIFY_NONE), so there is never one: pass undefined.
   */
  readonly peerCertificate?: PeerCertificate;
  readonly useIdentityAsUsername: boolean;
  readonly useSubjectAsUsername: boolean;
  readonly allowAnonymous: boolean;
  /** The password_file in force for this listener; undefined when there is none. */
  readonly passwords?: PasswordTable;
  readonly username?: string;
  readonly password?: Buffer;
}

export type AuthMethod =
  /** use_identity_as_username: the certificate CN is the username. */
  | 'certificate-cn'
  /** use_subject_as_username: the RFC 2253 subject is the username. */
  | 'certificate-subject'
  /** The password file has the user and the password matches. */
  | 'password'
  /** No username, allow_anonymous true. */
  | 'anonymous'
  /** allow_anonymous true and no password_file: a username is taken as given, never checked. */
  | 'unchecked';

export type AuthRefusal =
  | 'no-certificate'
  | 'no-common-name'
  | 'common-name-has-nul'
  | 'anonymous-not-allowed'
  | 'no-password-file'
  | 'unknown-user'
  | 'no-password'
  | 'wrong-password';

export type AuthDecision =
  | { readonly ok: true; readonly username: string | undefined; readonly method: AuthMethod }
  | {
      readonly ok: false;
      /** MQTT 3.1/3.1.1 CONNACK return code: 4 bad user name or password, 5 not authorized. */
      readonly returnCode: 4 | 5;
      /** MQTT 5 CONNACK reason code: 0x86 bad user name or password, 0x87 not authorized. */
      readonly reasonCode: 0x86 | 0x87;
      readonly reason: AuthRefusal;
    };

const badCredentials = (reason: AuthRefusal): AuthDecision => ({
  ok: false,
  returnCode: 4,
  reasonCode: 0x86,
  reason,
});
const notAuthorized = (reason: AuthRefusal): AuthDecision => ({
  ok: false,
  returnCode: 5,
  reasonCode: 0x87,
  reason,
});

/**
 * Mosquitto 2.0.11's authentication of a CONNECT (handle__connect, mosquitto_unpwd_check,
 * mosquitto_unpwd_check_default), as a pure function. Client-id checks come before it in the
 * broker and are not part of it. Checked against the real broker: docs/broker-auth.md.
 */
export function authenticate(c: ConnectCredentials): AuthDecision {
  // packet__read_string() yields NULL for a zero-length string: "" is no username at all.
  const username = c.username === '' ? undefined : c.username;

  if (c.listenerTls && (c.useIdentityAsUsername || c.useSubjectAsUsername)) {
    // The CONNECT's username and password are dropped; allow_anonymous and password_file
    // are not consulted at all: the verified certificate is the whole authentication.
    const cert = c.peerCertificate;
    if (cert === undefined) return badCredentials('no-certificate');
    if (!c.useIdentityAsUsername) {
      return { ok: true, username: cert.subjectRfc2253, method: 'certificate-subject' };
    }
    if (cert.subjectCN === undefined) return badCredentials('no-common-name');
    // "Make sure there isn't an embedded NUL character in the CN" (handle_connect.c).
    if (cert.subjectCN.includes('\0')) return badCredentials('common-name-has-nul');
    return { ok: true, username: cert.subjectCN, method: 'certificate-cn' };
  }

  // No password_file means no basic-auth callback: allow_anonymous alone decides, for
  // everyone, with or without a username (mosquitto_unpwd_check, plugin_used == false).
  if (c.passwords === undefined) {
    if (!c.allowAnonymous) return notAuthorized('no-password-file');
    return { ok: true, username, method: username === undefined ? 'anonymous' : 'unchecked' };
  }
  if (username === undefined) {
    return c.allowAnonymous
      ? { ok: true, username: undefined, method: 'anonymous' }
      : notAuthorized('anonymous-not-allowed');
  }
  // A username is always checked, even with allow_anonymous true; every failure is
  // "not authorized" (5), never "bad user name or password" (4).
  const entry = c.passwords.get(username);
  if (entry === undefined) return notAuthorized('unknown-user');
  if (c.password === undefined || c.password.length === 0) return notAuthorized('no-password');
  if (!verifyPassword(entry, c.password)) return notAuthorized('wrong-password');
  return { ok: true, username, method: 'password' };
}
