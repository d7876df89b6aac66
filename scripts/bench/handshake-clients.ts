// The four clients of the handshake benchmark, and a loopback relay that counts the bytes of one
// handshake in each direction. Every handshake is a new TCP connection and a full mutual-TLS
// handshake (no resumption), timed from connect() to the moment the client has verified the
// server's Finished ('secureConnect'), then the socket is destroyed.
import { readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import type { TimingMode } from '../../src/hardware/atecc608b/index.js';
import { OPCODE } from '../../src/hardware/atecc608b/index.js';
import type { I2cTransaction } from '../../src/hardware/i2c/index.js';
import { keySigner, type Signer } from '../../src/pki/index.js';
import { connectTls } from '../../src/wire/tls-client/index.js';
import type { HandshakePki } from './handshake-pki.js';
import type { TlsVersion } from './handshake-servers.js';
import { sleep } from './util.js';

export const CLIENT_IDS = ['se-typical', 'se-max', 'ours-software', 'node'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export const CLIENT_LABELS: Readonly<Record<ClientId, string>> = {
  'se-typical': '(a) ours + SE, typical',
  'se-max': '(b) ours + SE, max',
  'ours-software': '(c) ours + software key',
  node: "(d) Node's tls + software key",
};

export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface HandshakeSample {
  /** connect() → Finished verified, wall clock. */
  readonly ms: number;
  /** Bus time of the chip during this handshake (wake, Nonce, Sign, reads), µs; 0 without chip. */
  readonly chipUs: number;
  /** Bus time of the Sign command alone: command write → answer read, µs. */
  readonly signUs: number;
}

/** `lingerMs`: keep the connection open that long after the handshake (for the byte count). */
export type HandshakeClient = (
  target: Target,
  version: TlsVersion,
  lingerMs?: number,
) => Promise<HandshakeSample>;

const HANDSHAKE_TIMEOUT_MS = 15_000;
const SERVER_NAME = 'localhost';

export function makeClients(pki: HandshakePki): Record<ClientId, HandshakeClient> {
  const softwareSigner = keySigner(pki.software.key);
  const contexts: Record<TlsVersion, SecureContext> = {
    '1.3': nodeContext(pki, 'TLSv1.3'),
    '1.2': nodeContext(pki, 'TLSv1.2'),
  };
  return {
    'se-typical': chipClient(pki, 'typical'),
    'se-max': chipClient(pki, 'max'),
    'ours-software': (target, version, lingerMs = 0) =>
      ours(pki, target, version, softwareSigner, pki.softwareCertDer, lingerMs),
    node: (target, version, lingerMs = 0) => node(target, version, contexts[version], lingerMs),
  };
}

/** Our client signing CertificateVerify in the emulated chip at the given timing. */
function chipClient(pki: HandshakePki, timing: TimingMode): HandshakeClient {
  const { part, bus, signer } = pki.chip;
  return async (target, version, lingerMs = 0) => {
    part.timing = timing;
    let signStartUs: number | undefined;
    let signUs = 0;
    const stop = bus.observe((t: I2cTransaction) => {
      if (t.address !== part.i2cAddress || !t.ack) return;
      // [word address 0x03, count, opcode, …]: the Sign command's packet.
      if (t.direction === 'write' && t.bytes[0] === 0x03 && t.bytes[2] === OPCODE.SIGN)
        signStartUs = t.timeUs;
      else if (t.direction === 'read' && signStartUs !== undefined && signUs === 0)
        signUs = t.timeUs + t.durationUs - signStartUs;
    });
    const before = bus.nowUs();
    try {
      const sample = await ours(pki, target, version, signer, pki.deviceCertDer, lingerMs);
      return { ...sample, chipUs: bus.nowUs() - before, signUs };
    } finally {
      stop();
    }
  };
}

async function ours(
  pki: HandshakePki,
  target: Target,
  version: TlsVersion,
  signer: Signer,
  certificateDer: Uint8Array,
  lingerMs: number,
): Promise<HandshakeSample> {
  const t0 = performance.now();
  const socket = await connectTls({
    host: target.host,
    port: target.port,
    serverName: SERVER_NAME,
    trustAnchors: [pki.ca],
    certificateChain: [certificateDer],
    signer,
    versions: [version],
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  const ms = performance.now() - t0;
  const got = socket.negotiated?.version;
  if (lingerMs > 0) await sleep(lingerMs);
  socket.destroy();
  if (got !== `TLSv${version}` || !socket.authorized)
    throw new Error(
      `our client negotiated ${String(got)} (authorized ${socket.authorized}), not TLSv${version}`,
    );
  return { ms, chipUs: 0, signUs: 0 };
}

function nodeContext(pki: HandshakePki, version: 'TLSv1.3' | 'TLSv1.2'): SecureContext {
  return createSecureContext({
    ca: readFileSync(pki.files.cafile, 'utf8'),
    cert: pki.software.certPem,
    key: pki.software.keyPem,
    minVersion: version,
    maxVersion: version,
  });
}

function node(
  target: Target,
  version: TlsVersion,
  secureContext: SecureContext,
  lingerMs: number,
): Promise<HandshakeSample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = tlsConnect({
      host: target.host,
      port: target.port,
      servername: SERVER_NAME,
      secureContext,
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() => socket.destroy(new Error('handshake timed out')), HANDSHAKE_TIMEOUT_MS);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('secureConnect', () => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      const got = socket.getProtocol();
      const done = (): void => {
        socket.destroy();
        if (got !== `TLSv${version}` || !socket.authorized)
          reject(new Error(`Node's client negotiated ${String(got)} (authorized ${socket.authorized})`));
        else resolve({ ms, chipUs: 0, signUs: 0 });
      };
      if (lingerMs > 0) setTimeout(done, lingerMs);
      else done();
    });
  });
}

export interface WireBytes {
  /** Client → server. */
  readonly out: number;
  /** Server → client, with any message the server sends right after its Finished (TLS 1.3 tickets). */
  readonly in: number;
}

/**
 * One handshake through a loopback relay that counts TCP payload bytes each way. The counts are
 * read once the connection has been quiet for a moment after the handshake, so the client's
 * last flight and the server's post-handshake messages are in.
 */
export async function measureBytes(
  client: HandshakeClient,
  target: Target,
  version: TlsVersion,
): Promise<WireBytes> {
  let out = 0;
  let inb = 0;
  const sockets = new Set<Socket>();
  const relay: Server = createServer((down) => {
    const up = netConnect({ host: target.host, port: target.port });
    sockets.add(down).add(up);
    down.on('data', (d: Buffer) => {
      out += d.length;
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      inb += d.length;
      down.write(d);
    });
    const close = (): void => {
      down.destroy();
      up.destroy();
    };
    down.on('close', close).on('error', close);
    up.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = (relay.address() as { port: number }).port;
  try {
    await client({ host: '127.0.0.1', port }, version, 150);
    return { out, in: inb };
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  }
}
