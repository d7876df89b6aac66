import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import {
  createServer as createTlsServer,
  type Server as TlsServer,
  type TlsOptions,
  TLSSocket,
} from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Broker } from '../broker.js';
import type { Peer, PeerCertificate, Transport } from '../types.js';
import { peerCertificateFromDer } from './identity.js';
import type { ListenerSpec, RunningListener } from './listener.js';

/**
 * Start one listener: MQTT over TCP or TLS, or MQTT over WebSocket (ws:// or wss://). The TLS
 * layer settles require_certificate — verify, and fail without a certificate, as Mosquitto's
 * SSL_VERIFY_PEER|SSL_VERIFY_FAIL_IF_NO_PEER_CERT — so the broker core only sees a verified peer.
 */
export async function startListener(broker: Broker, spec: ListenerSpec): Promise<RunningListener> {
  let active = 0;
  let boundPort = spec.port;
  // Mosquitto logs a TLS client at accept(), before SSL_accept (src/net.c net__socket_accept),
  // so a client that the handshake then refuses still shows where it came from.
  const loggedAtAccept = spec.tls !== undefined && spec.protocol === 'mqtt';
  const logNew = (socket: Socket) => {
    // Reset before Node read its address: nothing to say where it came from, and nothing served.
    if (socket.remoteAddress === undefined) return;
    broker.logIf(
      'notice',
      () =>
        `New connection from ${displayAddress(socket.remoteAddress)}:${socket.remotePort} on port ${boundPort}.`,
    );
  };
  const admit = (socket: Socket): boolean => {
    if (spec.maxConnections >= 0 && active >= spec.maxConnections) {
      broker.logIf(
        'notice',
        () => `Client connection from ${socket.remoteAddress} denied: max_connections reached.`,
      );
      socket.destroy();
      return false;
    }
    active++;
    socket.once('close', () => active--);
    if (!loggedAtAccept) logNew(socket);
    return true;
  };
  const peerOf = (socket: Socket): Peer => {
    let certificate: PeerCertificate | undefined;
    if (socket instanceof TLSSocket && socket.authorized) {
      const x509 = socket.getPeerX509Certificate();
      if (x509) certificate = peerCertificateFromDer(x509.raw);
    }
    const authenticate = spec.authenticate;
    const tlsSocket = socket instanceof TLSSocket && socket.authorized ? socket : undefined;
    return {
      address: displayAddress(socket.remoteAddress),
      port: socket.remotePort ?? 0,
      listenerPort: boundPort,
      secure: spec.tls !== undefined,
      certificate,
      ...(authenticate ? { authenticate: (c) => authenticate(certificate, c) } : {}),
      ...(spec.acl ? { acl: spec.acl } : {}),
      ...(tlsSocket && certificate ? { certificateDer: () => tlsSocket.getPeerX509Certificate()?.raw } : {}),
    };
  };

  let server: Server;
  let wss: WebSocketServer | undefined;
  if (spec.protocol === 'websockets') {
    const http = spec.tls ? createHttpsServer(tlsOptions(spec)) : createHttpServer();
    wss = new WebSocketServer({
      server: http,
      // MQTT over WebSocket uses the "mqtt" subprotocol (MQTT 5.0 §6); older clients say "mqttv3.1".
      handleProtocols: (protocols) =>
        protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
    });
    wss.on('connection', (ws, req: IncomingMessage) => {
      if (!admit(req.socket)) return;
      // [MQTT-6.0.0-1] MQTT travels in binary frames; a text frame closes the connection.
      ws.on('message', (_data, isBinary) => {
        if (!isBinary) ws.terminate();
      });
      const stream = createWebSocketStream(ws) as unknown as Transport;
      broker.logIf('websockets', () => `WebSocket connection from ${req.socket.remoteAddress}.`);
      broker.handle(stream, peerOf(req.socket));
    });
    server = http;
  } else if (spec.tls) {
    server = createTlsServer(tlsOptions(spec), (socket) => {
      if (admit(socket)) broker.handle(socket as Transport, peerOf(socket));
    });
  } else {
    server = createTcpServer((socket) => {
      if (admit(socket)) broker.handle(socket as Transport, peerOf(socket));
    });
  }
  if (loggedAtAccept) server.on('connection', logNew);
  const keyLog = spec.keyLog;
  if (spec.tls && keyLog) server.on('keylog', (line: Buffer) => keyLog(line));
  if (spec.tls) {
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      broker.stats.refused++;
      const failure = handshakeFailure(err, socket);
      if (failure.openssl) broker.logIf('error', () => `OpenSSL Error[0]: ${failure.openssl}`);
      broker.logIf('notice', () => `Client <unknown> ${failure.disconnect}.`);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // No bind address: every interface, IPv4 and IPv6, as Mosquitto 2.0 does.
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (spec.host === undefined) server.listen(spec.port, done);
    else server.listen(spec.port, spec.host, done);
  });
  const bound = server.address();
  if (typeof bound === 'object' && bound) boundPort = bound.port;
  return {
    spec,
    address: typeof bound === 'object' && bound ? bound.address : (spec.host ?? '0.0.0.0'),
    port: boundPort,
    setTls: (tls) => {
      if (!spec.tls) throw new Error('setTls on a listener without TLS');
      (server as TlsServer).setSecureContext(tlsOptions({ ...spec, tls }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        wss?.close();
        server.close(() => resolve());
      }),
  };
}

/** An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d; logs show a.b.c.d, as Mosquitto's. */
function displayAddress(address: string | undefined): string {
  if (address === undefined) return '?';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * A refused handshake in the words of Mosquitto's log (net__print_ssl_error at MOSQ_LOG_ERR,
 * then do_disconnect). Node verifies the client certificate after the handshake and destroys
 * the socket itself, so a verification failure arrives as a hang-up with authorizationError
 * set; OpenSSL reports every such failure as 0A000086 (SSL_R_CERTIFICATE_VERIFY_FAILED).
 */
function handshakeFailure(err: Error, socket: TLSSocket): { openssl?: string; disconnect: string } {
  const protocolError = 'disconnected: Protocol error';
  if (socket.authorizationError) {
    return { openssl: 'error:0A000086:SSL routines::certificate verify failed', disconnect: protocolError };
  }
  // Node: "<thread>:error:0A0000C7:SSL routines:<function>:<reason>:<file>:<line>:"; OpenSSL 3's
  // ERR_error_string, which Mosquitto prints, leaves the function out.
  const m = /error:([0-9A-F]{8}):([^:]*):[^:]*:([^:\n]*)/.exec(err.message);
  if (m) return { openssl: `error:${m[1]}:${m[2]}::${m[3]}`, disconnect: protocolError };
  // Node's "socket hang up": the peer closed before the handshake ended, which OpenSSL 3, reading
  // that EOF itself in Mosquitto, reports as SSL_R_UNEXPECTED_EOF_WHILE_READING.
  if ((err as NodeJS.ErrnoException).syscall === undefined && err.message === 'socket hang up') {
    return {
      openssl: 'error:0A000126:SSL routines::unexpected eof while reading',
      disconnect: protocolError,
    };
  }
  // A reset: Mosquitto's MOSQ_ERR_CONN_LOST wording.
  return { disconnect: 'closed its connection' };
}

function tlsOptions(spec: ListenerSpec): TlsOptions {
  const tls = spec.tls!;
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    crl: tls.crl,
    ciphers: tls.ciphers,
    ...(tls.ciphersTls13 ? { ciphersuites: tls.ciphersTls13 } : {}),
    requestCert: tls.requireCertificate,
    rejectUnauthorized: true,
    // Mosquitto ≥ 2.0.9: tls_version is the lowest version allowed; unset allows 1.2 and 1.3.
    minVersion: tls.minVersion ?? 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    handshakeTimeout: tls.handshakeTimeoutMs ?? 10_000,
  };
}
