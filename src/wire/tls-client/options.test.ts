import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { keySigner } from '../../pki/signer.js';
import { resolveOptions } from './options.js';
import { identities } from './peer.case.js';

const invalid = (option: string) => (e: unknown) =>
  isLabError(e, 'ERR_OPTIONS_INVALID') && e.details.option === option;

test('secure by default: anchors and a server name are required unless rejectUnauthorized is false', async () => {
  const id = await identities();
  assert.throws(() => resolveOptions({ serverName: 'localhost' }), invalid('trustAnchors'));
  assert.throws(() => resolveOptions({ trustAnchors: [id.ca.certificate.der] }), invalid('serverName'));
  const s = resolveOptions({ rejectUnauthorized: false });
  assert.equal(s.rejectUnauthorized, false);
  assert.ok(Object.isFrozen(s));
});

test('a typo is an error naming the key; bad values name the option', async () => {
  const id = await identities();
  const ok = { serverName: 'localhost', trustAnchors: [id.ca.certificate.der] };
  assert.throws(
    () => resolveOptions({ ...ok, rejectUnauthorised: false } as never),
    (e: unknown) =>
      isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY') && (e.details.keys as string[])[0] === 'rejectUnauthorised',
  );
  assert.throws(() => resolveOptions({ ...ok, serverName: '*.example' }), invalid('serverName'));
  assert.throws(
    () => resolveOptions({ ...ok, cipherSuites: ['TLS_RSA_WITH_RC4_128_MD5'] as never }),
    invalid('cipherSuites.0'),
  );
  assert.throws(() => resolveOptions({ ...ok, groups: [] }), invalid('groups'));
  assert.throws(
    () => resolveOptions({ ...ok, certificateChain: [id.client.certificate.der] }),
    invalid('signer'),
  );
  assert.throws(
    () => resolveOptions({ ...ok, signer: keySigner(id.client.key) }),
    invalid('certificateChain'),
  );
  assert.throws(
    () => resolveOptions({ ...ok, trustAnchors: [Uint8Array.of(1)] }),
    (e: unknown) => isLabError(e, 'ERR_PKI_CERT_MALFORMED'),
  );
});

test('SNI only for DNS names; IP literals are still checked against the certificate', async () => {
  const id = await identities();
  const anchors = [id.ca.certificate];
  assert.equal(resolveOptions({ serverName: 'broker.lab', trustAnchors: anchors }).sniName, 'broker.lab');
  const ip = resolveOptions({ serverName: '127.0.0.1', trustAnchors: anchors });
  assert.equal(ip.sniName, undefined);
  assert.equal(ip.serverName, '127.0.0.1');
  assert.equal(resolveOptions({ serverName: '::1', trustAnchors: anchors }).sniName, undefined);
});

test('suites and groups narrow what is offered, in the caller order', async () => {
  const id = await identities();
  const s = resolveOptions({
    serverName: 'localhost',
    trustAnchors: [id.ca.certificate.der],
    cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    groups: ['secp256r1'],
  });
  assert.deepEqual(s.suites, [0xc030, 0xc02b]);
  assert.deepEqual(s.groupIds, [0x17]);
});
