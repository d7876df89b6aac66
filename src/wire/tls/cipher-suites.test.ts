import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { aeadOverhead, CIPHER_SUITE_NAMES, keyExchangeOf } from './cipher-suites.js';

/** OpenSSL's own code → IANA name table (`ciphers -stdname -V`), the oracle for ours. */
function opensslSuites(): Map<number, string> | undefined {
  const tls13 = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305].map((c) => CIPHER_SUITE_NAMES.get(c)).join(':');
  const args = [
    'ciphers',
    '-stdname',
    '-V',
    '-psk',
    '-ciphersuites',
    tls13,
    'ALL:COMPLEMENTOFALL:@SECLEVEL=0',
  ];
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const out = new Map<number, string>();
  for (const m of r.stdout.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/g)) {
    out.set(parseInt(m[1]! + m[2]!, 16), m[3]!);
  }
  return out;
}

const oracle = opensslSuites();

test(
  'every suite OpenSSL knows has the same code and IANA name in our table',
  { skip: !oracle && 'no openssl' },
  () => {
    let compared = 0;
    for (const [code, name] of CIPHER_SUITE_NAMES) {
      const theirs = oracle!.get(code);
      if (theirs === undefined) continue;
      assert.equal(name, theirs, `0x${code.toString(16)}`);
      compared++;
    }
    assert.ok(compared >= 53, `only ${compared} suites compared with openssl`);
    // The ones OpenSSL 3 does not list must be signalling values or suites it removed.
    const missing = [...CIPHER_SUITE_NAMES].filter(([c]) => !oracle!.has(c)).map(([, n]) => n);
    for (const n of missing) assert.match(n, /SCSV|NULL_WITH_NULL|RC4|3DES/, n);
  },
);

test('key exchange from the suite name', () => {
  assert.equal(keyExchangeOf(0xc02f), 'ecdhe');
  assert.equal(keyExchangeOf(0x009e), 'dhe');
  assert.equal(keyExchangeOf(0x009c), 'rsa');
  assert.equal(keyExchangeOf(0x00a8), 'psk');
  assert.equal(keyExchangeOf(0xccac), 'ecdhe_psk');
  assert.equal(keyExchangeOf(0x1301), 'tls13');
  assert.equal(keyExchangeOf(0x00ff), undefined);
  assert.equal(keyExchangeOf(0xbeef), undefined);
});

test('AEAD overhead: GCM 8+16 and ChaCha20 16 in TLS 1.2, type byte + tag in TLS 1.3', () => {
  assert.equal(aeadOverhead(0xc02f, false), 24); // RFC 5288 §3
  assert.equal(aeadOverhead(0xc0ae, false), 16); // RFC 7251: CCM_8, 8-byte tag
  assert.equal(aeadOverhead(0xcca8, false), 16); // RFC 7905 §2
  assert.equal(aeadOverhead(0x1301, true), 17); // RFC 8446 §5.2
  assert.equal(aeadOverhead(0x1305, true), 9);
  assert.equal(aeadOverhead(0xc013, false), undefined, 'CBC: padding and MAC vary');
  assert.equal(aeadOverhead(0xc02f, true), undefined, 'not a TLS 1.3 suite');
});
