import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc16 } from '../crc.js';
import { OPCODE, STATUS } from '../packet.js';
import { partOnHost } from '../test-host.case.js';
import { dataAddress } from '../zones.js';
import { dataSummary } from './lock.js';
import { Atecc608b } from '../part.js';
import { decodeImage } from '../image.js';

test('TNGTLS: zones already locked; only Lockable slots (2–4, 6, 8) can be slot-locked, once', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.LOCK, 0x80, 0).status, STATUS.EXECUTION_ERROR);
  assert.equal(host.command(OPCODE.LOCK, 0x81, 0).status, STATUS.EXECUTION_ERROR);
  // The SparkFun helpers: config 0x80, data 0x81, slot 0 0x82 — all fail on a TNGTLS part.
  assert.equal(host.command(OPCODE.LOCK, 0x82, 0).status, STATUS.EXECUTION_ERROR);
  for (let slot = 0; slot < 16; slot++) {
    const expected = [2, 3, 4, 6, 8].includes(slot) ? STATUS.SUCCESS : STATUS.EXECUTION_ERROR;
    assert.equal(host.command(OPCODE.LOCK, 0x02 | (slot << 2), 0).status, expected, `slot ${slot}`);
  }
  assert.equal(
    host.command(OPCODE.LOCK, 0x02 | (8 << 2), 0).status,
    STATUS.EXECUTION_ERROR,
    'already locked',
  );
  // A locked key slot refuses GenKey but still signs.
  assert.equal(host.command(OPCODE.GENKEY, 0x04, 2).status, STATUS.EXECUTION_ERROR);
  host.command(OPCODE.NONCE, 0x03, 0, new Uint8Array(32));
  assert.equal(host.command(OPCODE.SIGN, 0x80, 2).payload.length, 64);
});

test('Lock parameters: bit 6 set or zone 3 is a parse error', () => {
  const { host } = partOnHost();
  assert.equal(host.command(OPCODE.LOCK, 0x42, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.LOCK, 0x03, 0).status, STATUS.PARSE_ERROR);
  assert.equal(host.command(OPCODE.LOCK, 0x22, 0, Uint8Array.of(0)).status, STATUS.PARSE_ERROR);
});

test('blank part: config lock checks the summary CRC, is irreversible; data lock needs it first', () => {
  const { part, host } = partOnHost({ profile: 'blank' });
  assert.equal(host.command(OPCODE.LOCK, 0x01, 0).status, STATUS.EXECUTION_ERROR, 'data before config');
  const crc = crc16(part.configZone);
  assert.equal(host.command(OPCODE.LOCK, 0x00, crc ^ 1).status, STATUS.EXECUTION_ERROR, 'wrong summary');
  assert.equal(part.locks.config, false);
  assert.equal(host.command(OPCODE.LOCK, 0x00, crc).status, STATUS.SUCCESS);
  assert.equal(part.locks.config, true);
  assert.equal(part.configZone[87], 0x00);
  assert.equal(host.command(OPCODE.LOCK, 0x00, crc).status, STATUS.EXECUTION_ERROR, 'irreversible');
  // Personalise: a key in slot 0, data in slot 8, then the data lock with its summary.
  assert.equal(host.command(OPCODE.GENKEY, 0x04, 0).payload.length, 64);
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(8, 0), new Uint8Array(32).fill(0x42)).status, 0);
  const { eeprom } = decodeImage(part.toImage());
  const summary = crc16(dataSummary(eeprom));
  assert.equal(host.command(OPCODE.LOCK, 0x01, summary ^ 0x8000).status, STATUS.EXECUTION_ERROR);
  assert.equal(host.command(OPCODE.LOCK, 0x01, summary).status, STATUS.SUCCESS);
  assert.equal(part.locks.data, true);
  assert.equal(host.command(OPCODE.LOCK, 0x81, 0).status, STATUS.EXECUTION_ERROR, 'irreversible');
  const saved = Atecc608b.fromImage(part.toImage());
  assert.ok(saved.locks.config && saved.locks.data);
});

test('the data summary skips private-key slots and ends with OTP', () => {
  const { eeprom } = decodeImage(Atecc608b.create({ profile: 'blank' }).toImage());
  eeprom.slot(0).fill(0xaa); // slot 0 is a private key in the default config
  eeprom.slot(3).fill(0x33);
  eeprom.otp.fill(0x0f);
  const summary = dataSummary(eeprom);
  assert.equal(summary.length, 1208 - 3 * 36 + 64);
  assert.ok(!summary.includes(0xaa));
  assert.equal(summary[0], 0x33);
  assert.equal(summary[summary.length - 1], 0x0f);
});
