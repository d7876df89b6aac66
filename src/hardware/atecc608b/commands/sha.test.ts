import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { nodePublicKey, partOnHost } from '../test-host.case.js';

test('SHA start / update (64 B) / end equals SHA-256, across Idle; the digest lands in TempKey', () => {
  const { part, host } = partOnHost();
  const message = Buffer.from('x'.repeat(64 * 3 + 17));
  assert.equal(host.command(OPCODE.SHA, 0x00, 0).status, STATUS.SUCCESS);
  for (let i = 0; i < 3; i++)
    assert.equal(
      host.command(OPCODE.SHA, 0x01, 64, message.subarray(i * 64, i * 64 + 64)).status,
      STATUS.SUCCESS,
    );
  const digest = host.command(OPCODE.SHA, 0x02, 17, message.subarray(192)).payload;
  assert.deepEqual(Buffer.from(digest), createHash('sha256').update(message).digest());
  // TempKey now holds the digest: Sign signs the message.
  const sig = host.command(OPCODE.SIGN, 0x80, 0).payload;
  assert.ok(
    verify('sha256', message, { key: nodePublicKey(part.publicKey(0)!), dsaEncoding: 'ieee-p1363' }, sig),
  );
  assert.equal(host.command(OPCODE.SHA, 0x02, 0).status, STATUS.EXECUTION_ERROR, 'context closed by end');
});

test('SHA targets: Message Digest Buffer (0x40) and output only (0xC0); empty message', () => {
  const { host } = partOnHost();
  host.command(OPCODE.SHA, 0x00, 0);
  const empty = host.command(OPCODE.SHA, 0xc2, 0).payload;
  assert.deepEqual(Buffer.from(empty), createHash('sha256').digest());
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).status, STATUS.EXECUTION_ERROR, 'TempKey untouched');
  host.command(OPCODE.SHA, 0x00, 0);
  host.command(OPCODE.SHA, 0x42, 3, Buffer.from('abc'));
  assert.equal(host.command(OPCODE.SIGN, 0xa0, 0).payload.length, 64);
});

test('sleep loses the SHA context; malformed SHA is a parse error', () => {
  const { host } = partOnHost();
  host.command(OPCODE.SHA, 0x00, 0);
  host.wake();
  host.sleep();
  assert.equal(host.command(OPCODE.SHA, 0x02, 0).status, STATUS.EXECUTION_ERROR);
  assert.equal(
    host.command(OPCODE.SHA, 0x01, 64, new Uint8Array(64)).status,
    STATUS.EXECUTION_ERROR,
    'no start',
  );
  host.command(OPCODE.SHA, 0x00, 0);
  assert.equal(host.command(OPCODE.SHA, 0x01, 32, new Uint8Array(32)).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SHA, 0x02, 5, new Uint8Array(4)).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SHA, 0x02, 64, new Uint8Array(64)).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SHA, 0x82, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SHA, 0x04, 0).status, STATUS.PARSE_ERROR, 'HMAC not emulated');
  assert.equal(host.command(OPCODE.SHA, 0x00, 0, Uint8Array.of(1)).status, STATUS.PARSE_ERROR);
});
