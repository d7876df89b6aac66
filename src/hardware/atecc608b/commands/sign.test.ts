import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { verify } from 'node:crypto';
import { test } from 'node:test';
import { hasOpenssl, join, openssl, tempDir } from '../../../../test/helpers/openssl.js';
import { ecdsaRawToDer } from '../../../pki/signer.js';
import { OPCODE, STATUS } from '../packet.js';
import { nodePublicKey, partOnHost, sha256 } from '../test-host.case.js';

test('Sign external with slot 0: Nonce pass-through digest → R‖S verified by Node crypto', () => {
  const { part, host } = partOnHost();
  const key = {
    key: nodePublicKey(host.command(OPCODE.GENKEY, 0x00, 0).payload),
    dsaEncoding: 'ieee-p1363',
  } as const;
  for (let i = 0; i < 5; i++) {
    const message = Buffer.from(`telemetry ${i}`);
    assert.equal(host.command(OPCODE.NONCE, 0x03, 0, sha256(message)).status, STATUS.SUCCESS);
    const sig = host.command(OPCODE.SIGN, 0x80, 0).payload;
    assert.equal(sig.length, 64);
    assert.ok(verify('sha256', message, key, sig));
    assert.ok(!verify('sha256', Buffer.from('other'), key, sig));
  }
  assert.deepEqual(part.publicKey(0), host.command(OPCODE.GENKEY, 0x00, 0).payload);
});

test(
  'Sign → openssl dgst -verify (R‖S converted to DER)',
  { skip: !hasOpenssl() && 'openssl not installed' },
  (t) => {
    const dir = tempDir(t, 'se-sign-');
    const { part, host } = partOnHost();
    const message = Buffer.from('{"temperature":21.5,"humidity":40}');
    host.command(OPCODE.NONCE, 0x43, 0, sha256(message)); // CryptoAuthLib's path: Message Digest Buffer
    const sig = host.command(OPCODE.SIGN, 0xa0, 0).payload;
    writeFileSync(join(dir, 'msg.bin'), message);
    writeFileSync(join(dir, 'sig.der'), ecdsaRawToDer(sig));
    writeFileSync(
      join(dir, 'pub.pem'),
      nodePublicKey(part.publicKey(0)!).export({ type: 'spki', format: 'pem' }),
    );
    const ok = openssl(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.der', 'msg.bin'], {
      cwd: dir,
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Verified OK/);
    writeFileSync(join(dir, 'msg.bin'), Buffer.from('tampered'));
    const bad = openssl(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.der', 'msg.bin'], {
      cwd: dir,
    });
    assert.notEqual(bad.status, 0);
  },
);

test('Sign refusals come from the slot bits and the state of TempKey', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).status, STATUS.EXECUTION_ERROR, 'no message loaded');
  host.command(OPCODE.NONCE, 0x03, 0, new Uint8Array(32));
  assert.equal(
    host.command(OPCODE.SIGN, 0x80, 1).status,
    STATUS.EXECUTION_ERROR,
    'slot 1: internal sign only',
  );
  assert.equal(
    host.command(OPCODE.SIGN, 0x00, 1).status,
    STATUS.EXECUTION_ERROR,
    'internal: no GenDig TempKey',
  );
  assert.equal(host.command(OPCODE.SIGN, 0x00, 0).status, STATUS.EXECUTION_ERROR, 'slot 0: external only');
  assert.equal(host.command(OPCODE.SIGN, 0x80, 8).status, STATUS.EXECUTION_ERROR, 'slot 8 holds no key');
  for (const slot of [2, 3, 4]) assert.equal(host.command(OPCODE.SIGN, 0x80, slot).payload.length, 64);
  assert.equal(host.command(OPCODE.SIGN, 0x82, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SIGN, 0x81, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SIGN, 0x80, 16).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0, new Uint8Array(32)).status, STATUS.PARSE_ERROR);
});
