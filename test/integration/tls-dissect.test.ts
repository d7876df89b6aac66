// The TLS dissector on real traffic: Node's TLS (OpenSSL) server and client doing mutual TLS
// through a capturing relay, and an `openssl s_server` refusing a client from another CA. Node's
// own view of the session and tshark's dissection of the same bytes (written as a pcap) are the
// oracles: what the dissector says an observer sees must be what they say.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import tls from 'node:tls';
import { dissectTls, type TlsDissection, type TlsStreamChunk } from '../../src/wire/tls/index.js';
import { hasOpenssl, join, tempDir } from '../helpers/openssl.js';
import { freePort, start, waitForStdout, withTimeout } from '../helpers/process.js';
import { makeTlsFixtures, type TlsFixtures } from '../helpers/tls-fixtures.js';
import { chunksToPcap } from './tls-dissect/pcap.js';
import { captureRelay } from './tls-dissect/relay.js';
import { runSession, type Session } from './tls-dissect/session.js';
import { hasTshark, tsharkRecords } from './tls-dissect/tshark.js';

type Tls = Extract<TlsDissection, { tls: true }>;
const C2S = [100, 1000, 5000];
const S2C = [4, 200];

function dissect(chunks: readonly TlsStreamChunk[]): Tls {
  const r = dissectTls(chunks);
  assert.ok(r.tls, r.tls ? '' : r.reason);
  assert.deepEqual(r.malformed, []);
  return r;
}

/** `needle` appears in `hay` as consecutive elements. */
function assertRun(hay: readonly number[], needle: readonly number[], what: string): void {
  const found = hay.some((_, i) => needle.every((n, k) => hay[i + k] === n));
  assert.ok(found, `${what}: ${JSON.stringify(needle)} not found in ${JSON.stringify(hay)}`);
}

describe('TLS dissector on real mutual-TLS traffic', () => {
  const dir = tempDir({ after }, 'mqtts-lab-tls-dissect-');
  let fx: TlsFixtures;
  const sessions = new Map<string, Session>();

  before(async () => {
    fx = await makeTlsFixtures(dir);
    sessions.set('node TLSv1.2', await runSession(fx, { version: 'TLSv1.2', c2s: C2S, s2c: S2C }));
    sessions.set('node TLSv1.3', await runSession(fx, { version: 'TLSv1.3', c2s: C2S, s2c: S2C }));
  });

  test('TLS 1.2: the device certificate is visible, suite ECDHE-*-AES-GCM, sizes = sent + 24', () => {
    const s = sessions.get('node TLSv1.2')!;
    assert.equal(s.established, true, s.clientError);
    const r = dissect(s.chunks);
    const sum = r.summary;
    assert.equal(s.protocol, 'TLSv1.2');
    assert.equal(sum.version, '1.2');
    assert.equal(sum.cipherSuite?.name, s.cipher, "the suite Node's client negotiated");
    assert.match(sum.cipherSuite?.name ?? '', /^TLS_ECDHE_(ECDSA|RSA)_WITH_AES_(128|256)_GCM_SHA(256|384)$/);
    assert.equal(sum.sni, 'localhost');
    assert.equal(sum.alpnSelected, 'mqtt');
    // The observer reads the device identity, exactly as issued.
    assert.equal(sum.clientCertificate.visible, true);
    assert.equal(sum.clientCertificate.requested, true);
    assert.equal(sum.clientCertificate.subjectCn, fx.client.cn);
    assert.equal(sum.clientCertificate.chain[0]?.serial, fx.serials.get(fx.client.cert));
    assert.equal(sum.serverCertificates[0]?.subjectCn, s.peer?.cn);
    assert.equal(sum.serverCertificates[0]?.serial, s.peer?.serial.replace(/^(00)+(?=.)/, ''));
    assert.equal(sum.handshake.status, 'complete');
    // RFC 5288 §3: 8-byte explicit nonce + 16-byte tag.
    assert.deepEqual(
      sum.applicationData.c2s.map((x) => x.length),
      C2S.map((n) => n + 24),
    );
    assert.deepEqual(
      sum.applicationData.s2c.map((x) => x.length),
      S2C.map((n) => n + 24),
    );
    assert.deepEqual(
      sum.applicationData.c2s.map((x) => x.plaintextLength),
      C2S,
    );
    const sent = s.chunks.reduce((n, c) => n + c.bytes.length, 0);
    assert.equal(sum.bytes.total, sent);
  });

  test('TLS 1.3: version from supported_versions, certificates hidden, sizes = sent + 17', () => {
    const s = sessions.get('node TLSv1.3')!;
    assert.equal(s.established, true, s.clientError);
    const r = dissect(s.chunks);
    const sum = r.summary;
    assert.equal(s.protocol, 'TLSv1.3');
    assert.equal(sum.version, '1.3');
    assert.equal(sum.versionFrom, 'supported_versions');
    assert.equal(r.handshakes.find((h) => h.type === 'server_hello')?.legacyVersion.name, 'TLS 1.2');
    assert.equal(sum.cipherSuite?.name, s.cipher);
    assert.equal(sum.sni, 'localhost', 'SNI stays in clear in TLS 1.3');
    assert.deepEqual(sum.alpnOffered, ['mqtt']);
    assert.equal(sum.alpnSelected, undefined, 'the choice is in EncryptedExtensions');
    assert.deepEqual(sum.clientCertificate, {
      requested: 'unknown',
      sent: 'unknown',
      visible: false,
      chain: [],
    });
    assert.deepEqual(sum.serverCertificates, []);
    assert.equal(
      r.handshakes.some((h) => h.type === 'certificate'),
      false,
    );
    assert.equal(sum.handshake.status, 'complete');
    // RFC 8446 §5.2: inner content type + 16-byte tag, no padding from OpenSSL by default.
    assertRun(
      sum.applicationData.c2s.map((x) => x.length),
      C2S.map((n) => n + 17),
      'c2s',
    );
    assertRun(
      sum.applicationData.s2c.map((x) => x.length),
      S2C.map((n) => n + 17),
      's2c',
    );
    const afterHello = r.records.filter((x) => x.index > 1 && x.contentTypeName !== 'change_cipher_spec');
    assert.ok(
      afterHello.every((x) => x.encrypted),
      'everything after ServerHello but CCS is encrypted',
    );
  });

  describe(
    'openssl s_server refusing a client from another CA',
    { skip: !hasOpenssl() && 'no openssl' },
    () => {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        test(`${version}: what the observer sees of the refusal`, async (t) => {
          const chunks = await refusedByOpenssl(t, fx, dir, version);
          sessions.set(`s_server ${version}`, { chunks, established: false, keylog: '' });
          const r = dissect(chunks);
          assert.equal(r.summary.version, version === 'TLSv1.2' ? '1.2' : '1.3');
          if (version === 'TLSv1.2') {
            assert.deepEqual(r.summary.handshake.alert, { by: 's2c', description: 'unknown_ca' });
            assert.equal(r.summary.handshake.inferred, false);
            assert.equal(r.summary.clientCertificate.subject, 'O=mqtts-lab test, CN=m5go-01');
          } else {
            assert.equal(r.summary.handshake.status, 'failed');
            assert.equal(r.summary.handshake.inferred, true);
            assert.equal(r.alerts.length, 0, 'the alert itself is encrypted');
          }
        });
      }
    },
  );

  test(
    'tshark reads the same records, handshake types, suites, SNI, certificates and alerts',
    { skip: !hasTshark() && 'no tshark' },
    () => {
      assert.equal(sessions.size, hasOpenssl() ? 4 : 2);
      for (const [name, s] of sessions) {
        const pcap = join(dir, `${name.replace(/\W+/g, '-')}.pcap`);
        writeFileSync(pcap, chunksToPcap(s.chunks));
        const theirs = tsharkRecords(pcap);
        const ours = dissect(s.chunks);
        for (const direction of ['c2s', 's2c'] as const) {
          const mine = ours.records.filter((x) => x.direction === direction);
          const seen = theirs.filter((x) => x.direction === direction);
          assert.deepEqual(
            seen.map((x) => [x.contentType, x.version, x.length]),
            mine.map((x) => [x.contentType, x.legacyVersion, x.length]),
            `${name} ${direction}: records`,
          );
          assert.deepEqual(
            seen.map(({ handshakeTypes, cipherSuites, serverNames, certificates, alerts }) => ({
              handshakeTypes,
              cipherSuites,
              serverNames,
              certificates,
              alerts,
            })),
            mine.map((x) => content(ours, x.index)),
            `${name} ${direction}: record contents`,
          );
        }
      }
    },
  );
});

/** What one of our records holds, in tshark's terms. */
function content(r: Tls, recordIndex: number) {
  const hs = r.handshakes.filter((h) => h.recordIndex === recordIndex && !h.encrypted);
  return {
    handshakeTypes: hs.map((h) => h.msgType!),
    cipherSuites: hs.flatMap((h) =>
      h.type === 'client_hello'
        ? h.cipherSuites.map((c) => c.code)
        : h.type === 'server_hello'
          ? [h.cipherSuite.code]
          : [],
    ),
    serverNames: hs.flatMap((h) => (h.type === 'client_hello' && h.serverName ? [h.serverName] : [])),
    certificates: hs.flatMap((h) =>
      h.type === 'certificate' ? h.certificates.map((c) => c.sha256Fingerprint!) : [],
    ),
    alerts: r.alerts
      .filter((a) => a.recordIndex === recordIndex && !a.encrypted)
      .map((a) => a.description!.code),
  };
}

/** Node's client with the other CA's device certificate against `openssl s_server -Verify`. */
async function refusedByOpenssl(
  t: TestContext,
  fx: TlsFixtures,
  dir: string,
  version: 'TLSv1.2' | 'TLSv1.3',
): Promise<TlsStreamChunk[]> {
  const port = await freePort();
  const flag = version === 'TLSv1.2' ? '-tls1_2' : '-tls1_3';
  const args = [
    's_server',
    '-accept',
    String(port),
    '-naccept',
    '1',
    '-cert',
    fx.server.cert,
    '-key',
    fx.server.key,
  ];
  const server = start(t, dir, [...args, '-CAfile', fx.cafile, '-Verify', '1', '-verify_return_error', flag]);
  await waitForStdout(server, 'ACCEPT', 15_000);
  const relay = await captureRelay(port);
  t.after(() => relay.close());
  const read = (p: string) => readFileSync(p);
  const client = tls.connect({
    host: '127.0.0.1',
    port: relay.port,
    servername: 'localhost',
    ca: read(fx.cafile),
    key: read(fx.otherCaClient.key),
    cert: read(fx.otherCaClient.cert),
    minVersion: version,
    maxVersion: version,
  });
  client.on('error', () => {});
  client.on('secureConnect', () => client.write('CONNECT'));
  await withTimeout(relay.closed, 15_000, 'the refused connection to close');
  client.destroy();
  return relay.chunks;
}
