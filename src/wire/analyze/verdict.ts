import type { ConnectionProtocol, ConnectionVerdict, MqttView, TlsView } from './types.js';

const METADATA =
  'endpoints, ports, start and end times, and the size and time of every packet are visible whatever the encryption';

/** The three questions a report answers per connection: can the observer read the data, tell who, see the pattern. */
export function connectionVerdict(
  protocol: ConnectionProtocol,
  bytes: { c2s: number; s2c: number },
  mqtt: MqttView | undefined,
  tls: TlsView | undefined,
): ConnectionVerdict {
  const v = (
    payload: [ConnectionVerdict['payload'], string],
    identity: [ConnectionVerdict['identity'], string],
  ) => ({
    payload: payload[0],
    identity: identity[0],
    metadata: 'exposed' as const,
    why: { payload: payload[1], identity: identity[1], metadata: METADATA },
  });
  if (protocol === 'empty')
    return v(['hidden', 'no application bytes were sent'], ['hidden', 'nothing was sent']);
  if (protocol === 'unknown')
    return v(
      [
        'exposed',
        `${bytes.c2s + bytes.s2c} bytes in clear, neither TLS nor MQTT: readable by anyone on the path`,
      ],
      ['hidden', 'no MQTT CONNECT or client certificate was recognised'],
    );
  if (protocol === 'mqtt') {
    const c = mqtt?.connect;
    const names =
      c &&
      [
        c.clientId !== '' && `client id "${c.clientId}"`,
        c.username !== undefined && `username "${c.username}"`,
      ].filter(Boolean);
    return v(
      ['exposed', 'plaintext MQTT: every topic and payload is readable'],
      names && names.length > 0
        ? [
            'exposed',
            `${names.join(' and ')} in the plaintext CONNECT${c.password ? ', with the password' : ''}`,
          ]
        : [
            'hidden',
            c ? 'the CONNECT carries an empty client id and no username' : 'no CONNECT in the capture',
          ],
    );
  }
  const t = tls!;
  const payload: [ConnectionVerdict['payload'], string] = t.cipherSuite?.includes('_NULL_')
    ? ['exposed', `${t.cipherSuite} encrypts nothing`]
    : ['hidden', `TLS ${t.version ?? '(version unknown)'} encrypts the application data`];
  const cert = t.clientCertificate;
  const identity: [ConnectionVerdict['identity'], string] =
    cert.visible && cert.certificate
      ? [
          'exposed',
          `the client certificate (${cert.certificate.subject ?? 'subject unreadable'}) crosses in clear`,
        ]
      : [
          'hidden',
          t.version === '1.3'
            ? 'TLS 1.3 encrypts the client certificate; only the client address is visible'
            : 'no client certificate was sent in clear',
        ];
  return v(payload, identity);
}
