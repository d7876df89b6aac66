import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../bytes.js';
import { generateEphemeral } from '../key-share.js';
import {
  deriveSecret,
  finishedKey,
  finishedVerifyData13,
  hkdfExtract,
  hkdfLabel,
  KeySchedule,
  nextTrafficSecret,
  trafficKey,
  transcriptHash13,
} from './key-schedule.js';
import * as R from './rfc8448.case.js';

const eq = (actual: Uint8Array, expected: Uint8Array, what: string) =>
  assert.equal(toHex(actual), toHex(expected), what);

test('RFC 8448 §3: x25519 shared secret from the client private key and the server share', () => {
  const key = generateEphemeral('x25519', { bytes: () => Uint8Array.from(R.CLIENT_PRIVATE) });
  eq(key.publicKey, R.CLIENT_PUBLIC, 'client public key');
  eq(key.deriveSecret(R.SERVER_PUBLIC), R.SHARED_SECRET, 'IKM of extract secret "handshake"');
});

test('RFC 8448 §3: early, handshake and master secrets; hs and ap traffic secrets (RFC 8446 §7.1)', () => {
  const ks = new KeySchedule('sha256');
  eq(ks.secret, R.EARLY_SECRET, 'early secret');
  eq(
    deriveSecret('sha256', R.EARLY_SECRET, 'derived', transcriptHash13('sha256', [])),
    R.DERIVED_FOR_HANDSHAKE,
    'derived (handshake)',
  );
  ks.toHandshake(R.SHARED_SECRET);
  eq(ks.secret, R.HANDSHAKE_SECRET, 'handshake secret');
  const helloHash = transcriptHash13('sha256', [R.CLIENT_HELLO, R.SERVER_HELLO]);
  eq(helloHash, R.HELLO_HASH, 'Transcript-Hash(ClientHello, ServerHello)');
  eq(hkdfLabel('c hs traffic', helloHash, 32), R.C_HS_TRAFFIC_INFO, 'HkdfLabel encoding');
  const hs = ks.handshakeTrafficSecrets(helloHash);
  eq(hs.client, R.CLIENT_HS_TRAFFIC, 'client_handshake_traffic_secret');
  eq(hs.server, R.SERVER_HS_TRAFFIC, 'server_handshake_traffic_secret');
  eq(
    deriveSecret('sha256', R.HANDSHAKE_SECRET, 'derived', transcriptHash13('sha256', [])),
    R.DERIVED_FOR_MASTER,
    'derived (master)',
  );
  ks.toMaster();
  eq(ks.secret, R.MASTER_SECRET, 'master secret');
  const ap = ks.applicationTrafficSecrets(R.SERVER_FINISHED_HASH);
  eq(ap.client, R.CLIENT_AP_TRAFFIC, 'client_application_traffic_secret_0');
  eq(ap.server, R.SERVER_AP_TRAFFIC, 'server_application_traffic_secret_0');
  eq(ks.exporterMasterSecret(R.SERVER_FINISHED_HASH), R.EXPORTER_MASTER, 'exporter_master_secret');
  // The schedule refuses to run its stages out of order.
  assert.throws(() => ks.toHandshake(R.SHARED_SECRET));
  assert.throws(() => ks.handshakeTrafficSecrets(helloHash));
});

test('RFC 8448 §3: traffic keys and IVs (RFC 8446 §7.3), finished keys (§4.4.4)', () => {
  const shk = trafficKey('sha256', R.SERVER_HS_TRAFFIC, 16);
  eq(shk.key, R.SERVER_HS_KEY, 'server handshake key');
  eq(shk.iv, R.SERVER_HS_IV, 'server handshake iv');
  const chk = trafficKey('sha256', R.CLIENT_HS_TRAFFIC, 16);
  eq(chk.key, R.CLIENT_HS_KEY, 'client handshake key');
  eq(chk.iv, R.CLIENT_HS_IV, 'client handshake iv');
  const sak = trafficKey('sha256', R.SERVER_AP_TRAFFIC, 16);
  eq(sak.key, R.SERVER_AP_KEY, 'server application key');
  eq(sak.iv, R.SERVER_AP_IV, 'server application iv');
  const cak = trafficKey('sha256', R.CLIENT_AP_TRAFFIC, 16);
  eq(cak.key, R.CLIENT_AP_KEY, 'client application key');
  eq(cak.iv, R.CLIENT_AP_IV, 'client application iv');
  eq(finishedKey('sha256', R.SERVER_HS_TRAFFIC), R.SERVER_FINISHED_KEY, 'server finished key');
  eq(finishedKey('sha256', R.CLIENT_HS_TRAFFIC), R.CLIENT_FINISHED_KEY, 'client finished key');
});

test('RFC 8448 §3: verify_data of both Finished messages from the transcript the server record carries', async () => {
  const { Tls13Protection } = await import('./record-protection.js');
  const open = new Tls13Protection('aes-128-gcm', trafficKey('sha256', R.SERVER_HS_TRAFFIC, 16));
  const flight = open.open(R.SERVER_HANDSHAKE_RECORD.subarray(0, 5), R.SERVER_HANDSHAKE_RECORD.subarray(5));
  const sf = R.SERVER_FINISHED.length;
  const beforeFinished = flight.content.subarray(0, flight.content.length - sf);
  const serverVerify = finishedVerifyData13(
    'sha256',
    R.SERVER_HS_TRAFFIC,
    transcriptHash13('sha256', [R.CLIENT_HELLO, R.SERVER_HELLO, beforeFinished]),
  );
  eq(serverVerify, R.SERVER_FINISHED.subarray(4), 'server verify_data');
  const throughFinished = transcriptHash13('sha256', [R.CLIENT_HELLO, R.SERVER_HELLO, flight.content]);
  eq(throughFinished, R.SERVER_FINISHED_HASH, 'Transcript-Hash(ClientHello … server Finished)');
  eq(
    finishedVerifyData13('sha256', R.CLIENT_HS_TRAFFIC, throughFinished),
    R.CLIENT_FINISHED.subarray(4),
    'client verify_data',
  );
});

test('SHA-384 schedule: Extract(0,0) is HMAC-SHA384 of 48 zeros; KeyUpdate secret chain (RFC 8446 §7.2)', () => {
  const ks = new KeySchedule('sha384');
  eq(ks.secret, hkdfExtract('sha384', new Uint8Array(48), new Uint8Array(48)), 'early secret');
  assert.equal(ks.secret.length, 48);
  ks.toHandshake(new Uint8Array(32).fill(7));
  const t = ks.handshakeTrafficSecrets(new Uint8Array(48));
  assert.equal(t.client.length, 48);
  assert.equal(trafficKey('sha384', t.client, 32).key.length, 32);
  const next = nextTrafficSecret('sha256', R.CLIENT_AP_TRAFFIC);
  assert.equal(next.length, 32);
  assert.notEqual(toHex(next), toHex(R.CLIENT_AP_TRAFFIC));
  // RFC 8448 §3, {server} derive write traffic keys for handshake data: key info, iv info.
  eq(hkdfLabel('key', new Uint8Array(0), 16), R.hex('00 10 09 74 6c 73 31 33 20 6b 65 79 00'), 'key info');
  eq(hkdfLabel('iv', new Uint8Array(0), 12), R.hex('00 0c 08 74 6c 73 31 33 20 69 76 00'), 'iv info');
});
