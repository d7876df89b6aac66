import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { I2cBus } from './bus.js';
import { EchoRegisters, fixedReply } from './echo-target.case.js';
import { I2cTap } from './tap.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;

function rig() {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  const part = new EchoRegisters();
  bus.attach(0x35, part);
  return { bus, tap, part, faults: bus.faults };
}

test('unplug: the address NACKs; replug: the same part answers again', () => {
  const { bus, part, faults } = rig();
  assert.equal(faults.unplug(0x35), true);
  assert.deepEqual(faults.unplugged(), [0x35]);
  assert.equal(bus.write(0x35).ack, false);
  assert.deepEqual(bus.scan(), []);
  assert.equal(faults.replug(0x35), true);
  assert.equal(bus.targetAt(0x35), part);
  assert.deepEqual(faults.unplugged(), []);
  assert.deepEqual(bus.scan(), [0x35]);
  assert.equal(faults.unplug(0x36), false, 'nothing to unplug');
  assert.equal(faults.replug(0x36), false, 'nothing to replug');
});

test('replug fails if another part took the address meanwhile', () => {
  const { bus, faults } = rig();
  faults.unplug(0x35);
  bus.attach(0x35, new EchoRegisters());
  assert.throws(() => faults.replug(0x35), code('ERR_I2C_ADDRESS_INVALID'));
  assert.deepEqual(faults.unplugged(), [0x35]);
});

test('forceNack for N transactions: the part is not reached, the tap marks the NACKs as faults', () => {
  const { bus, tap, part, faults } = rig();
  faults.forceNack(0x35, { transactions: 2 });
  assert.deepEqual(bus.write(0x35, [1, 2]), { ack: false, nackAt: 'address' });
  assert.deepEqual(bus.read(0x35, 1), { ack: false });
  assert.deepEqual(bus.write(0x35, [1, 2]), { ack: true });
  assert.equal(part.writes.length, 1);
  assert.equal(part.reads.length, 0);
  assert.deepEqual(
    tap.records().map((t) => [t.ack, t.faulted, t.bytes.length]),
    [
      [false, true, 0],
      [false, true, 0],
      [true, false, 2],
    ],
  );
});

test('forceNack until cleared, in one direction only, even where nothing is attached', () => {
  const { bus, tap, faults } = rig();
  faults.forceNack(0x35, { direction: 'read' });
  for (let i = 0; i < 3; i++) assert.equal(bus.read(0x35, 1).ack, false);
  assert.equal(bus.write(0x35, [0]).ack, true);
  faults.clearNack(0x35);
  assert.equal(bus.read(0x35, 1).ack, true);
  faults.forceNack(0x40);
  assert.equal(bus.write(0x40).ack, false);
  assert.equal(tap.records().at(-1)!.faulted, true);
});

test('forceNack atByte: the write stops at that byte; the part gets the bytes before it', () => {
  const { bus, tap, part, faults } = rig();
  faults.forceNack(0x35, { atByte: 2, transactions: 1 });
  assert.deepEqual(bus.write(0x35, [1]), { ack: true }, 'too short: not NACKed, not used up');
  assert.deepEqual(bus.write(0x35, [0x10, 0x20, 0x30, 0x40]), { ack: false, nackAt: 'data', index: 2 });
  assert.deepEqual(part.writes.at(-1)!.data, Uint8Array.from([0x10, 0x20]));
  const r = tap.records().at(-1)!;
  assert.deepEqual([...r.bytes], [0x10, 0x20, 0x30]);
  assert.deepEqual([r.ack, r.nackAt, r.index, r.faulted], [false, 'data', 2, true]);
  assert.equal(r.durationUs, (9 * 4 + 2) * 10);
  assert.deepEqual(bus.write(0x35, [0x10, 0x20, 0x30]), { ack: true }, 'used up');
  assert.equal(bus.read(0x35, 1).ack, true, 'a data NACK aims at writes only');
});

test('forceNack options are checked', () => {
  const { faults } = rig();
  assert.throws(() => faults.forceNack(0x35, { atByte: 0, direction: 'read' }), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => faults.forceNack(0x35, { transactions: 0 }), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => faults.forceNack(0x35, { count: 1 } as never), code('ERR_OPTIONS_UNKNOWN_KEY'));
  assert.throws(() => faults.forceNack(0x00), code('ERR_I2C_ADDRESS_INVALID'));
});

test('flipBit on a write: the part and the tap see the same corrupted byte, once', () => {
  const { bus, tap, part, faults } = rig();
  faults.flipBit({ direction: 'write', byte: 1, bit: 7 });
  assert.deepEqual(bus.write(0x35, [0x00, 0x01, 0x02]), { ack: true });
  assert.deepEqual(part.writes[0]!.data, Uint8Array.from([0x00, 0x81, 0x02]));
  assert.deepEqual([...tap.records()[0]!.bytes], [0x00, 0x81, 0x02]);
  assert.equal(tap.records()[0]!.faulted, true);
  bus.write(0x35, [0x00, 0x01, 0x02]);
  assert.deepEqual(part.writes[1]!.data, Uint8Array.from([0x00, 0x01, 0x02]));
  assert.equal(tap.records()[1]!.faulted, false);
});

test('flipBit on a read: the master and the tap see the same corrupted byte', () => {
  const { bus, tap, faults } = rig();
  bus.attach(0x44, fixedReply([0xf0, 0x0f]));
  faults.flipBit({ direction: 'read', byte: 0, bit: 0, address: 0x44 });
  assert.deepEqual(bus.read(0x35, 2).ack, true, 'another address: untouched');
  assert.deepEqual(bus.read(0x44, 2), { ack: true, data: Uint8Array.from([0xf1, 0x0f]) });
  assert.deepEqual([...tap.records()[1]!.bytes], [0xf1, 0x0f]);
  assert.deepEqual(
    tap.records().map((t) => t.faulted),
    [false, true],
  );
});

test('flipBit stays armed until a transfer carries its byte onto the wire', () => {
  const { bus, part, faults } = rig();
  faults.flipBit({ direction: 'write', byte: 2, bit: 0 });
  bus.write(0x35, [5, 5]); // too short
  part.awake = false;
  bus.write(0x35, [5, 5, 5]); // NACKed address: nothing went on the wire
  bus.read(0x35, 4); // other direction
  part.awake = true;
  bus.write(0x35, [5, 5, 5]);
  assert.deepEqual(
    part.writes.map((w) => [...w.data]),
    [
      [5, 5],
      [5, 5, 4],
      [5, 5, 4],
    ],
  );
  // The asleep part was handed the planned bytes with its NACK; the flip waited for the write
  // that went through, and is used up now.
  bus.write(0x35, [5, 5, 5]);
  assert.deepEqual([...part.writes.at(-1)!.data], [5, 5, 5]);
});

test('flipBit options are checked', () => {
  const { faults } = rig();
  assert.throws(() => faults.flipBit({ direction: 'write', byte: 0, bit: 8 }), code('ERR_OPTIONS_INVALID'));
  assert.throws(
    () => faults.flipBit({ direction: 'both' as never, byte: 0, bit: 0 }),
    code('ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => faults.flipBit({ direction: 'read', byte: 0, bit: 0, address: 0x78 }),
    code('ERR_I2C_ADDRESS_INVALID'),
  );
});

/** Reads 64 bytes of 0x00 through a seeded bit-error rate; returns what the master got. */
function noisyRead(seed: string, rate: number) {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  bus.attach(0x50, new EchoRegisters());
  bus.faults.bitErrors({ rate, rng: new SeededRng(seed), direction: 'read' });
  const got = bus.read(0x50, 64);
  assert.ok(got.ack);
  return { data: got.data, record: tap.records()[0]! };
}

const popcount = (bytes: Uint8Array) => bytes.reduce((n, b) => n + b.toString(2).replace(/0/g, '').length, 0);

test('a seeded bit-error rate flips the same bits every run, as seen by master and tap', () => {
  const a = noisyRead('lab-seed', 0.05);
  const b = noisyRead('lab-seed', 0.05);
  const c = noisyRead('other-seed', 0.05);
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
  assert.deepEqual(a.record.bytes, a.data);
  assert.equal(a.record.faulted, true);
  // 512 bits at 5 %: about 26 flips; 5–60 holds with overwhelming probability.
  const flips = popcount(a.data);
  assert.ok(flips > 5 && flips < 60, `${flips} flips`);
});

test('bit-error rate 1 inverts every data bit, rate 0 none; the address byte is never hit', () => {
  assert.ok(noisyRead('s', 1).data.every((b) => b === 0xff));
  const clean = noisyRead('s', 0);
  assert.ok(clean.data.every((b) => b === 0));
  assert.equal(clean.record.faulted, false);
  assert.equal(noisyRead('s', 1).record.address, 0x50);
});

test('bit errors on writes reach the part as the tap recorded them; direction and clearing apply', () => {
  const { bus, tap, part, faults } = rig();
  faults.bitErrors({ rate: 1, rng: new SeededRng('x'), direction: 'write', address: 0x35 });
  bus.write(0x35, [0x00, 0x0f]);
  assert.deepEqual([...part.writes[0]!.data], [0xff, 0xf0]);
  assert.deepEqual([...tap.records()[0]!.bytes], [0xff, 0xf0]);
  assert.ok(bus.read(0x35, 1).ack);
  assert.equal(tap.records()[1]!.faulted, false, 'reads untouched');
  faults.clearBitErrors();
  bus.write(0x35, [0x00, 0x0f]);
  assert.deepEqual([...part.writes[1]!.data], [0x00, 0x0f]);
  assert.throws(() => faults.bitErrors({ rate: 2, rng: new SeededRng('x') }), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => faults.bitErrors({ rate: 0.1 } as never), code('ERR_OPTIONS_INVALID'));
});

test('clear removes NACK and bit-error faults but leaves unplugged parts out', () => {
  const { bus, faults } = rig();
  bus.attach(0x36, new EchoRegisters());
  faults.forceNack(0x35);
  faults.flipBit({ direction: 'write', byte: 0, bit: 0 });
  faults.bitErrors({ rate: 1, rng: new SeededRng('x') });
  faults.unplug(0x36);
  faults.clear();
  assert.equal(bus.write(0x35, [0]).ack, true);
  assert.deepEqual(bus.read(0x35, 1), { ack: true, data: Uint8Array.from([0]) });
  assert.equal(bus.write(0x36).ack, false);
});
