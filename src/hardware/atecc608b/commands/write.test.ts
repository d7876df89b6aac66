import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';
import { dataAddress, zoneAddress } from '../zones.js';

test('TNGTLS: clear writes to slots 6, 8, 9 only (4 or 32 bytes); slot 6 stays unreadable', () => {
  const { host } = partOnHost();
  for (let slot = 0; slot < 16; slot++) {
    const r = host.command(OPCODE.WRITE, 0x82, dataAddress(slot, 0), new Uint8Array(32).fill(slot));
    assert.equal(
      r.status,
      [6, 8, 9].includes(slot) ? STATUS.SUCCESS : STATUS.EXECUTION_ERROR,
      `slot ${slot}`,
    );
  }
  assert.equal(host.command(OPCODE.WRITE, 0x02, dataAddress(8, 12, 7), Uint8Array.of(1, 2, 3, 4)).status, 0);
  assert.deepEqual([...host.command(OPCODE.READ, 0x02, dataAddress(8, 12, 7)).payload], [1, 2, 3, 4]);
  assert.equal(host.command(OPCODE.READ, 0x82, dataAddress(6, 0)).status, STATUS.EXECUTION_ERROR);
});

test('a 32-byte write to a partial last block keeps only the bytes inside the slot', () => {
  const { host } = partOnHost({ profile: 'blank' });
  assert.equal(host.command(OPCODE.LOCK, 0x80, 0).status, 0);
  assert.equal(host.command(OPCODE.LOCK, 0x81, 0).status, 0);
  const block = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  // Slot 10 of a blank part is clear data (SlotConfig 0x0000), 72 bytes: block 2 holds 8.
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(10, 2, 1), block).status, STATUS.SUCCESS);
  assert.deepEqual([...host.command(OPCODE.READ, 0x02, dataAddress(10, 2, 1)).payload], [5, 6, 7, 8]);
  const tail = host.command(OPCODE.READ, 0x82, dataAddress(10, 2)).payload;
  assert.deepEqual([...tail.subarray(0, 8)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(tail.subarray(8).every((b) => b === 0));
  assert.deepEqual(
    [...host.command(OPCODE.READ, 0x02, dataAddress(11, 0)).payload],
    [0, 0, 0, 0],
    'slot 11 untouched',
  );
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(10, 3), block).status, STATUS.PARSE_ERROR);
});

test('encrypted writes need a GenDig TempKey; malformed writes are parse errors', () => {
  const { host } = partOnHost();
  assert.equal(
    host.command(OPCODE.WRITE, 0xc2, dataAddress(8, 0), new Uint8Array(64)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(4)).status,
    STATUS.PARSE_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x02, dataAddress(8, 0), new Uint8Array(32)).status,
    STATUS.PARSE_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x86, dataAddress(8, 0), new Uint8Array(32)).status,
    STATUS.PARSE_ERROR,
  );
  assert.equal(host.command(OPCODE.WRITE, 0x83, 0, new Uint8Array(32)).status, STATUS.PARSE_ERROR);
  assert.equal(
    host.command(OPCODE.WRITE, 0x81, 0, new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
    'OTP is read-only',
  );
});

test('blank part: config writable (not bytes 0–15 or 84–87) until locked; then 32-byte slot writes', () => {
  const { part, host } = partOnHost({ profile: 'blank' });
  assert.equal(host.command(OPCODE.WRITE, 0x00, zoneAddress(0, 4), Uint8Array.of(0x6a, 0, 0, 0)).status, 0);
  assert.equal(part.configZone[16], 0x6a);
  assert.equal(
    host.command(OPCODE.WRITE, 0x00, zoneAddress(0, 0), new Uint8Array(4)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x00, zoneAddress(2, 5), new Uint8Array(4)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(host.command(OPCODE.WRITE, 0x80, zoneAddress(1), new Uint8Array(32).fill(0x0f)).status, 0);
  assert.equal(
    host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
    'config not locked',
  );
  assert.equal(host.command(OPCODE.LOCK, 0x80, 0).status, 0);
  assert.equal(
    host.command(OPCODE.WRITE, 0x00, zoneAddress(0, 4), new Uint8Array(4)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x02, dataAddress(8, 0), new Uint8Array(4)).status,
    STATUS.EXECUTION_ERROR,
    '4-byte before data lock',
  );
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32).fill(7)).status, 0);
  assert.equal(
    host.command(OPCODE.WRITE, 0x82, dataAddress(0, 0), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
    'private key slot',
  );
  assert.equal(
    host.command(OPCODE.WRITE, 0x81, zoneAddress(0), new Uint8Array(32).fill(0x4f)).status,
    0,
    'OTP before data lock',
  );
  assert.equal(host.command(OPCODE.LOCK, 0x81, 0).status, 0);
  assert.equal(
    host.command(OPCODE.WRITE, 0x81, zoneAddress(0), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.deepEqual(host.command(OPCODE.READ, 0x81, zoneAddress(0)).payload, new Uint8Array(32).fill(0x4f));
});
