import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceRam } from './ram.js';

test('find() names the buffers that hold the bytes; zero() and zeroAll() wipe them', () => {
  const ram = new DeviceRam();
  const a = ram.allocate('slotData', 416);
  const b = ram.allocate('pemKey', 64);
  const secret = Uint8Array.of(0x30, 0x81, 0x87, 0x02, 0x01, 0x00);
  a.set(secret, 2);
  b.set(secret, 10);
  assert.deepEqual(ram.find(secret), ['slotData', 'pemKey']);
  ram.zero('slotData');
  assert.deepEqual(ram.find(secret), ['pemKey']);
  ram.zeroAll();
  assert.deepEqual(ram.find(secret), []);
  assert.deepEqual(ram.find(new Uint8Array(0)), []);
  assert.deepEqual(ram.names(), ['slotData', 'pemKey']);
});
