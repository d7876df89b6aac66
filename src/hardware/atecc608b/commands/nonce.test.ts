import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { test } from 'node:test';
import { SeededRng } from '../../../core/rng.js';
import { OPCODE, STATUS } from '../packet.js';
import { nodePublicKey, partOnHost } from '../test-host.case.js';

test('random Nonce: TempKey = SHA-256(RandOut ‖ NumIn ‖ 16 ‖ mode ‖ 00), shown by signing TempKey', () => {
  const { part, host } = partOnHost();
  const numIn = Uint8Array.from({ length: 20 }, (_, i) => i * 3);
  for (const mode of [0x00, 0x01]) {
    const randOut = host.command(OPCODE.NONCE, mode, 0, numIn).payload;
    assert.equal(randOut.length, 32);
    const message = Buffer.concat([randOut, numIn, Buffer.of(0x16, mode, 0x00)]);
    const sig = host.command(OPCODE.SIGN, 0x80, 0).payload;
    // Node hashes `message` itself: the signature verifies only if TempKey was SHA-256(message).
    assert.ok(
      verify('sha256', message, { key: nodePublicKey(part.publicKey(0)!), dsaEncoding: 'ieee-p1363' }, sig),
    );
  }
});

test('pass-through Nonce loads TempKey, the Message Digest Buffer or the Alternate Key Buffer', () => {
  const { part, host } = partOnHost();
  const key = { key: nodePublicKey(part.publicKey(0)!), dsaEncoding: 'ieee-p1363' } as const;
  const digest = createHash('sha256').update('to msgdigbuf').digest();
  assert.equal(host.command(OPCODE.NONCE, 0x43, 0, digest).status, STATUS.SUCCESS);
  assert.ok(verify('sha256', Buffer.from('to msgdigbuf'), key, host.command(OPCODE.SIGN, 0xa0, 0).payload));
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).status, STATUS.EXECUTION_ERROR, 'TempKey not loaded');
  const long = new Uint8Array(64).fill(9);
  long.set(createHash('sha256').update('64').digest());
  assert.equal(host.command(OPCODE.NONCE, 0x23, 0, long).status, STATUS.SUCCESS);
  assert.ok(verify('sha256', Buffer.from('64'), key, host.command(OPCODE.SIGN, 0x80, 0).payload));
  assert.equal(host.command(OPCODE.NONCE, 0x83, 0, new Uint8Array(32)).status, STATUS.SUCCESS);
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).status, STATUS.EXECUTION_ERROR, 'TempKey invalidated');
});

test('malformed Nonce is a parse error', () => {
  const { host } = partOnHost();
  for (const [mode, p2, len] of [
    [0x02, 0, 20], // mode 2 is invalid
    [0x00, 0, 32], // NumIn is 20 bytes
    [0x40, 0, 20], // targets are for pass-through only
    [0x03, 0, 20],
    [0x23, 0, 32],
    [0xc3, 0, 32], // target 11 reserved
    [0xa3, 0, 64], // 64 bytes do not fit the Alternate Key Buffer
    [0x00, 0x8000, 20], // TempKey calculation mode
    [0x07, 0, 32],
  ] as const)
    assert.equal(
      host.command(OPCODE.NONCE, mode, p2, new Uint8Array(len)).status,
      STATUS.PARSE_ERROR,
      `mode ${mode}`,
    );
});

test('a seeded part answers the same RandOut; before the config lock it is the test pattern', () => {
  const a = partOnHost({ rng: new SeededRng('n') }).host.command(
    OPCODE.NONCE,
    0,
    0,
    new Uint8Array(20),
  ).payload;
  const b = partOnHost({ rng: new SeededRng('n') }).host.command(
    OPCODE.NONCE,
    0,
    0,
    new Uint8Array(20),
  ).payload;
  assert.deepEqual(a, b);
  const blank = partOnHost({ profile: 'blank' }).host.command(OPCODE.NONCE, 0, 0, new Uint8Array(20)).payload;
  assert.equal(Buffer.from(blank).toString('hex'), 'ffff0000'.repeat(8));
});
