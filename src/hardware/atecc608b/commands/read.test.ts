import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';
import { dataAddress, zoneAddress } from '../zones.js';

test('TNGTLS: clear reads of slots 5, 8, 10–12 only; every other slot is an execution error', () => {
  const { part, host } = partOnHost({ certificates: { device: new Uint8Array(72).fill(0xd0) } });
  for (let slot = 0; slot < 16; slot++) {
    const r = host.command(OPCODE.READ, 0x82, dataAddress(slot, 0));
    if ([5, 8, 10, 11, 12].includes(slot))
      assert.deepEqual(r.payload, part.readSlot(slot)!.subarray(0, 32), `slot ${slot}`);
    else assert.equal(r.status, STATUS.EXECUTION_ERROR, `slot ${slot}`);
  }
  assert.deepEqual(
    host.command(OPCODE.READ, 0x82, dataAddress(10, 1)).payload,
    new Uint8Array(32).fill(0xd0),
  );
});

test('4-byte reads, the partial last block, OTP and config', () => {
  const { part, host } = partOnHost();
  const mac = part.readSlot(5)!;
  assert.deepEqual(host.command(OPCODE.READ, 0x02, dataAddress(5, 0, 2)).payload, mac.subarray(8, 12));
  assert.deepEqual(host.command(OPCODE.READ, 0x02, dataAddress(5, 1, 0)).payload, mac.subarray(32, 36));
  assert.equal(host.command(OPCODE.READ, 0x02, dataAddress(5, 1, 1)).status, STATUS.PARSE_ERROR);
  const tail = host.command(OPCODE.READ, 0x82, dataAddress(5, 1)).payload;
  assert.deepEqual(tail.subarray(0, 4), mac.subarray(32, 36));
  assert.ok(tail.subarray(4).every((b) => b === 0));
  assert.equal(
    Buffer.from(host.command(OPCODE.READ, 0x81, zoneAddress(0)).payload.subarray(0, 8)).toString(),
    'KQp2ZkD8',
  );
  assert.deepEqual(
    host.command(OPCODE.READ, 0x00, zoneAddress(2, 5)).payload,
    part.configZone.subarray(84, 88),
  );
});

test('malformed Read: zone 3, stray param1 bits, data, out-of-range block', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.READ, 0x83, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.READ, 0x92, dataAddress(8, 0)).status, STATUS.PARSE_ERROR);
  assert.equal(
    host.command(OPCODE.READ, 0x82, dataAddress(8, 0), Uint8Array.of(0)).status,
    STATUS.PARSE_ERROR,
  );
  assert.equal(host.command(OPCODE.READ, 0x82, dataAddress(8, 13)).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.READ, 0x82, dataAddress(9, 3)).status, STATUS.PARSE_ERROR);
});

test('blank part: config readable; slots and OTP unreadable until the data zone is locked', () => {
  const { host } = partOnHost({ profile: 'blank' });
  assert.equal(host.command(OPCODE.READ, 0x80, 0).payload.length, 32);
  assert.equal(host.command(OPCODE.READ, 0x82, dataAddress(8, 0)).status, STATUS.EXECUTION_ERROR);
  assert.equal(host.command(OPCODE.READ, 0x81, 0).status, STATUS.EXECUTION_ERROR);
});
