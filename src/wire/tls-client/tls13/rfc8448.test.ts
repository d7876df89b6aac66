// RFC 8448 §3 replayed through our TLS 1.3 client: with the trace's client random, x25519
// private key and ClientHello, and the server's two records as input, the client must write
// exactly the trace's Finished record, then its first application_data record.
//
// The ClientHello itself is injected (ClientHelloOffer's test override): ours cannot match the
// trace's, which offers what this client never will — ffdhe groups, SHA-1 and DSA signature
// schemes, session_ticket, psk_key_exchange_modes and record_size_limit. The transcript and key
// schedule run on the trace's bytes, so the Finished record still tests everything after it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedClock } from '../../../core/clock.js';
import { concat, toHex } from '../bytes.js';
import { ClientHelloOffer } from '../hello.js';
import { resolveClientOptions } from '../options.js';
import { Tls13ClientConnection } from './connection.js';
import * as R from './rfc8448.case.js';

/** An Rng that hands out the trace's values in the order the client draws them. */
function traceRng(...values: Uint8Array[]) {
  return {
    bytes(n: number) {
      const v = values.shift();
      assert.ok(v && v.length === n, `unexpected draw of ${n} bytes`);
      return Uint8Array.from(v);
    },
  };
}

function client(lines: string[] = []) {
  const settings = resolveClientOptions({
    versions: ['1.3'],
    groups: ['x25519'],
    // The trace's server certificate (CN "rsa", 1024-bit, not a CA) validates under no anchor of
    // ours; its CertificateVerify is still verified. Lab-only option, failures reported.
    rejectUnauthorized: false,
    clock: new FixedClock(new Date('2019-01-01T00:00:00Z')),
    rng: traceRng(R.CLIENT_HELLO.subarray(6, 38), R.CLIENT_PRIVATE),
    keylog: (l) => lines.push(l),
  });
  return new Tls13ClientConnection(settings, new ClientHelloOffer(settings, R.CLIENT_HELLO));
}

test('RFC 8448 §3: the client Finished record, byte for byte, from the server flight', async () => {
  const lines: string[] = [];
  const conn = client(lines);
  // {client} send handshake record: complete record (201 octets) begins 16 03 01 00 c4.
  assert.equal(toHex(conn.start()), toHex(concat(R.hex('16 03 01 00 c4'), R.CLIENT_HELLO)));
  const out = await conn.receive(concat(R.SERVER_HELLO_RECORD, R.SERVER_HANDSHAKE_RECORD));
  assert.equal(out.error, undefined, String(out.error));
  assert.deepEqual(out.send.map(toHex), [toHex(R.CLIENT_FINISHED_RECORD)]);
  assert.equal(conn.state, 'connected');
  const n = conn.negotiated!;
  assert.deepEqual(
    [n.version, n.cipherSuite, n.group, n.serverSignatureScheme, n.helloRetryRequest, n.authorized],
    ['TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'x25519', 'rsa_pss_rsae_sha256', false, false],
  );
  // {client} send application_data record: the first record under client_application_traffic_secret_0.
  assert.equal(toHex(conn.write(R.APPLICATION_PAYLOAD)), toHex(R.CLIENT_APP_RECORD));
  // The NSS key log carries the RFC's secrets under the RFC's client random.
  const random = toHex(R.CLIENT_HELLO.subarray(6, 38));
  assert.deepEqual(lines, [
    `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(R.CLIENT_HS_TRAFFIC)}`,
    `SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${toHex(R.SERVER_HS_TRAFFIC)}`,
    `CLIENT_TRAFFIC_SECRET_0 ${random} ${toHex(R.CLIENT_AP_TRAFFIC)}`,
    `SERVER_TRAFFIC_SECRET_0 ${random} ${toHex(R.SERVER_AP_TRAFFIC)}`,
  ]);
});

test('RFC 8448 §3 flight fed one byte at a time gives the same Finished record', async () => {
  const conn = client();
  conn.start();
  const flight = concat(R.SERVER_HELLO_RECORD, R.SERVER_HANDSHAKE_RECORD);
  const sent: string[] = [];
  for (const b of flight) sent.push(...(await conn.receive(Uint8Array.of(b))).send.map(toHex));
  assert.deepEqual(sent, [toHex(R.CLIENT_FINISHED_RECORD)]);
});

test('RFC 8448 §3 flight with one bit flipped in the protected record: bad_record_mac, encrypted alert', async () => {
  const conn = client();
  conn.start();
  const bad = Uint8Array.from(R.SERVER_HANDSHAKE_RECORD);
  bad[300]! ^= 1;
  const out = await conn.receive(concat(R.SERVER_HELLO_RECORD, bad));
  assert.equal(out.error?.code, 'ERR_TLS_PROTOCOL');
  assert.equal(out.error?.details.alert, 'bad_record_mac');
  // The alert goes out under the client handshake key: an application_data record of 2+1+16 bytes.
  assert.equal(toHex(out.send[0]!.subarray(0, 5)), '1703030013');
  assert.equal(conn.state, 'failed');
});
