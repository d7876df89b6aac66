import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeCommand,
  decodeResponse,
  encodeCommand,
  encodeResponse,
  OPCODE,
  STATUS,
  STATUS_CODES,
  statusResponse,
  WAKE_RESPONSE,
} from './packet.js';
import { fromHex, hex } from './test-host.case.js';
import { dataAddress, zoneAddress } from './zones.js';

test('encodeCommand builds the ready-made packets of reference §3.9 byte for byte', () => {
  assert.equal(hex(encodeCommand(OPCODE.INFO, 0x00, 0)), '0730000000035D');
  assert.equal(hex(encodeCommand(OPCODE.READ, 0x80, zoneAddress(0))), '070280000009AD');
  assert.equal(hex(encodeCommand(OPCODE.READ, 0x82, dataAddress(8, 0))), '070282400009A4');
  assert.equal(hex(encodeCommand(OPCODE.READ, 0x82, dataAddress(8, 12))), '070282400CA9A4');
  assert.equal(hex(encodeCommand(OPCODE.READ, 0x82, dataAddress(0, 0))), '07028200000A28');
  assert.equal(hex(encodeCommand(OPCODE.RANDOM, 0x00, 0)), '071B00000024CD');
  assert.equal(hex(encodeCommand(OPCODE.GENKEY, 0x00, 0)), '07400000000005');
  assert.equal(hex(encodeCommand(OPCODE.LOCK, 0x22, 0)), '07172200007E08');
  // param2 goes least significant byte first; count covers itself, the data and the CRC.
  const write = encodeCommand(OPCODE.WRITE, 0x82, 0x0c40, new Uint8Array(32));
  assert.deepEqual([...write.subarray(0, 5)], [39, 0x12, 0x82, 0x40, 0x0c]);
  assert.throws(() => encodeCommand(OPCODE.WRITE, 0, 0, new Uint8Array(250)), RangeError);
});

test('decodeCommand round-trips and checks CRC before size', () => {
  const data = Uint8Array.from({ length: 64 }, (_, i) => i);
  const decoded = decodeCommand(encodeCommand(OPCODE.VERIFY, 0x02, 0x0004, data));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.command, { opcode: 0x45, param1: 0x02, param2: 4, data });
  // Trailing bytes after `count` are not part of the packet.
  const trailing = decodeCommand(Uint8Array.from([...encodeCommand(OPCODE.INFO, 0, 0), 0xaa, 0xbb]));
  assert.ok(trailing.ok && trailing.command.data.length === 0);
  assert.deepEqual(decodeCommand(fromHex('07 30 00 00 00 03 5E')), { ok: false, status: STATUS.CRC_ERROR });
  assert.deepEqual(decodeCommand(fromHex('07 30 00 00')), { ok: false, status: STATUS.CRC_ERROR });
  assert.deepEqual(decodeCommand(new Uint8Array(0)), { ok: false, status: STATUS.CRC_ERROR });
  // A well-formed frame above the 151-byte input buffer is a parse error.
  const huge = encodeCommand(OPCODE.WRITE, 0, 0, new Uint8Array(150));
  assert.deepEqual(decodeCommand(huge), { ok: false, status: STATUS.PARSE_ERROR });
});

test('response groups: wake, status, Info reply; host-side decoding checks count and CRC', () => {
  assert.equal(hex(WAKE_RESPONSE), '04113343');
  assert.equal(hex(statusResponse(STATUS.SUCCESS)), '04000340');
  assert.equal(hex(statusResponse(STATUS.EXECUTION_ERROR)), '040F2342');
  assert.equal(hex(statusResponse(STATUS.PARSE_ERROR)), '04038342');
  assert.equal(hex(statusResponse(STATUS.CRC_ERROR)), '04FF0142');
  assert.equal(hex(statusResponse(STATUS.WATCHDOG_ABOUT_TO_EXPIRE)), '04EE3141');
  assert.equal(hex(encodeResponse(fromHex('00 00 60 03'))), '070000600383BB');
  const ok = decodeResponse(fromHex('07 00 00 60 03 83 BB FF FF'));
  assert.ok(ok.ok && hex(ok.payload) === '00006003');
  assert.deepEqual(decodeResponse(fromHex('07 00 00 60 03 83 BC')), { ok: false, reason: 'crc' });
  assert.deepEqual(decodeResponse(fromHex('23 00 00 60 03 83 BB')), { ok: false, reason: 'count' });
  assert.deepEqual(decodeResponse(fromHex('04 00')), { ok: false, reason: 'short' });
  assert.throws(() => encodeResponse(new Uint8Array(73)), RangeError);
  for (const code of [0x00, 0x01, 0x03, 0x05, 0x07, 0x08, 0x0f, 0x11, 0xee, 0xff])
    assert.ok(STATUS_CODES.has(code));
});
