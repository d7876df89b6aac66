import assert from 'node:assert/strict';
import { test } from 'node:test';
import { I2cBus } from './bus.js';
import { EchoRegisters } from './echo-target.case.js';
import { I2cTap } from './tap.js';

/** A short session at 100 kHz from t=0: wake, write, read, a NACKed probe, a NACKed read. */
function session() {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  const part = new EchoRegisters();
  bus.attach(0x35, part);
  bus.write(0x00);
  bus.write(0x35, [0x03, 0x07, 0x02]);
  bus.read(0x35, 2);
  bus.write(0x36);
  part.awake = false;
  bus.read(0x35, 4);
  return { bus, tap, part };
}

test('the tap records every transaction, NACKs included, with the bytes that were on the wire', () => {
  const { tap } = session();
  const r = tap.records();
  assert.equal(r.length, 5);
  assert.deepEqual(
    r.map((t) => [t.timeUs, t.direction, t.address, [...t.bytes], t.ack, t.nackAt, t.faulted]),
    [
      [0, 'write', 0x00, [], false, 'address', false],
      [110, 'write', 0x35, [3, 7, 2], true, undefined, false],
      [490, 'read', 0x35, [7, 2], true, undefined, false],
      [780, 'write', 0x36, [], false, 'address', false],
      [890, 'read', 0x35, [], false, 'address', false],
    ],
  );
  assert.deepEqual(
    r.map((t) => t.durationUs),
    [110, 380, 290, 110, 110],
  );
  assert.ok(r.every((t) => t.frequencyHz === 100_000 && Object.isFrozen(t)));
});

test('records hold their own bytes: changing what the master got does not change the record', () => {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  const part = new EchoRegisters();
  bus.attach(0x35, part);
  bus.write(0x35, [0, 9]);
  const got = bus.read(0x35, 1);
  assert.ok(got.ack);
  got.data[0] = 0;
  assert.deepEqual([...tap.records()[1]!.bytes], [9]);
});

test('several taps listen at once; a detached tap stops recording and keeps what it has; clear empties it', () => {
  const bus = new I2cBus();
  const a = new I2cTap(bus);
  bus.write(0x10);
  const b = new I2cTap(bus);
  bus.write(0x11);
  a.detach();
  assert.equal(a.attached, false);
  assert.equal(b.attached, true);
  bus.write(0x12);
  assert.deepEqual(
    a.records().map((t) => t.address),
    [0x10, 0x11],
  );
  assert.deepEqual(
    b.records().map((t) => t.address),
    [0x11, 0x12],
  );
  b.clear();
  assert.equal(b.records().length, 0);
  bus.write(0x13);
  assert.equal(b.records().length, 1);
  a.detach(); // twice is harmless
});

test('toJSON gives hex bytes and the outcome', () => {
  const { tap } = session();
  const json = JSON.parse(JSON.stringify(tap)) as unknown[];
  assert.deepEqual(json[1], {
    timeUs: 110,
    durationUs: 380,
    frequencyHz: 100_000,
    direction: 'write',
    address: 0x35,
    bytes: '030702',
    ack: true,
    faulted: false,
  });
  assert.deepEqual(json[3], {
    timeUs: 780,
    durationUs: 110,
    frequencyHz: 100_000,
    direction: 'write',
    address: 0x36,
    bytes: '',
    ack: false,
    nackAt: 'address',
    faulted: false,
  });
});

test('format() is a protocol view: one line per transaction', () => {
  const { tap } = session();
  assert.equal(
    tap.format(),
    [
      't=0us   W 0x00  NACK  general call',
      't=110us W 0x35 03 07 02  ACK',
      't=490us R 0x35 07 02  ACK',
      't=780us W 0x36  NACK',
      't=890us R 0x35  NACK',
    ].join('\n'),
  );
  assert.equal(new I2cTap(new I2cBus()).format(), '');
});

interface Change {
  readonly tick: number;
  readonly wire: string;
  readonly level: number;
}

function parseVcd(vcd: string) {
  const header = vcd.slice(0, vcd.indexOf('$enddefinitions $end'));
  const body = vcd.slice(vcd.indexOf('$enddefinitions $end')).split('\n').slice(1);
  const ticks: number[] = [];
  const changes: Change[] = [];
  let tick = -1;
  for (const line of body) {
    if (line.startsWith('#')) {
      tick = Number(line.slice(1));
      ticks.push(tick);
    } else if (/^[01][!"]$/.test(line)) {
      changes.push({ tick, wire: line[1] === '!' ? 'scl' : 'sda', level: Number(line[0]) });
    }
  }
  return { header, ticks, changes, timescaleNs: Number(/\$timescale (\d+) ns \$end/.exec(header)?.[1]) };
}

/** Walks the waveform: START/STOP conditions and the bit sampled at each rising SCL edge. */
function walk(changes: readonly Change[]) {
  const level = { scl: 1, sda: 1 };
  const frames: { startTick: number; bits: number[] }[] = [];
  let stops = 0;
  let current: { startTick: number; bits: number[] } | undefined;
  for (const c of changes) {
    if (c.tick === 0) continue; // $dumpvars
    if (c.wire === 'sda' && level.scl === 1) {
      if (c.level === 0) frames.push((current = { startTick: c.tick, bits: [] }));
      else stops++;
    }
    if (c.wire === 'scl' && c.level === 1) current?.bits.push(level.sda);
    level[c.wire as 'scl' | 'sda'] = c.level;
  }
  return { frames, stops };
}

test('toVcd: header with scl and sda, idle start, strictly increasing timestamps', () => {
  const { tap } = session();
  const vcd = tap.toVcd();
  const { header, ticks, changes, timescaleNs } = parseVcd(vcd);
  assert.match(header, /\$timescale (1|10|100) ns \$end/);
  assert.match(header, /\$var wire 1 ! scl \$end/);
  assert.match(header, /\$var wire 1 " sda \$end/);
  assert.match(vcd, /#0\n\$dumpvars\n1!\n1"\n\$end\n/);
  assert.equal(ticks[0], 0);
  for (let i = 1; i < ticks.length; i++)
    assert.ok(ticks[i]! > ticks[i - 1]!, `#${ticks[i]} after #${ticks[i - 1]}`);
  assert.equal(timescaleNs, 100);
  assert.ok(vcd.endsWith('\n'));
  assert.ok(changes.length > 0);
});

test('toVcd: one START and one STOP per transaction, 9 clocks per byte, START at the record time', () => {
  const { tap } = session();
  const records = tap.records();
  const { changes, timescaleNs } = parseVcd(tap.toVcd());
  const { frames, stops } = walk(changes);
  assert.equal(frames.length, records.length);
  assert.equal(stops, records.length);
  const originUs = records[0]!.timeUs - 10; // one bit time of idle before the first START
  records.forEach((t, i) => {
    const frame = frames[i]!;
    // The STOP needs one more rising SCL edge after the last acknowledge bit.
    assert.equal(frame.bits.length, 9 * (1 + t.bytes.length) + 1);
    const byte = (k: number) => frame.bits.slice(9 * k, 9 * k + 8).reduce((v, b) => (v << 1) | b, 0);
    assert.equal(byte(0), (t.address << 1) | (t.direction === 'read' ? 1 : 0));
    assert.equal(frame.bits[8], t.ack ? 0 : 1, 'address ACK bit');
    assert.deepEqual(
      t.bytes.map((_, k) => byte(k + 1)),
      t.bytes,
    );
    assert.equal(frame.startTick * timescaleNs, (t.timeUs - originUs) * 1000);
  });
  // §3.1.6: the master NACKs the last byte it reads.
  assert.deepEqual([frames[2]!.bits[17], frames[2]!.bits[26]], [0, 1]);
});

test('toVcd: a session mixing 100 and 400 kHz samples fine enough for the faster rate', () => {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  bus.attach(0x35, new EchoRegisters());
  bus.write(0x35, [1, 2]);
  bus.setFrequency(400_000);
  bus.write(0x35, [1, 2]);
  bus.setFrequency(1_000_000);
  bus.read(0x35, 1);
  const { ticks, changes, timescaleNs } = parseVcd(tap.toVcd());
  assert.equal(timescaleNs, 10);
  for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i]! > ticks[i - 1]!);
  const { frames } = walk(changes);
  assert.deepEqual(
    frames.map((f) => f.bits.length),
    [28, 28, 19],
  );
});

test('toVcd of an empty tap is a valid idle dump', () => {
  const vcd = new I2cTap(new I2cBus()).toVcd();
  assert.match(vcd, /\$enddefinitions \$end\n#0\n\$dumpvars\n1!\n1"\n\$end\n$/);
});
