import { type ErrorCode, LabError } from '../../core/errors.js';
import { ALERTS, type AlertName, alertName } from './codes.js';

/** Who sent the alert a failure carries: us (we abort) or the server (it aborted). */
export type AlertDirection = 'sent' | 'received';

/**
 * The facts every TLS client failure carries. Never secrets: reasons name messages, fields
 * and offsets, not key material or plaintext.
 */
export interface TlsFailureDetails {
  readonly alert: string;
  readonly alertNumber: number;
  readonly direction: AlertDirection;
  readonly reason: string;
  readonly [key: string]: unknown;
}

type Extra = Readonly<Record<string, unknown>>;

function failure(
  code: ErrorCode,
  alert: AlertName,
  reason: string,
  extra: Extra = {},
  cause?: unknown,
): LabError {
  return new LabError(code, `TLS: ${reason} (alert ${alert} sent)`, {
    details: { ...extra, alert, alertNumber: ALERTS[alert], direction: 'sent', reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A malformed or unexpected record or message from the server: we send `alert` and close. */
export function protocolFailure(alert: AlertName, reason: string, extra?: Extra): LabError {
  return failure('ERR_TLS_PROTOCOL', alert, reason, extra);
}

/** Negotiation or handshake cryptography failed: we send `alert` and close. */
export function handshakeFailure(alert: AlertName, reason: string, extra?: Extra, cause?: unknown): LabError {
  return failure('ERR_TLS_HANDSHAKE', alert, reason, extra, cause);
}

/** The server's chain or name did not validate: we send `alert` and close. */
export function certificateFailure(alert: AlertName, reason: string, extra?: Extra): LabError {
  return failure('ERR_TLS_CERTIFICATE', alert, reason, extra);
}

/** The server sent a fatal alert: during the handshake ERR_TLS_HANDSHAKE, after it ERR_TLS_ALERT. */
export function alertReceived(description: number, duringHandshake: boolean): LabError {
  const alert = alertName(description);
  const code: ErrorCode = duringHandshake ? 'ERR_TLS_HANDSHAKE' : 'ERR_TLS_ALERT';
  const reason = duringHandshake
    ? `the server aborted the handshake with ${alert}`
    : `the server closed the connection with ${alert}`;
  return new LabError(code, `TLS: ${reason} (alert ${alert} ${description} received)`, {
    details: { alert, alertNumber: description, direction: 'received', reason },
  });
}

/** The alert a failure asks us to send, when it asks for one. */
export function alertToSend(err: LabError): AlertName | undefined {
  const d = err.details as Partial<TlsFailureDetails>;
  return d.direction === 'sent' && typeof d.alert === 'string' && d.alert in ALERTS
    ? (d.alert as AlertName)
    : undefined;
}
