// RFC 8448 §6 ("Client Authentication") replayed through our TLS 1.3 client: the server asks for
// a certificate and the client answers with its RSA certificate, an rsa_pss_rsae_sha256
// CertificateVerify and its Finished, all in one protected record that must equal the trace's.
//
// RSASSA-PSS is randomised by its salt, so the trace's signature cannot be recomputed. Instead the
// client is driven by a Signer that checks what it is asked to sign and returns the trace's
// recorded signature; our verification code then shows that signature verifies with the
// trace's client public key over exactly the content our client computed. Every other byte —
// secrets, keys, IVs, the client's record, the application keys' close_notify — is the RFC's.
// As in §3, the ClientHello is the trace's, injected (ClientHelloOffer's test override).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { FixedClock } from '../../../core/clock.js';
import type { Signer } from '../../../pki/signer.js';
import { concat, toHex } from '../bytes.js';
import { ClientHelloOffer } from '../hello.js';
import { generateEphemeral } from '../key-share.js';
import { resolveClientOptions } from '../options.js';
import { signatureSchemeById, verifyWithScheme } from '../signature-schemes.js';
import { CLIENT_SIGNATURE_CONTEXT } from './codes.js';
import { Tls13ClientConnection } from './connection.js';
import { KeySchedule, trafficKey, transcriptHash13 } from './key-schedule.js';
import * as R from './rfc8448-client-auth.case.js';
import { signedContent } from './signatures.js';

const eq = (actual: Uint8Array, expected: Uint8Array, what: string) =>
  assert.equal(toHex(actual), toHex(expected), what);

const CLIENT_HELLO = R.CLIENT_HELLO_RECORD.subarray(5);
const SERVER_HELLO = R.SERVER_HELLO_RECORD.subarray(5);
// The ServerHello ends with key_share's 32-byte x25519 share, then supported_versions (6 bytes).
const SERVER_PUBLIC = SERVER_HELLO.subarray(-38, -6);
const PSS_SHA256 = signatureSchemeById(0x0804)!;
/** The trace's client public key, read with node:crypto from the trace's client certificate. */
const clientKey = () => new X509Certificate(R.CLIENT_CERTIFICATE).publicKey;

/** Hands out the trace's client random, then its x25519 private key. */
function traceRng() {
  const values = [CLIENT_HELLO.subarray(6, 38), R.CLIENT_PRIVATE];
  return {
    bytes(n: number) {
      const v = values.shift();
      assert.ok(v && v.length === n, `unexpected draw of ${n} bytes`);
      return Uint8Array.from(v);
    },
  };
}

/** An rsa_pss_rsae_sha256 Signer holding the trace's client key, answering with the trace's signature. */
function traceSigner(asked: Uint8Array[]): Signer {
  return {
    publicKeyInfo: new Uint8Array(clientKey().export({ format: 'der', type: 'spki' })),
    signatureAlgorithm: 'sha256WithRSAEncryption',
    rsaPadding: 'pss',
    sign: async (content) => {
      asked.push(content);
      return Uint8Array.from(R.CLIENT_SIGNATURE);
    },
  };
}

function client(asked: Uint8Array[], lines: string[]) {
  const settings = resolveClientOptions({
    versions: ['1.3'],
    groups: ['x25519'],
    // The trace's server certificate (CN "ecdsa256", self-issued, not a CA) validates under no
    // anchor of ours; its CertificateVerify is still verified. Lab-only option, failures reported.
    rejectUnauthorized: false,
    clock: new FixedClock(new Date('2019-01-01T00:00:00Z')),
    rng: traceRng(),
    keylog: (l) => lines.push(l),
    certificateChain: [R.CLIENT_CERTIFICATE],
    signer: traceSigner(asked),
  });
  return new Tls13ClientConnection(settings, new ClientHelloOffer(settings, CLIENT_HELLO));
}

test('RFC 8448 §6: key share, handshake and master secrets, traffic keys and IVs both ways', () => {
  const share = generateEphemeral('x25519', { bytes: () => Uint8Array.from(R.CLIENT_PRIVATE) });
  eq(share.publicKey, R.CLIENT_PUBLIC, 'client public key');
  const ks = new KeySchedule('sha256');
  ks.toHandshake(share.deriveSecret(SERVER_PUBLIC));
  eq(ks.secret, R.HANDSHAKE_SECRET, 'handshake secret');
  const hs = ks.handshakeTrafficSecrets(transcriptHash13('sha256', [CLIENT_HELLO, SERVER_HELLO]));
  eq(hs.client, R.CLIENT_HS_TRAFFIC, 'client_handshake_traffic_secret');
  eq(hs.server, R.SERVER_HS_TRAFFIC, 'server_handshake_traffic_secret');
  ks.toMaster();
  eq(ks.secret, R.MASTER_SECRET, 'master secret');
  const keys: [Uint8Array, Uint8Array, Uint8Array, string][] = [
    [R.CLIENT_HS_TRAFFIC, R.CLIENT_HS_KEY, R.CLIENT_HS_IV, 'client handshake'],
    [R.SERVER_HS_TRAFFIC, R.SERVER_HS_KEY, R.SERVER_HS_IV, 'server handshake'],
    [R.CLIENT_AP_TRAFFIC, R.CLIENT_AP_KEY, R.CLIENT_AP_IV, 'client application'],
    [R.SERVER_AP_TRAFFIC, R.SERVER_AP_KEY, R.SERVER_AP_IV, 'server application'],
  ];
  for (const [secret, key, iv, what] of keys) {
    const k = trafficKey('sha256', secret, 16);
    eq(k.key, key, `${what} key`);
    eq(k.iv, iv, `${what} iv`);
  }
});

test("RFC 8448 §6: the trace's rsa_pss_rsae_sha256 CertificateVerify verifies with the trace's client key", () => {
  const key = clientKey();
  const content = signedContent(CLIENT_SIGNATURE_CONTEXT, R.CERTIFICATE_VERIFY_HASH);
  assert.equal(verifyWithScheme(PSS_SHA256, key, content, R.CLIENT_SIGNATURE), true);
  // Our verifier is not a rubber stamp: one flipped bit of content or signature fails.
  const badContent = Uint8Array.from(content);
  badContent[content.length - 1]! ^= 1;
  assert.equal(verifyWithScheme(PSS_SHA256, key, badContent, R.CLIENT_SIGNATURE), false);
  const badSig = Uint8Array.from(R.CLIENT_SIGNATURE);
  badSig[10]! ^= 0x40;
  assert.equal(verifyWithScheme(PSS_SHA256, key, content, badSig), false);
  // rsa_pkcs1_sha256 over the same bytes is a different scheme and does not verify.
  assert.equal(verifyWithScheme(signatureSchemeById(0x0401)!, key, content, R.CLIENT_SIGNATURE), false);
});

test("RFC 8448 §6: the client's Certificate/CertificateVerify/Finished record, byte for byte", async () => {
  const asked: Uint8Array[] = [];
  const lines: string[] = [];
  const conn = client(asked, lines);
  eq(conn.start(), R.CLIENT_HELLO_RECORD, 'ClientHello record');
  const out = await conn.receive(concat(R.SERVER_HELLO_RECORD, R.SERVER_HANDSHAKE_RECORD));
  assert.equal(out.error, undefined, String(out.error));
  // The signer was asked to sign exactly the RFC 8446 §4.4.3 content over the trace's transcript,
  // and the trace's signature verifies over it with the trace's client key.
  assert.equal(asked.length, 1);
  eq(asked[0]!, signedContent(CLIENT_SIGNATURE_CONTEXT, R.CERTIFICATE_VERIFY_HASH), 'content signed');
  const key = clientKey();
  assert.equal(verifyWithScheme(PSS_SHA256, key, asked[0]!, R.CLIENT_SIGNATURE), true);
  assert.deepEqual(out.send.map(toHex), [toHex(R.CLIENT_FLIGHT_RECORD)]);
  assert.equal(conn.state, 'connected');
  const n = conn.negotiated!;
  assert.deepEqual(
    [n.cipherSuite, n.group, n.serverSignatureScheme, n.clientCertificateRequested],
    ['TLS_AES_128_GCM_SHA256', 'x25519', 'ecdsa_secp256r1_sha256', true],
  );
  assert.deepEqual([n.clientCertificateSent, n.clientSignatureScheme], [true, 'rsa_pss_rsae_sha256']);
  const random = toHex(CLIENT_HELLO.subarray(6, 38));
  assert.deepEqual(lines, [
    `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(R.CLIENT_HS_TRAFFIC)}`,
    `SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(R.SERVER_HS_TRAFFIC)}`,
    `CLIENT_TRAFFIC_SECRET_0 ${random} ${toHex(R.CLIENT_AP_TRAFFIC)}`,
    `SERVER_TRAFFIC_SECRET_0 ${random} ${toHex(R.SERVER_AP_TRAFFIC)}`,
  ]);
  // The application keys both ways: the server's close_notify opens under the server's, and our
  // answering close_notify is the trace's record under the client's (sequence number 0).
  const closing = await conn.receive(R.SERVER_CLOSE_RECORD);
  assert.equal(closing.error, undefined, String(closing.error));
  assert.deepEqual(closing.events, [{ type: 'close_notify' }]);
  assert.deepEqual(closing.send.map(toHex), [toHex(R.CLIENT_CLOSE_RECORD)]);
});

test('RFC 8448 §6: with no PSS-capable signer the client answers with an empty Certificate', async () => {
  const asked: Uint8Array[] = [];
  const settings = resolveClientOptions({
    versions: ['1.3'],
    groups: ['x25519'],
    rejectUnauthorized: false,
    clock: new FixedClock(new Date('2019-01-01T00:00:00Z')),
    rng: traceRng(),
    certificateChain: [R.CLIENT_CERTIFICATE],
    // PKCS#1 v1.5 is never a TLS 1.3 CertificateVerify scheme (RFC 8446 §4.4.3).
    signer: { ...traceSigner(asked), rsaPadding: undefined },
  });
  const conn = new Tls13ClientConnection(settings, new ClientHelloOffer(settings, CLIENT_HELLO));
  conn.start();
  const out = await conn.receive(concat(R.SERVER_HELLO_RECORD, R.SERVER_HANDSHAKE_RECORD));
  assert.equal(out.error, undefined, String(out.error));
  assert.equal(asked.length, 0);
  // Empty Certificate (8 bytes) + Finished (36) + inner type (1) + tag (16) = 61 = 0x3d.
  assert.equal(toHex(out.send[0]!.subarray(0, 5)), '170303003d');
  assert.equal(conn.negotiated?.clientCertificateSent, false);
});
