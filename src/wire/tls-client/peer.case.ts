/**
 * Test fixtures for the TLS client: identities made with the project's PKI, an in-memory
 * byte pipe, and Node's own TLS server (OpenSSL) as the independent peer on the other end.
 */
import type { KeyObject } from 'node:crypto';
import { Duplex } from 'node:stream';
import { TLSSocket, type TlsOptions } from 'node:tls';
import { createRootCa, type CreatedRootCa, issueCertificate } from '../../pki/ca.js';
import { certificateToPem, type ParsedCertificate } from '../../pki/certificate.js';
import { createCsr, parseCsr } from '../../pki/csr.js';
import type { SanEntry } from '../../pki/extensions.js';
import { generatePrivateKey, type KeyType, privateKeyToPem } from '../../pki/keys.js';
import { buildName } from '../../pki/names.js';
import { PROFILES, type ProfileName } from '../../pki/profiles.js';
import { keySigner } from '../../pki/signer.js';
import type { LabError } from '../../core/errors.js';
import { Tls12ClientConnection, type TlsEvent } from './connection.js';
import type { NegotiatedParameters } from './handshake.js';
import type { SansIoConnection } from './socket.js';
import type { Tls12ClientOptions } from './options.js';

export interface Identity {
  readonly certificate: ParsedCertificate;
  readonly key: KeyObject;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface Identities {
  readonly ca: CreatedRootCa;
  readonly caPem: string;
  readonly otherCa: CreatedRootCa;
  readonly ecServer: Identity;
  readonly rsaServer: Identity;
  readonly expiredServer: Identity;
  readonly wrongHostServer: Identity;
  readonly strangerServer: Identity;
  readonly client: Identity;
  /** A P-256 key that is NOT the client certificate's: the "wrong secure element". */
  readonly otherKey: KeyObject;
}

const DAY = 86_400_000;
let cached: Promise<Identities> | undefined;

/** Generated once per test process (RSA key generation is the slow part). */
export function identities(): Promise<Identities> {
  cached ??= make();
  return cached;
}

async function make(): Promise<Identities> {
  const ca = await createRootCa({ subject: { O: 'mqtts-lab test', CN: 'TLS client test CA' } });
  const otherCa = await createRootCa({ subject: { O: 'elsewhere', CN: 'Unrelated CA' } });
  const now = Date.now();
  const [ecServer, rsaServer, expiredServer, wrongHostServer, strangerServer, client] = await Promise.all([
    issue(ca, 'broker', 'localhost', 'p256'),
    issue(ca, 'broker', 'localhost', 'rsa-2048'),
    issue(ca, 'broker', 'localhost', 'p256', {
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    }),
    issue(ca, 'broker', 'broker.elsewhere', 'p256', {}, [{ type: 'dns', value: 'broker.elsewhere' }]),
    issue(otherCa, 'broker', 'localhost', 'p256'),
    issue(ca, 'device', 'm5go-01', 'p256'),
  ]);
  return {
    ca,
    caPem: certificateToPem(ca.certificate.der),
    otherCa,
    ecServer,
    rsaServer,
    expiredServer,
    wrongHostServer,
    strangerServer,
    client,
    otherKey: await generatePrivateKey('p256'),
  };
}

export async function issue(
  ca: CreatedRootCa,
  profile: ProfileName,
  cn: string,
  keyType: KeyType,
  validity: { notBefore?: Date; notAfter?: Date } = {},
  sans: readonly SanEntry[] = [],
): Promise<Identity> {
  const key = await generatePrivateKey(keyType);
  const csr = parseCsr(
    await createCsr({ subject: buildName({ O: 'mqtts-lab test', CN: cn }) }, keySigner(key)),
  );
  const { certificate } = await issueCertificate({ ca, csr, profile: PROFILES[profile], sans, ...validity });
  return { certificate, key, certPem: certificateToPem(certificate.der), keyPem: privateKeyToPem(key) };
}

/** Two Duplex ends wired back to back: what one writes, the other reads. */
export function memoryPipe(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const end = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      // A destroyed end looks like a closed TCP connection to the other one.
      destroy(err, cb) {
        if (!peer().readableEnded) peer().push(null);
        cb(err);
      },
    });
  ends.push(
    end(() => ends[1]!),
    end(() => ends[0]!),
  );
  return [ends[0]!, ends[1]!];
}

/** Node's TLS server (OpenSSL) on one end of a pipe; the other end is for our client. */
export function nodeServer(options: TlsOptions): {
  server: TLSSocket;
  clientEnd: Duplex;
  keylog: string[];
  errors: Error[];
} {
  const [serverEnd, clientEnd] = memoryPipe();
  const server = new TLSSocket(serverEnd, { isServer: true, maxVersion: 'TLSv1.2', ...options } as never);
  const keylog: string[] = [];
  const errors: Error[] = [];
  server.on('keylog', (line: Buffer) => keylog.push(line.toString('utf8').trim()));
  server.on('error', (e: Error) => errors.push(e));
  return { server, clientEnd, keylog, errors };
}

export interface Drive<P = NegotiatedParameters> {
  readonly appData: Uint8Array[];
  readonly events: TlsEvent<P>[];
  /** Resolves with the failure, or undefined once the handshake completed. */
  readonly handshake: Promise<LabError | undefined>;
}

/** Pump bytes between a sans-IO connection and a transport end until the test stops. */
export function drive<P = NegotiatedParameters>(conn: SansIoConnection<P>, transport: Duplex): Drive<P> {
  const appData: Uint8Array[] = [];
  const events: TlsEvent<P>[] = [];
  let settle: (e: LabError | undefined) => void = () => {};
  const handshake = new Promise<LabError | undefined>((resolve) => (settle = resolve));
  transport.on('data', (chunk: Buffer) => {
    void conn.receive(chunk).then((out) => {
      for (const s of out.send) transport.write(s);
      appData.push(...out.appData);
      events.push(...out.events);
      if (out.events.some((e) => e.type === 'handshake')) settle(undefined);
      if (out.error) settle(out.error);
    });
  });
  transport.on('end', () => {
    void conn.receiveEnd().then((out) => {
      if (out.error) settle(out.error);
    });
  });
  transport.write(conn.start());
  return { appData, events, handshake };
}

/**
 * Record what a Node TLS server sends to a deterministic client (seeded rng): replayed to a
 * fresh client with the same seed, the bytes are valid again, so they can be mutated.
 */
export async function recordServerBytes<O extends Tls12ClientOptions = Tls12ClientOptions>(
  clientOptions: O,
  serverOptions: TlsOptions,
  afterHandshake: (server: TLSSocket) => void,
  connect: (options: O) => SansIoConnection<unknown> = (o) => new Tls12ClientConnection(o),
): Promise<{ chunks: Buffer[]; error: LabError | undefined }> {
  const { server, clientEnd } = nodeServer(serverOptions);
  const chunks: Buffer[] = [];
  clientEnd.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  const conn = connect(clientOptions);
  const d = drive(conn, clientEnd);
  const error = await d.handshake;
  if (!error) afterHandshake(server);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 300);
    clientEnd.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  server.destroy();
  return { chunks, error };
}
