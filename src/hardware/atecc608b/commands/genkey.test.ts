import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';

test('GenKey public (0x00) on slots 0–4 returns the X‖Y of each factory key', () => {
  const { part, host } = partOnHost();
  for (let slot = 0; slot <= 4; slot++) {
    const r = host.command(OPCODE.GENKEY, 0x00, slot);
    assert.equal(r.payload.length, 64);
    assert.deepEqual(r.payload, part.publicKey(slot));
  }
  for (const slot of [5, 8, 11])
    assert.equal(host.command(OPCODE.GENKEY, 0x00, slot).status, STATUS.EXECUTION_ERROR);
  assert.equal(
    host.command(OPCODE.GENKEY, 0x00, 0, Uint8Array.of(0, 0, 0)).payload.length,
    64,
    'OtherData accepted',
  );
});

test('GenKey private (0x04) replaces keys only where WriteConfig bit 1 allows (slots 2–4)', () => {
  const { part, host } = partOnHost();
  for (const slot of [0, 1, 5, 8])
    assert.equal(host.command(OPCODE.GENKEY, 0x04, slot).status, STATUS.EXECUTION_ERROR);
  const before = part.publicKey(3);
  const fresh = host.command(OPCODE.GENKEY, 0x04, 3).payload;
  assert.equal(fresh.length, 64);
  assert.notDeepEqual(fresh, before);
  assert.deepEqual(host.command(OPCODE.GENKEY, 0x00, 3).payload, fresh);
});

test('blank part: no GenKey before the config lock; afterwards the private-key slots fill', () => {
  const { part, host } = partOnHost({ profile: 'blank' });
  assert.equal(host.command(OPCODE.GENKEY, 0x04, 0).status, STATUS.EXECUTION_ERROR);
  host.command(OPCODE.LOCK, 0x80, 0);
  assert.equal(host.command(OPCODE.GENKEY, 0x00, 0).status, STATUS.ECC_FAULT, 'no key there yet');
  const pub = host.command(OPCODE.GENKEY, 0x04, 0).payload;
  assert.deepEqual(pub, part.publicKey(0));
  assert.equal(
    host.command(OPCODE.GENKEY, 0x04, 3).status,
    STATUS.EXECUTION_ERROR,
    'slot 3 is not a private key',
  );
});

test('malformed GenKey is a parse error (digest modes, TempKey target, stray bits)', () => {
  const { host } = partOnHost();
  for (const [mode, keyId, len] of [
    [0x08, 0, 0],
    [0x10, 0, 3],
    [0x04, 0xffff, 0],
    [0x01, 0, 0],
    [0x00, 16, 0],
    [0x00, 0, 2],
  ] as const)
    assert.equal(host.command(OPCODE.GENKEY, mode, keyId, new Uint8Array(len)).status, STATUS.PARSE_ERROR);
});
