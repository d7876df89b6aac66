import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRng } from '../core/rng.js';
import { authenticate, type ConnectCredentials, type PeerCertificate } from './authenticate.js';
import { parsePasswordFile, passwordLine } from './password-file.js';

const rng = new SeededRng('authenticate.test');
const passwords = parsePasswordFile(`${passwordLine('alice', 'secret', { rng })}\n`, 'pw');

type Cert = 'valid' | 'other-ca' | 'expired' | 'valid-no-cn';
interface Client {
  readonly name: string;
  readonly cert?: Cert;
  readonly username?: string;
  readonly password?: string;
}

/** The client cases of docs/broker-auth.md, in the column order of EXPECTED below. */
const CLIENTS: readonly Client[] = [
  { name: 'nothing' },
  { name: 'valid cert', cert: 'valid' },
  { name: 'cert from another CA', cert: 'other-ca' },
  { name: 'expired cert', cert: 'expired' },
  { name: 'valid cert without CN', cert: 'valid-no-cn' },
  { name: 'cert + alice/secret', cert: 'valid', username: 'alice', password: 'secret' },
  { name: 'cert + alice/wrong', cert: 'valid', username: 'alice', password: 'wrong' },
  { name: 'alice/secret', username: 'alice', password: 'secret' },
  { name: 'alice/wrong', username: 'alice', password: 'wrong' },
  { name: 'bob/x (unknown)', username: 'bob', password: 'x' },
  { name: 'cert + bob/x', cert: 'valid', username: 'bob', password: 'x' },
];

/**
 * Recorded from Mosquitto 2.0.11 (Debian 2.0.11-1.2+deb12u2) with mosquitto_pub -V 311 and
 * -V 5, one run per cell (docs/broker-auth.md): T = TLS handshake fails, else the v3.1.1
 * CONNACK return code (v5: 4 → 0x86, 5 → 0x87). Key: require_certificate,
 * use_identity_as_username, allow_anonymous, password_file.
 */
const EXPECTED: Readonly<Record<string, string>> = {
  'false false false none': '55555555555',
  'false false false pw': '55555050555',
  'false false true none': '00000000000',
  'false false true pw': '00000050555',
  'false true false none': '44444444444',
  'false true false pw': '44444444444',
  'false true true none': '44444444444',
  'false true true pw': '44444444444',
  'true false false none': 'T5TT555TTT5',
  'true false false pw': 'T5TT505TTT5',
  'true false true none': 'T0TT000TTT0',
  'true false true pw': 'T0TT005TTT5',
  'true true false none': 'T0TT400TTT0',
  'true true false pw': 'T0TT400TTT0',
  'true true true none': 'T0TT400TTT0',
  'true true true pw': 'T0TT400TTT0',
};

const PEERS: Readonly<Record<Cert, PeerCertificate>> = {
  valid: { subjectCN: 'client1', subjectRfc2253: 'CN=client1,O=Ciel' },
  'other-ca': { subjectCN: 'client1', subjectRfc2253: 'CN=client1' },
  expired: { subjectCN: 'expired', subjectRfc2253: 'CN=expired' },
  'valid-no-cn': { subjectRfc2253: 'O=NoCN Org' },
};

/**
 * The TLS listener's part, which is not authenticate()'s: with require_certificate the
 * handshake verifies the chain (SSL_VERIFY_PEER|FAIL_IF_NO_PEER_CERT); without it the server
 * never requests a certificate, so none reaches the CONNECT, whatever the client holds.
 */
function handshake(
  requireCertificate: boolean,
  cert: Cert | undefined,
): 'fail' | PeerCertificate | undefined {
  if (!requireCertificate) return undefined;
  if (cert === undefined || cert === 'other-ca' || cert === 'expired') return 'fail';
  return PEERS[cert];
}

function outcome(key: string, client: Client, protocolVersion: 4 | 5): string {
  const [requireCertificate, useIdentity, allowAnonymous, pw] = key.split(' ');
  const peer = handshake(requireCertificate === 'true', client.cert);
  if (peer === 'fail') return 'T';
  const input: ConnectCredentials = {
    protocolVersion,
    listenerTls: true,
    ...(peer ? { peerCertificate: peer } : {}),
    useIdentityAsUsername: useIdentity === 'true',
    useSubjectAsUsername: false,
    allowAnonymous: allowAnonymous === 'true',
    ...(pw === 'pw' ? { passwords } : {}),
    ...(client.username !== undefined ? { username: client.username } : {}),
    ...(client.password !== undefined ? { password: Buffer.from(client.password) } : {}),
  };
  const d = authenticate(input);
  if (d.ok) return '0';
  if (protocolVersion === 5) return d.reasonCode === 0x86 ? '4' : '5';
  return String(d.returnCode);
}

describe('authenticate() reproduces the Mosquitto 2.0.11 matrix', () => {
  for (const [key, row] of Object.entries(EXPECTED)) {
    test(key, () => {
      for (const v of [4, 5] as const) {
        const got = CLIENTS.map((c) => outcome(key, c, v)).join('');
        assert.equal(
          got,
          row,
          `MQTT v${v === 4 ? '3.1.1' : '5'}, columns: ${CLIENTS.map((c) => c.name).join(' | ')}`,
        );
      }
    });
  }
});

const base: ConnectCredentials = {
  protocolVersion: 4,
  listenerTls: false,
  useIdentityAsUsername: false,
  useSubjectAsUsername: false,
  allowAnonymous: false,
  passwords,
};

describe('authenticate() edge cases (run against Mosquitto 2.0.11; NUL and empty CN read from handle_connect.c)', () => {
  test('an empty username is no username: anonymous rules apply', () => {
    assert.deepEqual(
      authenticate({ ...base, allowAnonymous: true, username: '', password: Buffer.from('x') }),
      {
        ok: true,
        username: undefined,
        method: 'anonymous',
      },
    );
    assert.equal(authenticate({ ...base, username: '' }).ok, false);
  });

  test('an empty password never matches; the password counts up to its first NUL byte', () => {
    assert.equal(authenticate({ ...base, username: 'alice', password: Buffer.alloc(0) }).ok, false);
    assert.equal(
      authenticate({ ...base, username: 'alice', password: Buffer.from('secret\0junk') }).ok,
      true,
    );
    assert.equal(authenticate({ ...base, username: 'alice', password: Buffer.from('secre\0t') }).ok, false);
  });

  test('v5 password without a username is anonymous', () => {
    const withPassword = { ...base, protocolVersion: 5 as const, password: Buffer.from('secret') };
    assert.equal(authenticate({ ...withPassword, allowAnonymous: true }).ok, true);
    assert.deepEqual(authenticate(withPassword), {
      ok: false,
      returnCode: 5,
      reasonCode: 0x87,
      reason: 'anonymous-not-allowed',
    });
  });

  test('usernames are case-sensitive; MQTT 3.1 uses the 3.1.1 return codes', () => {
    const d = authenticate({
      ...base,
      protocolVersion: 3,
      username: 'Alice',
      password: Buffer.from('secret'),
    });
    assert.deepEqual(d, { ok: false, returnCode: 5, reasonCode: 0x87, reason: 'unknown-user' });
  });

  test('no password_file and allow_anonymous true: any username passes unchecked', () => {
    const open: ConnectCredentials = { ...base, allowAnonymous: true, passwords: undefined };
    const d = authenticate({ ...open, username: 'mallory', password: Buffer.from('anything') });
    assert.deepEqual(d, { ok: true, username: 'mallory', method: 'unchecked' });
  });

  test('use_identity_as_username on a listener without TLS is ignored (password check)', () => {
    const d = authenticate({
      ...base,
      useIdentityAsUsername: true,
      username: 'alice',
      password: Buffer.from('secret'),
    });
    assert.deepEqual(d, { ok: true, username: 'alice', method: 'password' });
  });

  test('certificate identity: CN, RFC 2253 subject, NUL in CN, empty CN, CN wins over subject', () => {
    const tls = { ...base, listenerTls: true };
    const peer = PEERS.valid;
    assert.deepEqual(authenticate({ ...tls, useSubjectAsUsername: true, peerCertificate: peer }), {
      ok: true,
      username: 'CN=client1,O=Ciel',
      method: 'certificate-subject',
    });
    const both = { ...tls, useIdentityAsUsername: true, useSubjectAsUsername: true, peerCertificate: peer };
    assert.equal((authenticate(both) as { username: string }).username, 'client1');
    const nul = { ...tls, useIdentityAsUsername: true, peerCertificate: { ...peer, subjectCN: 'admin\0x' } };
    assert.deepEqual(authenticate(nul), {
      ok: false,
      returnCode: 4,
      reasonCode: 0x86,
      reason: 'common-name-has-nul',
    });
    const empty = { ...tls, useIdentityAsUsername: true, peerCertificate: { ...peer, subjectCN: '' } };
    assert.deepEqual(authenticate(empty), { ok: true, username: '', method: 'certificate-cn' });
    const noCert = { ...tls, useSubjectAsUsername: true };
    assert.equal((authenticate(noCert) as { reason: string }).reason, 'no-certificate');
  });
});
