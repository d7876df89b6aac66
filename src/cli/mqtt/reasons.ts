/**
 * Mosquitto's own words for protocol outcomes, so a lab sheet's expected output
 * ("Connection error: Connection Refused: not authorised.") matches what our clients print.
 * Texts are libmosquitto 2.0's (lib/strings_mosq.c), exit statuses are its MOSQ_ERR_* values.
 */

/** mosquitto_connack_string: MQTT 3.1/3.1.1 CONNACK return codes. */
export function connackString(code: number): string {
  const text: Record<number, string> = {
    0: 'Connection Accepted.',
    1: 'Connection Refused: unacceptable protocol version.',
    2: 'Connection Refused: identifier rejected.',
    3: 'Connection Refused: broker unavailable.',
    4: 'Connection Refused: bad user name or password.',
    5: 'Connection Refused: not authorised.',
  };
  return text[code] ?? 'Connection Refused: unknown reason.';
}

const REASONS: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'Success',
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
});

/** mosquitto_reason_string: MQTT 5 reason codes. */
export function reasonString(code: number): string {
  return REASONS[code] ?? 'Unknown reason';
}

/** The line mosquitto_pub/sub print when the broker refuses the CONNECT. */
export function connectionErrorLine(version: 3 | 4 | 5, code: number): string {
  if (version !== 5) return `Connection error: ${connackString(code)}`;
  const why = reasonString(code);
  return code === 0x84
    ? `Connection error: ${why}. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.`
    : `Connection error: ${why}`;
}

/** libmosquitto's MOSQ_ERR_* values that become the clients' exit statuses. */
export const MOSQ_ERR = Object.freeze({
  success: 0,
  protocol: 2,
  connRefused: 5,
  noConn: 4,
  connLost: 7,
  tls: 8,
  timeout: 27,
  errno: 14,
});

/** mosquitto_strerror for the values above. */
export function mosquittoStrerror(code: number): string {
  const text: Record<number, string> = {
    0: 'No error.',
    2: 'A network protocol error occurred when communicating with the broker.',
    4: 'The client is not currently connected.',
    5: 'The connection was refused.',
    7: 'The connection was lost.',
    8: 'A TLS error occurred.',
    27: 'Timed out',
  };
  return text[code] ?? 'Unknown error.';
}

/** strerror(3) texts for the socket errors a lab meets, as mosquitto prints them after "Error: ". */
const ERRNO_TEXT: Readonly<Record<string, string>> = Object.freeze({
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EPIPE: 'Broken pipe',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
});

export function errnoText(code: string | undefined, fallback: string): string {
  return (code !== undefined ? ERRNO_TEXT[code] : undefined) ?? fallback;
}
