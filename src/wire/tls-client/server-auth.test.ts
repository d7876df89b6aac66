import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { VERIFY_REASONS, type VerifyReason } from '../../pki/validate.js';
import { ALERTS } from './codes.js';
import { identities } from './peer.case.js';
import { alertForReason, type AuthenticateParams, authenticateServer } from './server-auth.js';

const refused = (code: string, alert: string, reason?: string) => (e: unknown) =>
  isLabError(e) &&
  e.code === code &&
  e.details.alert === alert &&
  (reason === undefined || e.details.verifyReason === reason);

async function params(over: Partial<AuthenticateParams> = {}): Promise<AuthenticateParams> {
  const id = await identities();
  return {
    chain: [id.ecServer.certificate.der],
    anchors: [id.ca.certificate],
    serverName: 'localhost',
    at: new Date(),
    rejectUnauthorized: true,
    auth: 'ecdsa',
    curves: ['x25519', 'secp256r1'],
    ...over,
  };
}

test('every path-validation reason maps to a registered alert', () => {
  for (const reason of Object.keys(VERIFY_REASONS) as VerifyReason[])
    assert.ok(alertForReason(reason) in ALERTS, reason);
});

test('a valid chain for the name we asked: authorized, with the leaf key', async () => {
  const p = await params();
  const ok = authenticateServer(p);
  assert.equal(ok.authorized, true);
  assert.equal(ok.key.asymmetricKeyType, 'ec');
  assert.equal(authenticateServer({ ...p, serverName: '127.0.0.1' }).authorized, true);
});

test('chain problems are ERR_TLS_CERTIFICATE with the alert OpenSSL would send', async () => {
  const id = await identities();
  const p = await params();
  assert.throws(
    () => authenticateServer({ ...p, chain: [id.strangerServer.certificate.der] }),
    refused('ERR_TLS_CERTIFICATE', 'unknown_ca', 'ISSUER_UNKNOWN'),
  );
  assert.throws(
    () => authenticateServer({ ...p, chain: [id.expiredServer.certificate.der] }),
    refused('ERR_TLS_CERTIFICATE', 'certificate_expired', 'CERT_EXPIRED'),
  );
  assert.throws(
    () => authenticateServer({ ...p, chain: [id.wrongHostServer.certificate.der] }),
    refused('ERR_TLS_CERTIFICATE', 'bad_certificate', 'HOSTNAME_MISMATCH'),
  );
  assert.throws(
    () => authenticateServer({ ...p, serverName: '10.0.0.1' }),
    refused('ERR_TLS_CERTIFICATE', 'bad_certificate', 'IP_ADDRESS_MISMATCH'),
  );
  // A client certificate (clientAuth only) presented by a server: wrong purpose.
  assert.throws(
    () => authenticateServer({ ...p, chain: [id.client.certificate.der] }),
    refused('ERR_TLS_CERTIFICATE', 'unsupported_certificate', 'PURPOSE'),
  );
  assert.throws(
    () => authenticateServer({ ...p, chain: [Uint8Array.of(0x30, 0x03, 1, 2, 3)] }),
    refused('ERR_TLS_CERTIFICATE', 'bad_certificate'),
  );
  assert.throws(
    () => authenticateServer({ ...p, chain: [Uint8Array.of(0x30, 0x05, 1)] }),
    refused('ERR_TLS_CERTIFICATE', 'bad_certificate'),
  );
  assert.throws(
    () => authenticateServer({ ...p, chain: [] }),
    refused('ERR_TLS_HANDSHAKE', 'handshake_failure'),
  );
});

test('the leaf key must suit the suite (RFC 8422 §5.3, RFC 5246 §7.4.2)', async () => {
  const id = await identities();
  const p = await params();
  assert.throws(
    () => authenticateServer({ ...p, auth: 'rsa' }),
    refused('ERR_TLS_HANDSHAKE', 'unsupported_certificate'),
  );
  assert.throws(
    () => authenticateServer({ ...p, chain: [id.rsaServer.certificate.der] }),
    refused('ERR_TLS_HANDSHAKE', 'unsupported_certificate'),
  );
  // A P-256 leaf when we did not offer secp256r1.
  assert.throws(
    () => authenticateServer({ ...p, curves: ['x25519'] }),
    refused('ERR_TLS_HANDSHAKE', 'unsupported_certificate'),
  );
  assert.equal(
    authenticateServer({ ...p, auth: 'rsa', chain: [id.rsaServer.certificate.der] }).key.asymmetricKeyType,
    'rsa',
  );
});

test('rejectUnauthorized false (lab only): accepted, but unauthorized, with the reasons', async () => {
  const id = await identities();
  const p = await params({ rejectUnauthorized: false, chain: [id.expiredServer.certificate.der] });
  const r = authenticateServer(p);
  assert.equal(r.authorized, false);
  assert.deepEqual(
    r.failures.map((f) => f.reason),
    ['CERT_EXPIRED'],
  );
});
