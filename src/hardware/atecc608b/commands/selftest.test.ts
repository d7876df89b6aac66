import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';

test('SelfTest runs the known-answer tests and reports 0x00 when all pass', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.SELFTEST, 0x3b, 0).status, 0x00);
  for (const bit of [0x01, 0x02, 0x08, 0x10, 0x20])
    assert.equal(host.command(OPCODE.SELFTEST, bit, 0).status, 0x00);
});

test('a stuck RNG fails the RNG test (bit 0 of the answer)', () => {
  const { host } = partOnHost({ rng: { bytes: (n: number) => new Uint8Array(n).fill(0x42) } });
  assert.equal(host.command(OPCODE.SELFTEST, 0x3b, 0).status, 0x01);
});

test('malformed SelfTest is a parse error', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.SELFTEST, 0x04, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SELFTEST, 0x00, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.SELFTEST, 0x3b, 1).status, STATUS.PARSE_ERROR);
});
