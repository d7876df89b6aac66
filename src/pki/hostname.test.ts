import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParsedCertificate } from './certificate.js';
import type { SanEntry } from './extensions.js';
import {
  certificateMatchesHost,
  dnsPatternMatches,
  ipBytes,
  isHostReference,
  referenceIdentity,
} from './hostname.js';
import { buildName } from './names.js';

/** Only the fields the host name check reads. */
function cert(cn: string | undefined, sans?: SanEntry[]): ParsedCertificate {
  const subject = buildName(cn ? { O: 'Lab', CN: cn } : { O: 'Lab' });
  const extensions = {
    all: [],
    unhandledCritical: [],
    invalid: [],
    ...(sans ? { subjectAltName: { names: sans, critical: false } } : {}),
  };
  return { subject, extensions } as unknown as ParsedCertificate;
}

test('RFC 6125 §6.4.1: exact DNS names, ASCII case-insensitive, absolute form accepted', () => {
  assert.ok(dnsPatternMatches('broker.example', 'broker.example'));
  assert.ok(dnsPatternMatches('Broker.Example', 'bROKER.eXAMPLE'));
  assert.ok(dnsPatternMatches('broker.example.', 'broker.example'));
  assert.ok(!dnsPatternMatches('broker.example', 'broker.example.org'));
  assert.ok(!dnsPatternMatches('broker.example', 'xbroker.example'));
  assert.ok(!dnsPatternMatches('', 'broker.example'));
});

test('RFC 6125 §6.4.3: a wildcard is the whole left-most label and matches exactly one label', () => {
  assert.ok(dnsPatternMatches('*.example.com', 'a.example.com'));
  assert.ok(dnsPatternMatches('*.example.com', 'A-1.EXAMPLE.com'));
  assert.ok(!dnsPatternMatches('*.example.com', 'a.b.example.com'), 'never across a dot');
  assert.ok(!dnsPatternMatches('*.example.com', 'example.com'), 'never an empty label');
  assert.ok(!dnsPatternMatches('*.example.com', '.example.com'));
  assert.ok(!dnsPatternMatches('*.com', 'example.com'), 'at least two labels after the wildcard');
  assert.ok(!dnsPatternMatches('f*.example.com', 'foo.example.com'), 'no partial-label wildcards');
  assert.ok(!dnsPatternMatches('a.*.example.com', 'a.b.example.com'), 'only the left-most label');
  assert.ok(!dnsPatternMatches('*.*.example.com', 'a.b.example.com'));
  assert.ok(!dnsPatternMatches('*.0.0.1', '10.0.0.1'), 'never for IP literals');
});

test('IP literals: both families, every text form, compared as octets', () => {
  assert.deepEqual([...ipBytes('10.0.0.1')!], [10, 0, 0, 1]);
  assert.deepEqual(ipBytes('::1'), ipBytes('0:0:0:0:0:0:0:1'));
  assert.deepEqual(ipBytes('::ffff:1.2.3.4'), ipBytes('0:0:0:0:0:ffff:102:304'));
  assert.deepEqual(ipBytes('2001:db8::1'), ipBytes('2001:0DB8:0:0:0:0:0:0001'));
  assert.equal(ipBytes('1.2.3'), undefined);
  assert.equal(ipBytes('broker.example'), undefined);
  assert.equal(referenceIdentity('[::1]').type, 'ip');
  assert.equal(referenceIdentity('localhost').type, 'dns');
});

test('a reference identity is a DNS name or an IP literal, never a pattern', () => {
  for (const ok of ['broker.example', 'localhost', '10.0.0.1', '::1', '[::1]', 'host_name.lan'])
    assert.ok(isHostReference(ok), ok);
  for (const bad of ['*.example.com', '.example.com', 'a b', '', 'a..b'])
    assert.ok(!isHostReference(bad), bad);
});

test('SAN iPAddress matches only IP literals; a DNS SAN never matches an IP', () => {
  const c = cert('broker', [
    { type: 'dns', value: '10.0.0.9' },
    { type: 'ip', value: '10.0.0.1' },
    { type: 'ip', value: '::1' },
  ]);
  assert.ok(certificateMatchesHost(c, '10.0.0.1'));
  assert.ok(certificateMatchesHost(c, '0:0::1'));
  assert.ok(certificateMatchesHost(c, '[::1]'));
  assert.ok(!certificateMatchesHost(c, '10.0.0.9'));
  assert.ok(!certificateMatchesHost(c, '::ffff:10.0.0.1'), 'an IPv4-mapped address is another address');
});

test('RFC 6125 §6.4.4: the CN counts only when there is no dNSName SAN (as openssl 3)', () => {
  assert.ok(certificateMatchesHost(cert('broker.example'), 'broker.example'));
  assert.ok(
    certificateMatchesHost(cert('broker.example', [{ type: 'ip', value: '10.0.0.1' }]), 'broker.example'),
  );
  assert.ok(
    !certificateMatchesHost(
      cert('broker.example', [{ type: 'dns', value: 'other.example' }]),
      'broker.example',
    ),
  );
  assert.ok(!certificateMatchesHost(cert('10.0.0.1'), '10.0.0.1'), 'an IP is never looked for in the CN');
  assert.ok(!certificateMatchesHost(cert(undefined), 'broker.example'));
});
