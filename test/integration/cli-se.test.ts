import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { join, openssl, tempDir } from '../helpers/openssl.js';

const ok = (r: { code: number; stderr: string }): void => assert.equal(r.code, 0, r.stderr);
const errorCode = (r: { stdout: string }): string =>
  (JSON.parse(r.stdout) as { error: { code: string } }).error.code;

interface SlotJson {
  slot: number;
  readable: boolean;
  write: { allowed: boolean };
  locked: boolean;
  keyConfig: { private: boolean };
}

test('se create: a 0600 image; never overwritten without --force; a damaged image is refused untouched', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'm5stack.se');
  const made = await cli(['se', 'create', part, '--json']);
  ok(made);
  assert.equal(made.json<{ profile: string }>().profile, 'tngtls');
  assert.equal(statSync(part).mode & 0o777, 0o600);
  const image = readFileSync(part);
  const again = await cli(['se', 'create', part, '--json']);
  assert.equal(again.code, 1);
  assert.equal(errorCode(again), 'ERR_FS_EXISTS');
  assert.deepEqual(readFileSync(part), image);
  const other = join(dir, 'other.se');
  ok(await cli(['se', 'create', other]));
  assert.notEqual(
    (await cli(['se', 'info', part, '--json'])).json<{ serial: string }>().serial,
    (await cli(['se', 'info', other, '--json'])).json<{ serial: string }>().serial,
    'two parts never share a serial',
  );

  const damaged = Buffer.from(image);
  damaged[700]! ^= 0xff;
  writeFileSync(part, damaged);
  const bad = await cli(['se', 'provision', part, '--slot', '8', '--key', part, '--json']);
  assert.equal(bad.code, 1);
  const info = await cli(['se', 'info', part, '--json']);
  assert.equal(errorCode(info), 'ERR_SE_IMAGE_MALFORMED');
  assert.deepEqual(readFileSync(part), damaged);
});

test('se info and map on TNGTLS: locked part, slot 8 clear-read and always-write, slot 0 never', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'a.se');
  ok(await cli(['se', 'create', part]));
  const info = (await cli(['se', 'info', part, '--json'])).json<Record<string, unknown>>();
  assert.equal(info.revision, '00006003');
  assert.equal(info.configLockStatus, true);
  assert.equal(info.dataOTPLockStatus, true);
  assert.equal(info.i2cAddress, 0x35);
  const map = (await cli(['se', 'map', part, '--json'])).json<{ slots: SlotJson[] }>();
  const s8 = map.slots[8]!;
  const s0 = map.slots[0]!;
  assert.equal(s8.readable, true);
  assert.equal(s8.write.allowed, true);
  assert.equal(s0.readable, false);
  assert.equal(s0.write.allowed, false);
  assert.equal(s0.keyConfig.private, true);
  const text = await cli(['se', 'map', part]);
  assert.match(text.stdout, /^8 +416 +0x0F0F +0x003C +clear +clear/m);
});

test('se provision + read-key: the lab sheet format, anyone reads the key back; lock stops writes not reads', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'a.se');
  const key = join(dir, 'device.key');
  const key2 = join(dir, 'device2.key');
  ok(await cli(['se', 'create', part]));
  for (const k of [key, key2]) {
    assert.equal(
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', k]).status,
      0,
    );
  }

  const prov = await cli(['se', 'provision', part, '--slot', '8', '--key', key, '--json']);
  ok(prov);
  assert.deepEqual(prov.json(), { path: part, slot: 8, keyBytes: 138, blocks: 13, readable: true });
  assert.match(prov.stderr, /warning: slot 8 is clear-read/);
  assert.equal(statSync(part).mode & 0o777, 0o600);

  const read = await cli(['se', 'read-key', part, '--slot', '8']);
  ok(read);
  assert.match(read.stdout, /^-----BEGIN PRIVATE KEY-----\n/);
  const stolen = join(dir, 'stolen.pem');
  writeFileSync(stolen, read.stdout);
  // Oracle: openssl sees the same key in both files.
  const a = openssl(['pkey', '-in', key, '-pubout']);
  const b = openssl(['pkey', '-in', stolen, '-pubout']);
  assert.equal(b.status, 0, b.stderr);
  assert.equal(a.stdout, b.stdout);

  // A key is never overwritten without --force.
  const before = readFileSync(part);
  const refused = await cli(['se', 'provision', part, '--slot', '8', '--key', key2, '--json']);
  assert.equal(errorCode(refused), 'ERR_FS_EXISTS');
  assert.deepEqual(readFileSync(part), before);
  ok(await cli(['se', 'provision', part, '--slot', '8', '--key', key2, '--force']));

  // Slot 0 keeps its key: Read answers 0x0F; provisioning it is refused by the part.
  const slot0 = await cli(['se', 'read-key', part, '--slot', '0']);
  assert.equal(slot0.code, 1);
  assert.match(slot0.stderr, /ERR_SE_STATUS/);
  const write0 = await cli(['se', 'provision', part, '--slot', '0', '--key', key, '--json']);
  assert.equal(errorCode(write0), 'ERR_SE_SLOT_INVALID', 'a 138-byte key does not fit 36 bytes');

  // Lock slot 8: --yes required; then writes fail, reads still work.
  const noYes = await cli(['se', 'lock', part, '--slot', '8', '--json']);
  assert.equal(errorCode(noYes), 'ERR_OPTIONS_INVALID');
  ok(await cli(['se', 'lock', part, '--slot', '8', '--yes']));
  const afterLock = readFileSync(part);
  const substitute = await cli(['se', 'provision', part, '--slot', '8', '--key', key, '--force', '--json']);
  assert.equal(errorCode(substitute), 'ERR_SE_STATUS');
  assert.deepEqual(readFileSync(part), afterLock, 'a refused write leaves the image as it was');
  const still = await cli(['se', 'read-key', part, '--slot', '8']);
  ok(still);
  writeFileSync(stolen, still.stdout);
  assert.equal(
    openssl(['pkey', '-in', stolen, '-pubout']).stdout,
    openssl(['pkey', '-in', key2, '-pubout']).stdout,
  );
});

test('se provision refuses what is not a key or does not fit, and leaves the part as it was', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'a.se');
  ok(await cli(['se', 'create', part]));
  const before = readFileSync(part);
  const rsa = join(dir, 'rsa.key');
  assert.equal(
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsa]).status,
    0,
  );
  const big = await cli(['se', 'provision', part, '--slot', '8', '--key', rsa, '--json']);
  assert.equal(errorCode(big), 'ERR_SE_SLOT_INVALID');
  const junk = join(dir, 'junk.key');
  writeFileSync(junk, 'not a key\n');
  const notKey = await cli(['se', 'provision', part, '--slot', '8', '--key', junk, '--json']);
  assert.equal(notKey.code, 1);
  assert.match(errorCode(notKey), /^ERR_PKI_/);
  assert.deepEqual(readFileSync(part), before);
});

test('se pubkey + sign: a signature made in the part verifies with openssl dgst', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'a.se');
  ok(await cli(['se', 'create', part]));
  const pub = await cli(['se', 'pubkey', part, '--slot', '0']);
  ok(pub);
  const pubPath = join(dir, 'slot0.pub.pem');
  writeFileSync(pubPath, pub.stdout);
  const msg = join(dir, 'reading.json');
  writeFileSync(msg, '{"temperature":21.52,"humidity":48.1,"pressure":1013.25}\n');
  const sig = join(dir, 'reading.sig');
  ok(await cli(['se', 'sign', part, '--slot', '0', '--in', msg, '--out', sig]));
  const v = openssl(['dgst', '-sha256', '-verify', pubPath, '-signature', sig, msg]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /Verified OK/);
  writeFileSync(msg, '{"temperature":99.99,"humidity":48.1,"pressure":1013.25}\n');
  assert.notEqual(openssl(['dgst', '-sha256', '-verify', pubPath, '-signature', sig, msg]).status, 0);

  const bad = await cli(['se', 'sign', part, '--slot', '0', '--digest', 'abcd', '--json']);
  assert.equal(errorCode(bad), 'ERR_OPTIONS_INVALID');
  const slot8 = await cli(['se', 'sign', part, '--slot', '8', '--digest', 'ab'.repeat(32), '--json']);
  assert.equal(errorCode(slot8), 'ERR_SE_STATUS', 'slot 8 holds no private key to sign with');
});

test('se csr: a CSR for the slot-0 key signed in the part, issued by the CA, verified by openssl', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'a.se');
  const tls = join(dir, 'tls');
  ok(await cli(['se', 'create', part]));
  ok(await cli(['pki', 'init', '--dir', tls, '--unencrypted']));
  const csr = join(tls, 'm5go-01.csr');
  ok(
    await cli([
      'se',
      'csr',
      part,
      '--slot',
      '0',
      '--cn',
      'm5go-01',
      '--san',
      'DNS:m5go-01.lab',
      '--out',
      csr,
    ]),
  );
  const req = openssl(['req', '-in', csr, '-verify', '-noout']);
  assert.equal(req.status, 0, req.stderr);
  const reqPub = openssl(['req', '-in', csr, '-noout', '-pubkey']).stdout;
  const chipPub = (await cli(['se', 'pubkey', part, '--slot', '0'])).stdout;
  assert.equal(reqPub, chipPub);

  const signed = await cli(['pki', 'sign', csr, '--dir', tls, '--profile', 'device']);
  ok(signed);
  const crt = join(tls, 'm5go-01.crt');
  const verified = openssl(['verify', '-CAfile', join(tls, 'ca.crt'), '-purpose', 'sslclient', crt]);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.equal(openssl(['x509', '-in', crt, '-noout', '-pubkey']).stdout, chipPub);
});

test('se lock on a blank part: config, then data; a second lock is refused by the part', async (t) => {
  const dir = tempDir(t);
  const part = join(dir, 'blank.se');
  ok(await cli(['se', 'create', part, '--profile', 'blank']));
  assert.equal(
    (await cli(['se', 'info', part, '--json'])).json<{ configLockStatus: boolean }>().configLockStatus,
    false,
  );
  ok(await cli(['se', 'lock', part, '--zone', 'config', '--yes']));
  ok(await cli(['se', 'lock', part, '--zone', 'data', '--yes']));
  const info = (await cli(['se', 'info', part, '--json'])).json<Record<string, boolean>>();
  assert.equal(info.configLockStatus, true);
  assert.equal(info.dataOTPLockStatus, true);
  const twice = await cli(['se', 'lock', part, '--zone', 'config', '--yes', '--json']);
  assert.equal(errorCode(twice), 'ERR_SE_STATUS');
});
