// TlsClientConnection against Node's TLS server (OpenSSL) in memory: TLS 1.3 with mutual
// authentication through a Signer, HelloRetryRequest, every suite, and TLS 1.2 when the
// server offers no more. OpenSSL's key log is the independent check of our key schedule.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { keySigner } from '../../../pki/signer.js';
import { TlsClientConnection } from '../client-connection.js';
import type { TlsClientOptions } from '../options.js';
import { drive, identities, type Identities, nodeServer } from '../peer.case.js';

const base = (id: Identities, extra: Partial<TlsClientOptions> = {}): TlsClientOptions => ({
  serverName: 'localhost',
  trustAnchors: [id.ca.certificate.der],
  ...extra,
});
const tls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

async function settle(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
}

test('TLS 1.3 mutual auth against Node: P-256 Signer, the server sees the device, key logs agree, data both ways, close', async () => {
  const id = await identities();
  const lines: string[] = [];
  const { server, clientEnd, keylog } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    ca: id.caPem,
    requestCert: true,
    rejectUnauthorized: true,
    ...tls13,
  });
  const conn = new TlsClientConnection(
    base(id, {
      certificateChain: [id.client.certificate.der],
      signer: keySigner(id.client.key),
      keylog: (l) => lines.push(l),
    }),
  );
  const secure = once(server, 'secure');
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  await secure;
  const n = conn.negotiated!;
  assert.equal(n.version, 'TLSv1.3');
  assert.equal(conn.version, 'TLSv1.3');
  assert.equal(n.cipherSuite, 'TLS_AES_128_GCM_SHA256');
  assert.equal(n.group, 'x25519');
  assert.equal(n.serverSignatureScheme, 'ecdsa_secp256r1_sha256');
  assert.equal(n.authorized, true);
  assert.equal(n.clientCertificateSent, true);
  assert.equal(n.clientSignatureScheme, 'ecdsa_secp256r1_sha256');
  assert.equal(server.getProtocol(), 'TLSv1.3');
  assert.equal(server.getPeerCertificate().subject.CN, 'm5go-01');
  // OpenSSL logs the same four traffic secrets (it adds EXPORTER_SECRET, which we never derive).
  await settle(() => keylog.length >= 4);
  assert.equal(lines.length, 4);
  for (const line of lines) assert.ok(keylog.includes(line), `${line.split(' ')[0]} differs from OpenSSL's`);
  const big = new Uint8Array(40_000).map((_, i) => i & 0xff);
  const received: Buffer[] = [];
  server.on('data', (b: Buffer) => received.push(b));
  clientEnd.write(conn.write(big));
  while (Buffer.concat(received).length < big.length) await once(server, 'data');
  assert.deepEqual(new Uint8Array(Buffer.concat(received)), big);
  server.write('pong');
  await settle(() => d.appData.length > 0);
  assert.equal(Buffer.from(d.appData[0]!).toString(), 'pong');
  clientEnd.write(conn.close());
  assert.equal(conn.state, 'closing');
  await once(server, 'end');
  server.end();
  await settle(() => conn.state === 'closed');
  assert.equal(conn.state, 'closed');
});

for (const suite of ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const) {
  test(`TLS 1.3 with ${suite} (our only suite), RSA server key (rsa_pss_rsae)`, async () => {
    const id = await identities();
    const lines: string[] = [];
    const { server, clientEnd, keylog } = nodeServer({
      cert: id.rsaServer.certPem,
      key: id.rsaServer.keyPem,
      ...tls13,
    });
    const conn = new TlsClientConnection(
      base(id, { tls13CipherSuites: [suite], keylog: (l) => lines.push(l) }),
    );
    const d = drive(conn, clientEnd);
    assert.equal(await d.handshake, undefined);
    assert.equal(conn.negotiated!.cipherSuite, suite);
    assert.match(conn.negotiated!.serverSignatureScheme, /^rsa_pss_rsae_sha/);
    assert.equal(conn.negotiated!.clientCertificateRequested, false);
    await settle(() => keylog.length >= 4);
    for (const line of lines) assert.ok(keylog.includes(line));
    server.write('x');
    await settle(() => d.appData.length > 0);
    assert.equal(Buffer.from(d.appData[0]!).toString(), 'x');
    server.destroy();
  });
}

test('HelloRetryRequest (RFC 8446 §4.1.4): the server wants secp256r1, we offered an x25519 share', async () => {
  const id = await identities();
  const { server, clientEnd } = nodeServer({
    cert: id.ecServer.certPem,
    key: id.ecServer.keyPem,
    ecdhCurve: 'P-256',
    ...tls13,
  });
  const conn = new TlsClientConnection(base(id));
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  assert.equal(conn.negotiated!.version, 'TLSv1.3');
  const n = conn.negotiated as { helloRetryRequest: boolean; group: string };
  assert.deepEqual([n.helloRetryRequest, n.group], [true, 'secp256r1']);
  server.write('after retry');
  await settle(() => d.appData.length > 0);
  assert.equal(Buffer.from(d.appData[0]!).toString(), 'after retry');
  server.destroy();
});

test('versions default (1.3 and 1.2) against a TLS 1.2-only server: TLS 1.2, no downgrade sentinel, key log agrees', async () => {
  const id = await identities();
  const lines: string[] = [];
  const { server, clientEnd, keylog } = nodeServer({ cert: id.ecServer.certPem, key: id.ecServer.keyPem });
  const conn = new TlsClientConnection(base(id, { keylog: (l) => lines.push(l) }));
  const d = drive(conn, clientEnd);
  assert.equal(await d.handshake, undefined);
  assert.equal(conn.version, 'TLSv1.2');
  assert.equal(conn.negotiated!.version, 'TLSv1.2');
  assert.deepEqual(
    lines,
    keylog.filter((l) => l.startsWith('CLIENT_RANDOM')),
  );
  server.destroy();
});

test("versions ['1.3'] against a TLS 1.2-only server: refused, the server hears protocol_version", async () => {
  const id = await identities();
  const { clientEnd, errors } = nodeServer({ cert: id.ecServer.certPem, key: id.ecServer.keyPem });
  const conn = new TlsClientConnection(base(id, { versions: ['1.3'] }));
  const err = await drive(conn, clientEnd).handshake;
  // OpenSSL answers a 1.3-only ClientHello itself: protocol_version, before any ServerHello.
  assert.equal(err?.code, 'ERR_TLS_HANDSHAKE');
  assert.equal(err?.details.alert, 'protocol_version');
  assert.equal(err?.details.direction, 'received');
  assert.ok(errors.length > 0);
});

test('ALPN (RFC 7301): "mqtt" offered and chosen in TLS 1.3 and in TLS 1.2', async () => {
  const id = await identities();
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    const { server, clientEnd } = nodeServer({
      cert: id.ecServer.certPem,
      key: id.ecServer.keyPem,
      ALPNProtocols: ['mqtt'],
      maxVersion,
    });
    const conn = new TlsClientConnection(base(id, { alpnProtocols: ['x-other', 'mqtt'] }));
    assert.equal(await drive(conn, clientEnd).handshake, undefined);
    assert.equal(conn.negotiated!.alpnProtocol, 'mqtt');
    assert.equal(server.alpnProtocol, 'mqtt');
    server.destroy();
  }
});
