// Decryption with a key log, on real traffic: Node's TLS (OpenSSL) server and client do mutual TLS
// through a capturing relay, the server's 'keylog' event writes the NSS key log, and our
// decryptor must return exactly the bytes each side wrote — for TLS 1.2 and 1.3, AES-128/256-GCM
// and ChaCha20-Poly1305. OpenSSL produced the secrets and the records; we only read them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isLabError } from '../../src/core/errors.js';
import { decryptTls } from '../../src/wire/tls/decrypt.js';
import { dissectTls, type TlsDissection, type TlsStreamChunk } from '../../src/wire/tls/index.js';
import { parseKeyLog } from '../../src/wire/tls/keylog.js';
import { tempDir } from '../helpers/openssl.js';
import { makeTlsFixtures, type TlsFixtures } from '../helpers/tls-fixtures.js';
import { runSession, type Session, type SessionPlan } from './tls-dissect/session.js';

type Tls = Extract<TlsDissection, { tls: true }>;
const C2S = [100, 1000, 5000, 20_000];
const S2C = [4, 200, 17_000];

const CASES: readonly { name: string; plan: Omit<SessionPlan, 'c2s' | 's2c'>; suite: RegExp }[] = [
  {
    name: 'TLS 1.2 AES-128-GCM',
    plan: { version: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256' },
    suite: /AES_128_GCM_SHA256$/,
  },
  {
    name: 'TLS 1.2 AES-256-GCM (SHA-384 PRF)',
    plan: { version: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384' },
    suite: /AES_256_GCM_SHA384$/,
  },
  {
    name: 'TLS 1.2 ChaCha20-Poly1305',
    plan: { version: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305' },
    suite: /CHACHA20_POLY1305_SHA256$/,
  },
  {
    name: 'TLS 1.3 AES-128-GCM',
    plan: { version: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' },
    suite: /^TLS_AES_128_GCM_SHA256$/,
  },
  {
    name: 'TLS 1.3 AES-256-GCM',
    plan: { version: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' },
    suite: /^TLS_AES_256_GCM_SHA384$/,
  },
  {
    name: 'TLS 1.3 ChaCha20-Poly1305',
    plan: { version: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' },
    suite: /^TLS_CHACHA20_POLY1305_SHA256$/,
  },
];

/** What runSession writes: message i of the client is C2S[i] bytes of 'a'+i, of the server S2C[i] of 'A'+i. */
function sent(sizes: readonly number[], base: number): Buffer {
  return Buffer.concat(sizes.map((n, i) => Buffer.alloc(n, base + i)));
}

function streamsOf(chunks: readonly TlsStreamChunk[]): Record<'c2s' | 's2c', Uint8Array> {
  const of = (dir: 'c2s' | 's2c') =>
    Buffer.concat(chunks.filter((c) => c.direction === dir).map((c) => c.bytes));
  return { c2s: of('c2s'), s2c: of('s2c') };
}

describe('TLS decryption with the server key log', () => {
  const dir = tempDir({ after }, 'mqtts-lab-tls-decrypt-');
  let fx: TlsFixtures;
  const sessions = new Map<string, Session>();

  before(async () => {
    fx = await makeTlsFixtures(dir);
    for (const c of CASES) sessions.set(c.name, await runSession(fx, { ...c.plan, c2s: C2S, s2c: S2C }));
  });

  for (const c of CASES) {
    test(`${c.name}: every record decrypts to the bytes that were written`, () => {
      const s = sessions.get(c.name)!;
      assert.equal(s.established, true, s.clientError);
      assert.match(s.cipher ?? '', c.suite, 'the suite OpenSSL negotiated');
      const d = dissectTls(s.chunks) as Tls;
      assert.ok(d.tls);
      const out = decryptTls(d, streamsOf(s.chunks), parseKeyLog(s.keylog));
      assert.equal(out.status, 'decrypted', out.detail);
      assert.deepEqual(out.failures, []);
      assert.equal(out.records.decrypted, d.records.filter((r) => r.encrypted).length);
      assert.ok(
        Buffer.from(streamsOf(out.application).c2s).equals(sent(C2S, 0x61)),
        'client → server plaintext',
      );
      assert.ok(
        Buffer.from(streamsOf(out.application).s2c).equals(sent(S2C, 0x41)),
        'server → client plaintext',
      );
      const types = (dir: 'c2s' | 's2c') =>
        out.handshakes.filter((h) => h.direction === dir).map((h) => h.type);
      if (c.plan.version === 'TLSv1.3') {
        // What the eavesdropper could not see: the client certificate, read from its encrypted record.
        assert.deepEqual(types('c2s'), ['certificate', 'certificate_verify', 'finished']);
        assert.deepEqual(types('s2c').slice(0, 5), [
          'encrypted_extensions',
          'certificate_request',
          'certificate',
          'certificate_verify',
          'finished',
        ]);
        const cert = out.handshakes.find((h) => h.direction === 'c2s' && h.type === 'certificate');
        assert.equal(
          cert?.type === 'certificate' ? cert.certificates[0]?.subjectCn : undefined,
          fx.client.cn,
        );
        assert.equal(d.summary.clientCertificate.visible, false, 'hidden from the observer');
        const ee = out.handshakes.find((h) => h.type === 'encrypted_extensions');
        assert.deepEqual(ee?.type === 'encrypted_extensions' ? ee.alpn : undefined, ['mqtt'], 'ALPN chosen');
        const cr = out.handshakes.find((h) => h.type === 'certificate_request');
        assert.ok(cr?.type === 'certificate_request' && (cr.signatureAlgorithms?.length ?? 0) > 0);
        const cv = out.handshakes.find((h) => h.direction === 'c2s' && h.type === 'certificate_verify');
        assert.match(
          cv?.type === 'certificate_verify' ? (cv.signatureScheme?.name ?? '') : '',
          /^ecdsa_secp256r1_sha256$/,
        );
      } else {
        assert.deepEqual(types('c2s'), ['finished']);
        assert.deepEqual(types('s2c'), ['finished']);
      }
    });
  }

  test('a key log with one secret changed: nothing authenticates, every record is named', () => {
    const s = sessions.get('TLS 1.3 AES-128-GCM')!;
    const d = dissectTls(s.chunks) as Tls;
    const wrong = s.keylog.replace(
      /^(\S+ \S+ )([0-9a-f])/gm,
      (_, head: string, first: string) => `${head}${first === '0' ? '1' : '0'}`,
    );
    const out = decryptTls(d, streamsOf(s.chunks), parseKeyLog(wrong));
    assert.equal(out.status, 'failed');
    assert.equal(out.records.decrypted, 0);
    assert.equal(out.application.length, 0);
    assert.ok(out.failures.length > 0);
    assert.match(out.failures[0]!.what, /does not authenticate with the handshake traffic secret/);
  });

  test("another session's key log: no secrets for this client random", () => {
    const a = sessions.get('TLS 1.2 AES-128-GCM')!;
    const b = sessions.get('TLS 1.2 ChaCha20-Poly1305')!;
    const out = decryptTls(dissectTls(a.chunks) as Tls, streamsOf(a.chunks), parseKeyLog(b.keylog));
    assert.equal(out.status, 'no-secrets');
    assert.match(out.detail, /no secrets for client random/);
  });

  test('a malformed key log is refused whole, with its line number', () => {
    const s = sessions.get('TLS 1.2 AES-128-GCM')!;
    const bad = `${s.keylog}CLIENT_RANDOM 00 11\n`;
    assert.throws(
      () => parseKeyLog(bad, 'keys.txt'),
      (e: unknown) => isLabError(e, 'ERR_KEYLOG_MALFORMED') && /keys\.txt line 2/.test(e.message),
    );
  });
});
