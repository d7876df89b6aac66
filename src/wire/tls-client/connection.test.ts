import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { isLabError, LabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { keySigner } from '../../pki/signer.js';
import { Tls12ClientConnection } from './connection.js';
import type { Tls12ClientOptions } from './options.js';
import { drive, identities, type Identities, nodeServer } from './peer.case.js';

const base = (id: Identities, extra: Partial<Tls12ClientOptions> = {}): Tls12ClientOptions => ({
  serverName: 'localhost',
  trustAnchors: [id.ca.certificate.der],
  ...extra,
});
const withClientCert = (id: Identities, key = id.client.key): Partial<Tls12ClientOptions> => ({
  certificateChain: [id.client.certificate.der],
  signer: keySigner(key),
});

test('handshake with mutual TLS against Node (OpenSSL): ECDHE-ECDSA, EMS, the server sees our certificate', async () => {
  const id = await identities();
  const lines: string[] = [];
  const { server, clientEnd, keylog } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    ca: id.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const conn = new Tls12ClientConnection(base(id, { ...withClientCert(id), keylog: (l) => lines.push(l) }));
  const secure = once(server, 'secure');
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  await secure;
  assert.equal(conn.state, 'connected');
  const n = conn.negotiated!;
  assert.equal(n.cipherSuite, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  assert.equal(n.group, 'x25519');
  assert.equal(n.extendedMasterSecret, true);
  assert.equal(n.authorized, true);
  assert.equal(n.clientCertificateSent, true);
  assert.equal(n.clientSignatureScheme, 'ecdsa_secp256r1_sha256');
  assert.equal(server.getPeerCertificate().subject.CN, 'm5go-01');
  // The independent check of our key schedule: OpenSSL logs the same master secret.
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  assert.deepEqual(
    lines,
    keylog.filter((l) => l.startsWith('CLIENT_RANDOM')),
  );
  // Application data both ways, including a write larger than one record (2^14).
  const big = new Uint8Array(40_000).map((_, i) => i & 0xff);
  const received: Buffer[] = [];
  server.on('data', (b: Buffer) => received.push(b));
  clientEnd.write(conn.write(big));
  while (Buffer.concat(received).length < big.length) await once(server, 'data');
  assert.deepEqual(new Uint8Array(Buffer.concat(received)), big);
  server.write('pong');
  while (d.appData.length === 0) await new Promise((r) => setImmediate(r));
  assert.equal(Buffer.from(d.appData[0]!).toString(), 'pong');
  // close_notify both ways (RFC 5246 §7.2.1).
  clientEnd.write(conn.close());
  assert.equal(conn.state, 'closing');
  await once(server, 'end');
  server.end();
  while (conn.state !== 'closed') await new Promise((r) => setImmediate(r));
  assert.ok(d.events.some((e) => e.type === 'close_notify'));
  assert.throws(
    () => conn.write(Uint8Array.of(1)),
    (e: unknown) => isLabError(e, 'ERR_TLS_HANDSHAKE'),
  );
});

test('ECDHE-RSA with AES-256-GCM-SHA384 and secp256r1 when those are all we offer', async () => {
  const id = await identities();
  const { server, clientEnd } = nodeServer({ cert: id.rsaServer.certPem, key: id.rsaServer.keyPem });
  const conn = new Tls12ClientConnection(
    base(id, { cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'], groups: ['secp256r1'] }),
  );
  const secure = once(server, 'secure');
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  await secure;
  assert.equal(conn.negotiated!.cipherSuite, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  assert.equal(conn.negotiated!.group, 'secp256r1');
  assert.match(conn.negotiated!.serverSignatureScheme, /^rsa_/);
  assert.equal(conn.negotiated!.clientCertificateRequested, false);
  server.write('x');
  while (d.appData.length === 0) await new Promise((r) => setImmediate(r));
  server.destroy();
});

// Node's TLSSocket over a JS stream drops its last alert when it destroys itself, so these two
// in-memory tests judge by the server's own error; test/integration/tls12-client.test.ts checks
// the alert itself over TCP.
test('without EMS (OpenSSL with SSL_OP_NO_EXTENDED_MASTER_SECRET): the RFC 5246 §8.1 master secret, same as OpenSSL', async () => {
  const id = await identities();
  const lines: string[] = [];
  // SSL_OP_NO_EXTENDED_MASTER_SECRET is bit 0 in OpenSSL 3 (Node exports no name for it).
  const { server, clientEnd, keylog } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    secureOptions: 1,
  });
  const conn = new Tls12ClientConnection(base(id, { keylog: (l) => lines.push(l) }));
  const secure = once(server, 'secure');
  assert.equal(await drive(conn, clientEnd).handshake, undefined);
  await secure;
  assert.equal(conn.negotiated!.extendedMasterSecret, false);
  assert.deepEqual(
    lines,
    keylog.filter((l) => l.startsWith('CLIENT_RANDOM')),
  );
  server.destroy();
});

test('requireExtendedMasterSecret refuses that server', async () => {
  const id = await identities();
  const { clientEnd } = nodeServer({ cert: id.ecServer.certPem, key: id.ecServer.keyPem, secureOptions: 1 });
  const conn = new Tls12ClientConnection(base(id, { requireExtendedMasterSecret: true }));
  const err = await drive(conn, clientEnd).handshake;
  assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
  assert.equal(err.details.alert, 'handshake_failure');
});

test('no certificate configured: an empty Certificate, and a server that requires one refuses', async () => {
  const id = await identities();
  const { clientEnd, errors } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    ca: id.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const conn = new Tls12ClientConnection(base(id));
  const err = await drive(conn, clientEnd).handshake;
  assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
  assert.match(String(errors[0]?.message), /peer did not return a certificate/);
  assert.equal(conn.state, 'failed');
});

test('the wrong secure element: the signature goes out unchecked and the server finds it bad', async () => {
  const id = await identities();
  const { clientEnd, errors } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    ca: id.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const conn = new Tls12ClientConnection(base(id, withClientCert(id, id.otherKey)));
  const err = await drive(conn, clientEnd).handshake;
  assert.ok(isLabError(err, 'ERR_TLS_HANDSHAKE'));
  assert.match(String(errors[0]?.message), /bad signature/);
});

test('HelloRequest after the handshake is refused with a no_renegotiation warning', async () => {
  const id = await identities();
  const { server, clientEnd } = nodeServer({ cert: id.ecServer.certPem, key: id.ecServer.keyPem });
  const conn = new Tls12ClientConnection(base(id));
  const secure = once(server, 'secure');
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  await secure;
  server.renegotiate({}, () => {});
  while (!d.events.some((e) => e.type === 'renegotiation_refused')) await new Promise((r) => setImmediate(r));
  assert.equal(conn.state, 'connected');
  server.destroy();
});

test('a tampered server record kills the session with bad_record_mac', async () => {
  const id = await identities();
  const { server, clientEnd } = nodeServer({ cert: id.ecServer.certPem, key: id.ecServer.keyPem });
  const conn = new Tls12ClientConnection(base(id));
  const secure = once(server, 'secure');
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  await secure;
  // Capture one application-data record on its way to us and flip a bit in its ciphertext.
  const record = await new Promise<Buffer>((resolve) => {
    clientEnd.removeAllListeners('data');
    clientEnd.once('data', resolve);
    server.write('secret reading');
  });
  record[record.length - 3]! ^= 0x10;
  const out = await conn.receive(record);
  assert.ok(isLabError(out.error, 'ERR_TLS_PROTOCOL'));
  assert.equal(out.error.details.alert, 'bad_record_mac');
  assert.equal(out.send.length, 1, 'the fatal alert, encrypted');
  assert.equal(out.appData.length, 0);
  server.destroy();
});

test('deterministic with a seeded rng: the same ClientHello bytes every time', () => {
  const opts = { rejectUnauthorized: false, serverName: 'broker.lab' } as const;
  const a = new Tls12ClientConnection({ ...opts, rng: new SeededRng('x') }).start();
  const b = new Tls12ClientConnection({ ...opts, rng: new SeededRng('x') }).start();
  const c = new Tls12ClientConnection({ ...opts, rng: new SeededRng('y') }).start();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('API misuse is a coded error, and a failed connection keeps reporting its failure', async () => {
  const conn = new Tls12ClientConnection({ rejectUnauthorized: false });
  assert.throws(
    () => conn.write(Uint8Array.of(1)),
    (e: unknown) => isLabError(e, 'ERR_TLS_HANDSHAKE'),
  );
  conn.start();
  assert.throws(() => conn.start(), LabError);
  const out = await conn.receive(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
  assert.ok(isLabError(out.error, 'ERR_TLS_PROTOCOL'));
  assert.equal(out.error.details.alert, 'unexpected_message');
  const again = await conn.receive(Uint8Array.of(22, 3, 3, 0, 0));
  assert.equal(again.error, out.error);
  assert.equal(again.send.length, 0);
  assert.equal((await conn.receiveEnd()).error, undefined);
});

test('end of stream during the handshake is a handshake failure', async () => {
  const conn = new Tls12ClientConnection({ rejectUnauthorized: false });
  conn.start();
  const out = await conn.receiveEnd();
  assert.ok(isLabError(out.error, 'ERR_TLS_HANDSHAKE'));
  assert.equal(conn.state, 'failed');
});
