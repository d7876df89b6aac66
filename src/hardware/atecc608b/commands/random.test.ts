import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRng } from '../../../core/rng.js';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';

test('Random gives 32 fresh bytes once the config is locked', () => {
  const { host } = partOnHost();
  const a = host.command(OPCODE.RANDOM, 0x00, 0).payload;
  const b = host.command(OPCODE.RANDOM, 0x01, 0).payload;
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  const seeded = (): Uint8Array =>
    partOnHost({ rng: new SeededRng('r') }).host.command(OPCODE.RANDOM, 0, 0).payload;
  assert.deepEqual(seeded(), seeded());
});

test('before the config lock Random returns FF FF 00 00 … (CryptoAuthLib issues #85, #121)', () => {
  const { host } = partOnHost({ profile: 'blank' });
  assert.equal(Buffer.from(host.command(OPCODE.RANDOM, 0, 0).payload).toString('hex'), 'ffff0000'.repeat(8));
  host.command(OPCODE.LOCK, 0x80, 0);
  assert.notEqual(
    Buffer.from(host.command(OPCODE.RANDOM, 0, 0).payload).toString('hex'),
    'ffff0000'.repeat(8),
  );
});

test('malformed Random is a parse error', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.RANDOM, 0x02, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.RANDOM, 0x00, 1).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.RANDOM, 0x00, 0, new Uint8Array(20)).status, STATUS.PARSE_ERROR);
});
