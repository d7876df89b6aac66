// The auth matrix's client: raw `tls.connect` plus mqtt-packet, so that "the handshake failed"
// and "the broker answered CONNACK n" stay two different outcomes. mosquitto_pub folds both
// into an exit code, and MQTT.js retries; neither shows which layer said no.
import { connect } from 'node:tls';
import { generate, type Packet, parser } from 'mqtt-packet';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export interface Attempt {
  readonly port: number;
  readonly ca: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly tlsVersion: TlsVersion;
  readonly protocolVersion: 4 | 5;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
}

export type Outcome =
  /**
   * The TLS layer refused: `alert` is the OpenSSL error the client got from the server's alert,
   * or null when the connection was dropped before any CONNACK without one.
   */
  | { readonly kind: 'tls'; readonly alert: string | null }
  /** CONNACK: the 3.1.1 return code or the MQTT 5 reason code. */
  | { readonly kind: 'connack'; readonly code: number }
  /** Neither: a reply that does not parse, or silence. */
  | { readonly kind: 'error'; readonly error: string };

const DEADLINE_MS = 15_000;

/** One connection attempt: the handshake, one CONNECT, and what came back first. */
export function tryConnect(a: Attempt): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port: a.port,
      servername: 'localhost',
      ca: a.ca,
      ...(a.cert && a.key ? { cert: a.cert, key: a.key } : {}),
      // Pinned, so that TLS 1.2 (server refuses inside the handshake) and TLS 1.3 (server
      // refuses after the client's Finished, while our CONNECT is in flight) are both covered.
      minVersion: a.tlsVersion,
      maxVersion: a.tlsVersion,
    });
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle({ kind: 'error', error: `no CONNACK within ${DEADLINE_MS} ms` });
      socket.destroy();
    }, DEADLINE_MS);
    const decoder = parser({ protocolVersion: a.protocolVersion });
    decoder.on('packet', (packet: Packet) => {
      if (packet.cmd !== 'connack') return;
      const code = a.protocolVersion === 5 ? packet.reasonCode : packet.returnCode;
      settle({ kind: 'connack', code: code ?? -1 });
      // A clean DISCONNECT, so neither broker logs an unexpected loss for an accepted client.
      if (code === 0) socket.end(generate({ cmd: 'disconnect' }, { protocolVersion: a.protocolVersion }));
      else socket.destroy();
    });
    decoder.on('error', (e: Error) => {
      settle({ kind: 'error', error: `unparseable reply: ${e.message}` });
      socket.destroy();
    });
    socket.on('secureConnect', () => {
      socket.write(
        generate(
          {
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: a.protocolVersion,
            clean: true,
            keepalive: 60,
            clientId: a.clientId,
            ...(a.username !== undefined ? { username: a.username } : {}),
            ...(a.password !== undefined ? { password: Buffer.from(a.password) } : {}),
          },
          { protocolVersion: a.protocolVersion },
        ),
      );
    });
    socket.on('data', (chunk: Buffer) => decoder.parse(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // OpenSSL errors are alerts received; a reset before CONNACK is a drop without an alert.
      const code = err.code ?? err.message;
      if (code.startsWith('ERR_SSL_')) settle({ kind: 'tls', alert: code });
      else if (code === 'ECONNRESET' || code === 'EPIPE') settle({ kind: 'tls', alert: null });
      // Refused TCP, or our side not trusting the broker's certificate: the test's fault.
      else settle({ kind: 'error', error: code });
    });
    socket.on('close', () => settle({ kind: 'tls', alert: null }));
  });
}
