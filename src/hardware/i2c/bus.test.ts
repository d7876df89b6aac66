import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { I2cBus } from './bus.js';
import { VirtualBusClock } from './clock.js';
import { EchoRegisters, fixedReply } from './echo-target.case.js';
import type { BusClock } from './target.js';
import { I2cTap } from './tap.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;

test('a probe (empty write) ACKs where a part answers and NACKs elsewhere; the part sees empty data', () => {
  const bus = new I2cBus();
  const part = new EchoRegisters();
  bus.attach(0x35, part);
  assert.deepEqual(bus.write(0x35), { ack: true });
  assert.deepEqual(bus.write(0x36), { ack: false, nackAt: 'address' });
  assert.equal(part.writes.length, 1);
  assert.deepEqual(part.writes[0]!.data, new Uint8Array(0));
});

test('an asleep part NACKs its probe', () => {
  const bus = new I2cBus();
  const part = new EchoRegisters();
  bus.attach(0x60, part);
  part.awake = false;
  assert.deepEqual(bus.write(0x60), { ack: false, nackAt: 'address' });
});

test('scan probes 0x08–0x77 once each, as i2cdetect, and lists the parts that ACK', () => {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  bus.attach(0x76, new EchoRegisters());
  bus.attach(0x08, new EchoRegisters());
  bus.attach(0x35, new EchoRegisters());
  const asleep = new EchoRegisters();
  asleep.awake = false;
  bus.attach(0x44, asleep);
  assert.deepEqual(bus.scan(), [0x08, 0x35, 0x76]);
  const probes = tap.records();
  assert.equal(probes.length, 0x77 - 0x08 + 1);
  assert.deepEqual(
    probes.map((t) => t.address),
    Array.from({ length: 112 }, (_, i) => 0x08 + i),
  );
  assert.ok(probes.every((t) => t.direction === 'write' && t.bytes.length === 0));
});

test('[UM10204 §3.1.12] attach accepts 0x08–0x77 only, and only a free address', () => {
  const bus = new I2cBus();
  for (const bad of [0x00, 0x07, 0x78, 0x7f, 0x80, -1, 1.5, Number.NaN]) {
    assert.throws(() => bus.attach(bad, new EchoRegisters()), code('ERR_I2C_ADDRESS_INVALID'), String(bad));
  }
  bus.attach(0x08, new EchoRegisters());
  bus.attach(0x77, new EchoRegisters());
  assert.throws(() => bus.attach(0x77, new EchoRegisters()), code('ERR_I2C_ADDRESS_INVALID'));
  assert.deepEqual(bus.addresses(), [0x08, 0x77]);
});

test('detach unplugs a part and attach plugs it back', () => {
  const bus = new I2cBus();
  const part = new EchoRegisters();
  bus.attach(0x35, part);
  assert.equal(bus.detach(0x35), part);
  assert.equal(bus.detach(0x35), undefined);
  assert.equal(bus.write(0x35).ack, false);
  bus.attach(0x35, part);
  assert.equal(bus.targetAt(0x35), part);
  assert.equal(bus.write(0x35).ack, true);
  assert.throws(() => bus.detach(0x05), code('ERR_I2C_ADDRESS_INVALID'));
});

test('the master may address any 7-bit value: reserved addresses NACK, others throw', () => {
  const bus = new I2cBus();
  assert.deepEqual(bus.write(0x78, [1]), { ack: false, nackAt: 'address' });
  assert.deepEqual(bus.read(0x00, 1), { ack: false });
  assert.throws(() => bus.write(0x80), code('ERR_I2C_ADDRESS_INVALID'));
  assert.throws(() => bus.read(-1, 1), code('ERR_I2C_ADDRESS_INVALID'));
});

test('a write delivers the bytes and a read returns them (echo register)', () => {
  const bus = new I2cBus();
  const part = new EchoRegisters();
  bus.attach(0x50, part);
  const bytes = new Uint8Array([0x10, 0xde, 0xad]);
  assert.deepEqual(bus.write(0x50, bytes), { ack: true });
  bytes[1] = 0; // the caller's buffer is copied, not kept
  assert.deepEqual(part.writes[0]!.data, Uint8Array.from([0x10, 0xde, 0xad]));
  assert.deepEqual(bus.read(0x50, 2), { ack: true, data: Uint8Array.from([0xde, 0xad]) });
  assert.deepEqual(bus.write(0x50, [0x20, 1, 2, 3]), { ack: true });
  assert.deepEqual(bus.read(0x50, 3), { ack: true, data: Uint8Array.from([1, 2, 3]) });
});

test('a read NACKs when the part returns null; short answers are padded with 0xFF, long ones cut', () => {
  const bus = new I2cBus();
  const part = new EchoRegisters();
  part.awake = false;
  bus.attach(0x35, part);
  assert.deepEqual(bus.read(0x35, 4), { ack: false });
  assert.equal(part.reads.length, 1);
  bus.attach(0x36, fixedReply([1, 2]));
  assert.deepEqual(bus.read(0x36, 4), { ack: true, data: Uint8Array.from([1, 2, 0xff, 0xff]) });
  assert.deepEqual(bus.read(0x36, 1), { ack: true, data: Uint8Array.from([1]) });
});

test('bad byte values and read lengths are refused', () => {
  const bus = new I2cBus();
  bus.attach(0x35, new EchoRegisters());
  assert.throws(() => bus.write(0x35, [256]), RangeError);
  assert.throws(() => bus.write(0x35, [-1]), RangeError);
  assert.throws(() => bus.write(0x35, [1.5]), RangeError);
  for (const length of [0, -1, 2.5, 65_536]) assert.throws(() => bus.read(0x35, length), RangeError);
});

test('[UM10204 §3.1.13] a general call holds SDA low 9 bit times: 90 µs at 100 kHz, 22.5 µs at 400 kHz', () => {
  const clock = new VirtualBusClock(1000);
  const bus = new I2cBus({ clock });
  const a = new EchoRegisters();
  const b = new EchoRegisters();
  bus.attach(0x35, a);
  bus.attach(0x60, b);
  bus.attach(0x44, fixedReply([0])); // no sdaLow: ignored
  assert.deepEqual(bus.write(0x00), { ack: false, nackAt: 'address' });
  assert.deepEqual(a.sdaLows, [{ durationUs: 90, nowUs: 1090 }]);
  assert.deepEqual(b.sdaLows, [{ durationUs: 90, nowUs: 1090 }]);
  assert.equal(a.writes.length, 0, 'a general call is not delivered as a write');
  bus.setFrequency(400_000);
  const start = clock.nowUs();
  assert.deepEqual(bus.write(0x00, [0x06]), { ack: false, nackAt: 'address' });
  assert.deepEqual(a.sdaLows[1], { durationUs: 22.5, nowUs: start + 22.5 });
});

test('virtual time advances by each transfer: (9 bits per byte + START + STOP) bit times', () => {
  const clock = new VirtualBusClock();
  const bus = new I2cBus({ clock });
  const part = new EchoRegisters();
  bus.attach(0x35, part);
  bus.write(0x36); // NACKed probe: address byte only
  assert.equal(clock.nowUs(), 110);
  bus.write(0x35, [0, 1, 2]);
  assert.equal(clock.nowUs(), 110 + 380);
  // The part acts on a write at STOP.
  assert.equal(part.writes[0]!.nowUs, 490);
  bus.setFrequency(400_000);
  bus.read(0x35, 4);
  assert.equal(clock.nowUs(), 490 + 117.5);
  // A read is answered once the address byte is through: START + 9 bits.
  assert.equal(part.reads[0]!.nowUs, 490 + 25);
});

test('sleep delegates to the clock', async () => {
  const clock = new VirtualBusClock(5);
  const bus = new I2cBus({ clock });
  await bus.sleep(1500);
  assert.equal(bus.nowUs(), 1505);
});

test('with a clock that is not virtual, transfers are laid end to end and the clock is left alone', () => {
  let sleeps = 0;
  const clock: BusClock = {
    nowUs: () => 1000,
    sleep: () => {
      sleeps++;
      return Promise.resolve();
    },
  };
  const bus = new I2cBus({ clock });
  const tap = new I2cTap(bus);
  bus.attach(0x35, new EchoRegisters());
  bus.write(0x35);
  bus.write(0x35, [1]);
  bus.read(0x35, 1);
  assert.deepEqual(
    tap.records().map((t) => t.timeUs),
    [1000, 1110, 1310],
  );
  assert.equal(clock.nowUs(), 1000);
  assert.equal(sleeps, 0);
});

test('options are validated: unknown keys, frequency out of range', () => {
  assert.throws(() => new I2cBus({ frequency: 400_000 } as never), code('ERR_OPTIONS_UNKNOWN_KEY'));
  for (const frequencyHz of [0, -100_000, 1.5, 3_400_000]) {
    assert.throws(() => new I2cBus({ frequencyHz }), code('ERR_OPTIONS_INVALID'), String(frequencyHz));
  }
  assert.throws(() => new I2cBus({ clock: { nowUs: () => 0 } as never }), code('ERR_OPTIONS_INVALID'));
  const bus = new I2cBus({ frequencyHz: 400_000 });
  assert.equal(bus.frequencyHz, 400_000);
  assert.throws(() => bus.setFrequency(0), code('ERR_OPTIONS_INVALID'));
  bus.setFrequency(100_000);
  assert.equal(bus.frequencyHz, 100_000);
  assert.equal(new I2cBus().frequencyHz, 100_000);
});
