import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';

test('UpdateExtra sets UserExtra / UserExtraAdd once; the new address applies after sleep', () => {
  const { part, host } = partOnHost();
  assert.equal(host.command(OPCODE.UPDATE_EXTRA, 0x00, 0x5a).status, STATUS.SUCCESS);
  assert.equal(part.configZone[84], 0x5a);
  assert.equal(host.command(OPCODE.UPDATE_EXTRA, 0x00, 0x11).status, STATUS.EXECUTION_ERROR, 'only once');
  assert.equal(host.command(OPCODE.UPDATE_EXTRA, 0x01, 0x6c).status, STATUS.SUCCESS);
  assert.equal(part.i2cAddress, 0x35, 'not before a sleep');
  host.wake();
  host.sleep();
  assert.equal(part.i2cAddress, 0x36, 'ChipMode bit 0: UserExtraAdd is the address');
  assert.equal(host.command(OPCODE.UPDATE_EXTRA, 0x02, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.UPDATE_EXTRA, 0x00, 0x100).status, STATUS.PARSE_ERROR);
});
