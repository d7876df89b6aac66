import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage, encodeImage } from '../image.js';
import { OPCODE, STATUS } from '../packet.js';
import { Atecc608b } from '../part.js';
import { partOnHost, TestHost } from '../test-host.case.js';
import { COUNTER_MAX } from '../zones.js';

const value = (bytes: Uint8Array): number => Buffer.from(bytes).readUInt32LE(0);

test('Counter reads 0, increments monotonically, keeps the two counters apart', () => {
  const { part, host } = partOnHost();
  assert.equal(value(host.command(OPCODE.COUNTER, 0x00, 0).payload), 0);
  assert.equal(value(host.command(OPCODE.COUNTER, 0x01, 0).payload), 1);
  assert.equal(value(host.command(OPCODE.COUNTER, 0x01, 0).payload), 2);
  assert.equal(value(host.command(OPCODE.COUNTER, 0x00, 1).payload), 0);
  assert.equal(part.counter(0), 2);
  part.powerCycle();
  assert.equal(value(host.command(OPCODE.COUNTER, 0x00, 0).payload), 2, 'non-volatile');
  assert.equal(host.command(OPCODE.COUNTER, 0x02, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.COUNTER, 0x00, 2).status, STATUS.PARSE_ERROR);
});

test('Counter stops at 2,097,151', () => {
  const { eeprom } = decodeImage(Atecc608b.create().toImage());
  eeprom.counters[1] = COUNTER_MAX - 1;
  const host = new TestHost(
    Atecc608b.fromImage(encodeImage({ profile: 'tngtls', eeprom }), { timing: 'instant' }),
  );
  assert.equal(value(host.command(OPCODE.COUNTER, 0x01, 1).payload), COUNTER_MAX);
  assert.equal(host.command(OPCODE.COUNTER, 0x01, 1).status, STATUS.EXECUTION_ERROR);
  assert.equal(value(host.command(OPCODE.COUNTER, 0x00, 1).payload), COUNTER_MAX);
});
