import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { I2cBus } from '../../hardware/i2c/index.js';
import { badData, sameBytes, sensorRead, sensorWrite } from './sensor-bus.js';
import { RegisterFile } from './sensor-rig.case.js';

const PART = { part: 'TEST', address: 0x50 };

function rig() {
  const bus = new I2cBus();
  const part = new RegisterFile().set(0x10, [0xaa, 0xbb]);
  bus.attach(0x50, part);
  return { bus, part };
}

test('an acknowledged write and read pass the bytes through', () => {
  const { bus, part } = rig();
  sensorWrite(bus, PART, [0x20, 0x7f]);
  assert.equal(part.registers[0x20], 0x7f);
  sensorWrite(bus, PART, [0x10]);
  assert.deepEqual([...sensorRead(bus, PART, 2)], [0xaa, 0xbb]);
});

test('an address NACK is ERR_SENSOR_NO_DEVICE naming the part, address and direction', () => {
  const { bus } = rig();
  bus.faults.unplug(0x50);
  assert.throws(
    () => sensorWrite(bus, PART, [0x10]),
    (err) => {
      assert.ok(isLabError(err, 'ERR_SENSOR_NO_DEVICE'));
      assert.deepEqual(err.details, { part: 'TEST', address: 0x50, direction: 'write', nackAt: 'address' });
      assert.match(err.message, /TEST at 0x50/);
      return true;
    },
  );
  assert.throws(
    () => sensorRead(bus, PART, 1),
    (err) => isLabError(err, 'ERR_SENSOR_NO_DEVICE') && err.details.direction === 'read',
  );
});

test('a NACKed data byte is ERR_SENSOR_NO_DEVICE with its index: the command did not get through', () => {
  const { bus } = rig();
  bus.faults.forceNack(0x50, { atByte: 1, transactions: 1 });
  assert.throws(
    () => sensorWrite(bus, PART, [0x20, 0x01]),
    (err) =>
      isLabError(err, 'ERR_SENSOR_NO_DEVICE') && err.details.nackAt === 'data' && err.details.index === 1,
  );
});

test('badData builds ERR_SENSOR_BAD_DATA with the part in its details', () => {
  const err = badData(PART, 'nonsense', { value: 3 });
  assert.equal(err.code, 'ERR_SENSOR_BAD_DATA');
  assert.deepEqual(err.details, { part: 'TEST', address: 0x50, value: 3 });
});

test('sameBytes compares length and content', () => {
  assert.ok(sameBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
  assert.ok(!sameBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
  assert.ok(!sameBytes(Uint8Array.of(1), Uint8Array.of(1, 2)));
});
