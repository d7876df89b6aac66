import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage, encodeImage } from '../image.js';
import { OPCODE, STATUS } from '../packet.js';
import { Atecc608b } from '../part.js';
import { hex, partOnHost, TestHost } from '../test-host.case.js';

test('Info revision answers 07 00 00 60 03 83 BB', () => {
  const { host } = partOnHost();
  assert.equal(hex(host.command(OPCODE.INFO, 0x00, 0).group), '070000600383BB');
});

test('Info KeyValid: 1 for slots holding a P-256 private key, 0 otherwise', () => {
  const { host } = partOnHost();
  const valid = (slot: number): number => host.command(OPCODE.INFO, 0x01, slot).payload[0]!;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 8, 15].map(valid), [1, 1, 1, 1, 1, 0, 0, 0]);
  assert.equal(host.command(OPCODE.INFO, 0x01, 16).status, STATUS.PARSE_ERROR);
  const blank = partOnHost({ profile: 'blank' }).host;
  assert.equal(blank.command(OPCODE.INFO, 0x01, 0).payload[0], 0, 'no key generated yet');
});

test('Info State shows TempKey.Valid and SourceFlag', () => {
  const { host } = partOnHost();
  assert.deepEqual([...host.command(OPCODE.INFO, 0x02, 0).payload], [0, 0, 0, 0]);
  host.command(OPCODE.NONCE, 0x03, 0, new Uint8Array(32));
  assert.deepEqual([...host.command(OPCODE.INFO, 0x02, 0).payload], [0x10, 0x80, 0, 0]);
  host.command(OPCODE.NONCE, 0x00, 0, new Uint8Array(20));
  assert.deepEqual([...host.command(OPCODE.INFO, 0x02, 0).payload], [0x00, 0x80, 0, 0]);
});

test('Info GPIO is refused on I2C; VolatileKeyPermit needs config byte 69 bit 7; other modes parse errors', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.INFO, 0x03, 0).status, STATUS.EXECUTION_ERROR);
  assert.equal(host.command(OPCODE.INFO, 0x04, 0).status, STATUS.EXECUTION_ERROR);
  assert.equal(host.command(OPCODE.INFO, 0x05, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.INFO, 0x00, 0, Uint8Array.of(1)).status, STATUS.PARSE_ERROR);
  const { eeprom } = decodeImage(Atecc608b.create().toImage());
  eeprom.config[69] = 0x80;
  const part = Atecc608b.fromImage(encodeImage({ profile: 'tngtls', eeprom }), { timing: 'instant' });
  const h = new TestHost(part);
  assert.equal(h.command(OPCODE.INFO, 0x04, 0).payload[0], 0);
  assert.equal(h.command(OPCODE.INFO, 0x04, 0x0003).payload[0], 1, 'set the latch');
  assert.equal(h.command(OPCODE.INFO, 0x04, 0).payload[0], 1, 'kept over idle');
  part.powerCycle();
  assert.equal(h.command(OPCODE.INFO, 0x04, 0).payload[0], 0, 'cleared by a power cycle');
  assert.equal(h.command(OPCODE.INFO, 0x04, 0x0001).status, STATUS.PARSE_ERROR);
});
