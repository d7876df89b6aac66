import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { join, tempDir } from '../helpers/openssl.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('quickstart builds the lab sheet PKI, validates it, and is idempotent', async (t) => {
  const dir = tempDir(t);
  const first = await cli(['pki', 'quickstart', '--dir', dir, '--student', 'Dupont']);
  assert.equal(first.code, 0, first.stderr);
  for (const f of [
    'ca.crt',
    'ca.key',
    'broker.key',
    'broker.csr',
    'broker.crt',
    'client.crt',
    'm5go-01.crt',
    'crl.pem',
    'index.txt',
  ]) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  for (const k of ['ca.key', 'broker.key', 'client.key', 'm5go-01.key'])
    assert.equal(mode(join(dir, k)), 0o600, k);
  assert.match(first.stderr, /UNENCRYPTED/);
  const caKey = readFileSync(join(dir, 'ca.key'), 'utf8');
  const again = await cli(['pki', 'quickstart', '--dir', dir, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const r = again.json<{ created: string[]; checks: { name: string; valid: boolean }[] }>();
  assert.deepEqual(r.created, []);
  assert.deepEqual(
    r.checks.map((c) => [c.name, c.valid]),
    [
      ['broker', true],
      ['client', true],
      ['m5go-01', true],
    ],
  );
  assert.equal(readFileSync(join(dir, 'ca.key'), 'utf8'), caKey);
  const broker = (await cli(['pki', 'inspect', join(dir, 'broker.crt'), '--json'])).json<{
    subjectFields: Record<string, string>;
    extKeyUsage: string[];
    subjectAltNames: string[];
  }>();
  assert.equal(broker.subjectFields.O, 'Ciel Dupont');
  assert.equal(broker.subjectFields.OU, 'iot Dupont');
  assert.deepEqual(broker.extKeyUsage, ['serverAuth']);
  assert.ok(broker.subjectAltNames.includes('DNS:localhost'));
});

test('pki init refuses an unprotected CA key unless asked, and encrypts with --passout', async (t) => {
  const dir = tempDir(t);
  const refused = await cli(['pki', 'init', '--dir', dir]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^mqtts-lab: ERR_PKI_PASSPHRASE_REQUIRED: /);
  assert.deepEqual(readdirSync(dir), []);

  const env = { CA_PASS: 'correct horse' };
  const ok = await cli(
    ['pki', 'init', '--dir', dir, '--o', 'Ciel Lab', '--cn', 'Ciel Lab CA', '--passout', 'env:CA_PASS'],
    env,
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(readFileSync(join(dir, 'ca.key'), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
  assert.equal(mode(join(dir, 'ca.key')), 0o600);

  const again = await cli(['pki', 'init', '--dir', dir, '--unencrypted']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ERR_FS_EXISTS/);
  assert.match(readFileSync(join(dir, 'ca.key'), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);

  const noPass = await cli(['pki', 'issue', 'dev', '--dir', dir, '--profile', 'device']);
  assert.match(noPass.stderr, /ERR_PKI_PASSPHRASE_REQUIRED/);
  const wrong = await cli(
    ['pki', 'issue', 'dev', '--dir', dir, '--profile', 'device', '--passin', 'env:BAD'],
    { BAD: 'wrong pass' },
  );
  assert.match(wrong.stderr, /ERR_PKI_KEY_PASSPHRASE/);
  assert.ok(!wrong.stderr.includes('wrong pass'));
  assert.ok(!existsSync(join(dir, 'dev.key')), 'nothing written on a wrong passphrase');
  const good = await cli(
    ['pki', 'issue', 'dev', '--dir', dir, '--profile', 'device', '--passin', 'env:CA_PASS'],
    env,
  );
  assert.equal(good.code, 0, good.stderr);
  const pass = await cli([
    'pki',
    'issue',
    'dev2',
    '--dir',
    dir,
    '--profile',
    'device',
    '--passin',
    'pass:correct horse',
  ]);
  assert.equal(pass.code, 0);
  assert.match(pass.stderr, /warning: a pass: passphrase is visible/);
});

test('request + sign; a tampered CSR is refused and leaves index and directory unchanged', async (t) => {
  const dir = tempDir(t);
  assert.equal((await cli(['pki', 'init', '--dir', dir, '--unencrypted'])).code, 0);
  const req = await cli([
    'pki',
    'request',
    'dupont-broker',
    '--dir',
    dir,
    '--subject',
    '/O=Ciel Dupont/OU=iot Dupont/CN=pc-42',
    '--key-type',
    'rsa-2048',
  ]);
  assert.equal(req.code, 0, req.stderr);
  const csrPath = join(dir, 'dupont-broker.csr');
  const pem = readFileSync(csrPath, 'utf8');
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  der[der.length - 5]! ^= 0x01;
  const bad = join(dir, 'tampered.csr');
  writeFileSync(bad, der);
  const before = readFileSync(join(dir, 'index.txt'), 'utf8');
  const refused = await cli(['pki', 'sign', bad, '--dir', dir, '--profile', 'broker', '--json']);
  assert.equal(refused.code, 1);
  assert.equal(refused.json<{ error: { code: string } }>().error.code, 'ERR_PKI_CSR_SIGNATURE');
  assert.ok(!existsSync(join(dir, 'tampered.crt')));
  assert.equal(readFileSync(join(dir, 'index.txt'), 'utf8'), before);

  const signed = await cli([
    'pki',
    'sign',
    csrPath,
    '--dir',
    dir,
    '--profile',
    'broker',
    '--san',
    'IP:192.0.2.7',
  ]);
  assert.equal(signed.code, 0, signed.stderr);
  const index = readFileSync(join(dir, 'index.txt'), 'utf8');
  // A random serial whose top octet is 0 is one octet shorter (index.txt drops leading zeros).
  assert.match(
    index,
    /^V\t\d{12}Z\t\t(?:[0-9A-F]{2}){1,20}\tunknown\t\/O=Ciel Dupont\/OU=iot Dupont\/CN=pc-42\n$/,
  );
  const d = (await cli(['pki', 'inspect', join(dir, 'dupont-broker.crt'), '--json'])).json<{
    subjectAltNames: string[];
    keyUsage: string[];
  }>();
  assert.deepEqual(d.subjectAltNames, ['DNS:pc-42', 'IP:192.0.2.7']);
  assert.deepEqual(d.keyUsage, ['digitalSignature', 'keyEncipherment']);
  const twice = await cli(['pki', 'sign', csrPath, '--dir', dir, '--profile', 'broker']);
  assert.match(twice.stderr, /ERR_FS_EXISTS/);
});

test('existing keys are never overwritten without --force', async (t) => {
  const dir = tempDir(t);
  assert.equal((await cli(['pki', 'request', 'm5go-01', '--dir', dir])).code, 0);
  const key = readFileSync(join(dir, 'm5go-01.key'), 'utf8');
  const again = await cli(['pki', 'request', 'm5go-01', '--dir', dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ERR_FS_EXISTS/);
  assert.equal(readFileSync(join(dir, 'm5go-01.key'), 'utf8'), key);
  assert.equal((await cli(['pki', 'request', 'm5go-01', '--dir', dir, '--force'])).code, 0);
  assert.notEqual(readFileSync(join(dir, 'm5go-01.key'), 'utf8'), key);
});

test('revoke publishes a CRL and verify then reports REVOKED', async (t) => {
  const dir = tempDir(t);
  assert.equal((await cli(['pki', 'quickstart', '--dir', dir])).code, 0);
  const cert = join(dir, 'm5go-01.crt');
  assert.equal(
    (await cli(['pki', 'verify', cert, '--dir', dir, '--purpose', 'client', '--crl', join(dir, 'crl.pem')]))
      .code,
    0,
  );
  const rev = await cli(['pki', 'revoke', cert, '--dir', dir, '--reason', 'keyCompromise', '--json']);
  assert.equal(rev.code, 0, rev.stderr);
  const { serial, crlNumber } = rev.json<{ serial: string; crlNumber: number }>();
  assert.equal(crlNumber, 2);
  assert.match(
    readFileSync(join(dir, 'index.txt'), 'utf8'),
    new RegExp(`^R\\t\\d{12}Z\\t\\d{12}Z,keyCompromise\\t${serial}\\t`, 'm'),
  );
  const crl = (await cli(['pki', 'inspect', join(dir, 'crl.pem'), '--json'])).json<{
    revoked: { serial: string; reason: string }[];
  }>();
  assert.deepEqual(
    crl.revoked.map((r) => [r.serial, r.reason]),
    [[serial, 'keyCompromise']],
  );
  const v = await cli(['pki', 'verify', cert, '--dir', dir, '--crl', join(dir, 'crl.pem'), '--json']);
  assert.equal(v.code, 1);
  assert.equal(v.json<{ failures: { reason: string }[] }>().failures[0]!.reason, 'REVOKED');
  const twice = await cli(['pki', 'revoke', serial, '--dir', dir]);
  assert.match(twice.stderr, /ERR_PKI_ALREADY_REVOKED/);
  const unknown = await cli(['pki', 'revoke', 'ABCDEF', '--dir', dir]);
  assert.match(unknown.stderr, /ERR_PKI_SERIAL_UNKNOWN/);
});

test('bad input gives one coded line and a non-zero status', async (t) => {
  const dir = tempDir(t);
  assert.equal((await cli(['pki', 'quickstart', '--dir', dir])).code, 0);
  const cases: [string[], string, number][] = [
    [
      [
        'pki',
        'sign',
        join(dir, 'broker.csr'),
        '--dir',
        dir,
        '--profile',
        'router',
        '--out',
        join(dir, 'x.crt'),
      ],
      'ERR_PKI_PROFILE_UNKNOWN',
      1,
    ],
    [['pki', 'sign', join(dir, 'nope.csr'), '--dir', dir, '--profile', 'device'], 'ERR_FS_NOT_FOUND', 1],
    [
      ['pki', 'sign', join(dir, 'ca.crt'), '--dir', dir, '--profile', 'device', '--out', join(dir, 'y.crt')],
      'ERR_PEM_MALFORMED',
      1,
    ],
    [['pki', 'inspect', join(dir, 'broker.key')], 'ERR_PEM_MALFORMED', 1],
    [['pki', 'request', 'x', '--dir', dir, '--key-type', 'dsa'], 'ERR_CLI_USAGE', 2],
    [['pki', 'request', 'x', '--dir', dir, '--c', 'France'], 'ERR_PKI_SUBJECT_INVALID', 1],
    [['pki', 'request', 'y', '--dir', dir, '--san', 'DNS:bad_host!'], 'ERR_PKI_SAN_INVALID', 1],
    [['pki', 'request', '../escape', '--dir', dir], 'ERR_OPTIONS_INVALID', 1],
    [['pki', 'issue', 'z', '--dir', dir, '--profile', 'device', '--dayz', '3'], 'ERR_CLI_USAGE', 2],
    [['pki', 'revoke', join(dir, 'client.crt'), '--dir', dir, '--reason', 'bored'], 'ERR_CLI_USAGE', 2],
    [['pki', 'frobnicate'], 'ERR_CLI_USAGE', 2],
  ];
  for (const [args, code, status] of cases) {
    const r = await cli(args);
    assert.equal(r.code, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^mqtts-lab: ${code}: [^\\n]+\\n$`), args.join(' '));
  }
  for (const f of ['x.key', 'y.key', 'z.key', 'x.crt', 'y.crt']) assert.ok(!existsSync(join(dir, f)), f);
});

test('a CA key that does not belong to ca.crt signs nothing', async (t) => {
  const dir = tempDir(t);
  assert.equal((await cli(['pki', 'quickstart', '--dir', dir])).code, 0);
  writeFileSync(join(dir, 'ca.key'), readFileSync(join(dir, 'm5go-01.key')));
  const r = await cli(['pki', 'issue', 'dev9', '--dir', dir, '--profile', 'device']);
  assert.match(r.stderr, /ERR_PKI_KEY_MISMATCH/);
  assert.ok(!existsSync(join(dir, 'dev9.key')));
});

test('every verb has help with examples', async () => {
  for (const verb of [
    'init',
    'request',
    'sign',
    'issue',
    'inspect',
    'verify',
    'revoke',
    'crl',
    'quickstart',
  ]) {
    const r = await cli(['pki', verb, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\nExamples:\n {2}\$ \S/, verb);
    assert.ok(r.stdout.includes(`mqtts-lab pki ${verb}`), verb);
  }
});
