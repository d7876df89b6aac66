import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { TlsStreamChunk } from '../../../src/wire/tls/index.js';
import type { IdentityFiles, TlsFixtures } from '../../helpers/tls-fixtures.js';
import { captureRelay } from './relay.js';

export interface SessionPlan {
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  /** The client identity (default: the fixtures' P-256 device). */
  readonly client?: IdentityFiles;
  /** Plaintext sizes, in turn: client message i, then server answer i (when there is one). */
  readonly c2s: readonly number[];
  readonly s2c: readonly number[];
  /** Node's `ciphers`: OpenSSL names for TLS 1.2, TLS_* names for 1.3; Node's defaults when absent. */
  readonly ciphers?: string;
}

export interface Session {
  readonly chunks: readonly TlsStreamChunk[];
  /** What Node's client saw, the in-process oracle. */
  readonly established: boolean;
  readonly protocol?: string | null;
  readonly cipher?: string;
  readonly peer?: { cn: string; serial: string };
  readonly clientError?: string;
  /** The server's NSS key log of the session (Node's 'keylog' event). */
  readonly keylog: string;
}

const WAIT_MS = 15_000;

/**
 * One mutual-TLS conversation between a Node tls server and client through a capturing relay.
 * Each message is written only after the previous answer arrived, so every write is one record.
 */
export async function runSession(fx: TlsFixtures, plan: SessionPlan): Promise<Session> {
  const read = (p: string) => readFileSync(p);
  const client = plan.client ?? fx.client;
  const common = {
    minVersion: plan.version,
    maxVersion: plan.version,
    ALPNProtocols: ['mqtt'],
    ca: read(fx.cafile),
    ...(plan.ciphers ? { ciphers: plan.ciphers } : {}),
  };
  let received = 0;
  let expected = 0;
  let onServerData: () => void = () => {};
  const server = tls.createServer(
    {
      ...common,
      key: read(fx.server.key),
      cert: read(fx.server.cert),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      socket.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= expected) onServerData();
      });
      socket.on('error', () => {});
      socket.on('end', () => socket.end());
    },
  );
  server.on('tlsClientError', () => {});
  const keylog: string[] = [];
  server.on('keylog', (line: Buffer) => keylog.push(line.toString('utf8')));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const relay = await captureRelay((server.address() as AddressInfo).port);
  // In TLS 1.3 the client is done first: it may see secureConnect and then be refused.
  const accepted = once(server, 'secureConnection').then(([s]) => s as tls.TLSSocket);
  const timer = setTimeout(() => void relay.close(), WAIT_MS);
  try {
    const socket = tls.connect({
      ...common,
      host: '127.0.0.1',
      port: relay.port,
      servername: 'localhost',
      key: read(client.key),
      cert: read(client.cert),
    });
    let clientError: string | undefined;
    socket.on('error', (e) => (clientError = e.message));
    // events.once rejects on 'error': a refused handshake is an outcome here, not a failure.
    const established = await Promise.race([
      once(socket, 'secureConnect').then(
        () => true,
        () => false,
      ),
      once(socket, 'close').then(() => false),
    ]);
    const serverSocket = established
      ? await Promise.race([accepted, once(socket, 'close').then(() => undefined)])
      : undefined;
    if (!serverSocket) {
      await relay.closed;
      return { chunks: relay.chunks, established: false, clientError, keylog: keylog.join('') };
    }
    let answered = 0;
    socket.on('data', (d: Buffer) => {
      answered += d.length;
    });
    let clientGot = 0;
    for (const [i, size] of plan.c2s.entries()) {
      expected += size;
      const atServer = new Promise<void>((resolve) => (onServerData = resolve));
      socket.write(Buffer.alloc(size, 0x61 + i));
      await atServer;
      const answer = plan.s2c[i];
      if (answer === undefined) continue;
      clientGot += answer;
      const target = clientGot;
      const atClient = new Promise<void>((resolve) => {
        const check = () => answered >= target && (socket.off('data', check), resolve());
        socket.on('data', check);
      });
      serverSocket.write(Buffer.alloc(answer, 0x41 + i));
      await atClient;
    }
    const cert = socket.getPeerCertificate();
    const result = {
      established,
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().standardName,
      peer: { cn: String(cert.subject.CN), serial: cert.serialNumber },
    };
    socket.end();
    await relay.closed;
    return { chunks: relay.chunks, ...result, clientError, keylog: keylog.join('') };
  } finally {
    clearTimeout(timer);
    await relay.close();
    server.close();
  }
}
