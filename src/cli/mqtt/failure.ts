import { connectionErrorLine, errnoText, MOSQ_ERR, mosquittoStrerror } from './reasons.js';

/**
 * Why a connection did not come up (or went down), as mosquitto_pub/sub report it: the lines
 * they print and the exit status they return. Mosquitto's message for a TLS failure says only
 * "A TLS error occurred."; we add one line that names the check that failed, because finding
 * which side refused which certificate is the point of the lab.
 */
export interface Failure {
  readonly status: number;
  readonly lines: readonly string[];
  /** For --json: the CONNACK code, or the socket/TLS error code. */
  readonly reason: { readonly connack?: number; readonly code?: string };
}

export interface FailureFacts {
  readonly version: 3 | 4 | 5;
  /** A CONNACK with a non-zero code. */
  readonly refusal?: number;
  readonly error?: Error & { code?: string };
  readonly tls: boolean;
  /** The TLS handshake completed before things went wrong. */
  readonly handshakeDone: boolean;
  /** CONNACK had been accepted: the connection was up, then lost. */
  readonly connected: boolean;
  readonly command: 'pub' | 'sub';
}

const TLS_HINTS: Readonly<Record<string, string>> = Object.freeze({
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the broker's certificate was not issued by a CA in --cafile/--capath",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the broker's certificate was not issued by a CA in --cafile/--capath",
  UNABLE_TO_GET_ISSUER_CERT: "the broker's certificate was not issued by a CA in --cafile/--capath",
  SELF_SIGNED_CERT_IN_CHAIN: "the broker's chain ends in a root that is not in --cafile/--capath",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the broker's certificate is self-signed and not in --cafile/--capath",
  CERT_HAS_EXPIRED: "the broker's certificate has expired",
  CERT_NOT_YET_VALID: "the broker's certificate is not valid yet",
  CERT_REVOKED: "the broker's certificate is revoked",
  ERR_TLS_CERT_ALTNAME_INVALID: "the broker's certificate is not valid for this host name (see --insecure)",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    'the broker does not trust the issuer of our client certificate (alert unknown_ca)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the broker rejected our client certificate (alert bad_certificate)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'the broker rejected our client certificate as expired',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'the broker rejected our client certificate as revoked',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the broker requires a client certificate (--cert/--key)',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'no TLS version, cipher or certificate both sides accept',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the broker does not accept this TLS version (--tls-version)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the port does not speak TLS (plain MQTT on it?)',
});

function isTlsError(code: string | undefined, message: string): boolean {
  if (code === undefined) return /TLS|SSL|certificate/i.test(message);
  return (
    code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /CERT|SELF_SIGNED|UNABLE_TO/.test(code)
  );
}

function tlsDetail(err: Error & { code?: string }): string {
  const code = err.code ?? 'TLS';
  const hint = TLS_HINTS[code];
  return `TLS error: ${code}: ${hint ?? err.message}`;
}

export function describeFailure(f: FailureFacts): Failure {
  if (f.refusal !== undefined) {
    const lines = [connectionErrorLine(f.version, f.refusal)];
    // mosquitto_pub then reports the loop's own error; mosquitto_sub does not.
    if (f.command === 'pub')
      lines.push(`Error: ${mosquittoStrerror(f.version === 5 ? MOSQ_ERR.protocol : MOSQ_ERR.connRefused)}`);
    return { status: f.refusal, lines, reason: { connack: f.refusal } };
  }
  const err = f.error;
  const code = err?.code;
  if (err !== undefined && f.tls && isTlsError(code, err.message)) {
    const detail = tlsDetail(err);
    const reason = { code: code ?? 'TLS' };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
      return { status: 1, lines: ['Error: host name verification failed.', detail], reason };
    if (!f.handshakeDone)
      return {
        status: 1,
        lines: [detail, `Unable to connect (${mosquittoStrerror(MOSQ_ERR.tls)}).`],
        reason,
      };
    return {
      status: MOSQ_ERR.connLost,
      lines: [detail, `Error: ${mosquittoStrerror(MOSQ_ERR.connLost)}`],
      reason,
    };
  }
  if (err !== undefined && !f.connected && code !== undefined && code !== 'ECONNRESET' && code !== 'EPIPE')
    return { status: 1, lines: [`Error: ${errnoText(code, err.message)}`], reason: { code } };
  const lines = [`Error: ${mosquittoStrerror(MOSQ_ERR.connLost)}`];
  if (err !== undefined) lines.unshift(`Error: ${errnoText(code, err.message)}`);
  return { status: MOSQ_ERR.connLost, lines, reason: { code: code ?? 'CONNECTION_LOST' } };
}
