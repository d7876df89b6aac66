// sigrok's I2C protocol decoder as an independent oracle for the tap's VCD export: what sigrok-cli
// decodes from the waveform (START, address, R/W, data, ACK/NACK, STOP, and when) must be exactly
// what the tap recorded. sigrok-cli comes from the Debian package (scripts/setup-system.sh).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { SeededRng } from '../../src/core/rng.js';
import { I2cBus, I2cTap, type I2cTarget, type I2cTransaction } from '../../src/hardware/i2c/index.js';
import { join, tempDir } from '../helpers/openssl.js';

const SIGROK = '/usr/bin/sigrok-cli';

interface Decoded {
  startSample: number;
  direction?: 'write' | 'read';
  /** sigrok's annotation of the R/W bit itself. */
  rwBit?: 'write' | 'read';
  address?: number;
  bytes: number[];
  acks: boolean[];
  stopped: boolean;
}

/** A register part: a write [reg, data…] stores from reg, a read returns from reg on. */
function registers(): I2cTarget & { awake: boolean } {
  const memory = Uint8Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff);
  let pointer = 0;
  return {
    awake: true,
    write(data) {
      if (!this.awake) return false;
      if (data.length > 0) pointer = data[0]!;
      data.subarray(1).forEach((b, i) => (memory[(pointer + i) & 0xff] = b));
      return true;
    },
    read(length) {
      if (!this.awake) return null;
      return Uint8Array.from({ length }, (_, i) => memory[(pointer + i) & 0xff]!);
    },
  };
}

/** Wake, commands, replies, NACKs of every kind, faults, three bus speeds and a scan. */
async function session(): Promise<I2cTap> {
  const bus = new I2cBus();
  const tap = new I2cTap(bus);
  const se = registers();
  const sensor = registers();
  bus.attach(0x35, se);
  bus.attach(0x44, sensor);
  bus.attach(0x76, registers());

  bus.write(0x00); // general-call wake
  await bus.sleep(1500);
  bus.write(0x35, [0x03, 0x07, 0x02, 0x00, 0x00, 0x00, 0x1e, 0x2d]);
  await bus.sleep(50);
  bus.read(0x35, 4);
  bus.write(0x36); // nothing there
  bus.read(0x36, 2);
  sensor.awake = false;
  bus.write(0x44, [0x24, 0x00]);
  bus.read(0x44, 6);
  sensor.awake = true;
  bus.faults.forceNack(0x35, { atByte: 2, transactions: 1 });
  bus.write(0x35, [0x03, 0x10, 0x20, 0x30]);
  bus.faults.flipBit({ direction: 'read', byte: 1, bit: 6 });
  bus.read(0x44, 3);
  bus.setFrequency(400_000);
  bus.faults.bitErrors({ rate: 0.05, rng: new SeededRng('sigrok'), direction: 'write', address: 0x76 });
  bus.write(0x76, [0xfa, 0x00, 0xff, 0x80, 0x01]);
  bus.faults.clear();
  bus.read(0x76, 8);
  bus.write(0x00, [0x06]);
  bus.setFrequency(1_000_000);
  bus.write(0x44, [0x00, 0xaa, 0x55]);
  bus.read(0x44, 2);
  bus.setFrequency(100_000);
  assert.deepEqual(bus.scan(), [0x35, 0x44, 0x76]);
  tap.detach();
  return tap;
}

/** `sigrok-cli … --protocol-decoder-samplenum` lines: "123-456 i2c-1: Data write: 0A". */
function decode(output: string): Decoded[] {
  const out: Decoded[] = [];
  let current: Decoded | undefined;
  for (const line of output.split('\n')) {
    const m = /^(\d+)-(\d+) i2c-1: (.*)$/.exec(line);
    if (m === null) continue;
    const [, from, , text] = m as unknown as [string, string, string, string];
    if (text === 'Start') {
      current = { startSample: Number(from), bytes: [], acks: [], stopped: false };
      out.push(current);
      continue;
    }
    assert.ok(current !== undefined, `sigrok: "${text}" before any START`);
    const field = /^(Address|Data) (write|read): ([0-9A-F]{2})$/.exec(text);
    if (field !== null) {
      const value = parseInt(field[3]!, 16);
      if (field[1] === 'Address') {
        current.address = value;
        current.direction = field[2] as 'write' | 'read';
      } else current.bytes.push(value);
    } else if (text === 'ACK' || text === 'NACK') current.acks.push(text === 'ACK');
    else if (text === 'Write' || text === 'Read') current.rwBit = text === 'Write' ? 'write' : 'read';
    else if (text === 'Stop') current.stopped = true;
    else assert.fail(`sigrok: unexpected annotation "${text}"`);
  }
  return out;
}

/** The acknowledge bits a transaction put on the wire, address byte first. */
function expectedAcks(t: I2cTransaction): boolean[] {
  const acks = [t.ack || t.nackAt === 'data'];
  t.bytes.forEach((_, i) => {
    if (t.direction === 'read') acks.push(i < t.bytes.length - 1);
    else acks.push(!(t.nackAt === 'data' && t.index === i));
  });
  return acks;
}

test('sigrok-cli decodes the tap VCD into exactly the recorded transactions', async (t) => {
  if (!existsSync(SIGROK)) {
    assert.fail(`${SIGROK} is missing: the I2C oracle cannot run. Run \`bash scripts/setup-system.sh\`.`);
  }
  const tap = await session();
  const records = tap.records();
  assert.ok(records.some((r) => r.faulted) && records.some((r) => !r.ack));
  const vcd = tap.toVcd();
  const file = join(tempDir(t, 'mqtts-lab-i2c-'), 'tap.vcd');
  writeFileSync(file, vcd);
  const r = spawnSync(
    SIGROK,
    [
      '-I',
      'vcd',
      '-i',
      file,
      '-P',
      'i2c:scl=scl:sda=sda',
      '-A',
      'i2c=start:stop:ack:nack:address-read:address-write:data-read:data-write',
      '--protocol-decoder-samplenum',
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, `sigrok-cli failed:\n${r.stderr}`);
  const decoded = decode(r.stdout);
  assert.equal(decoded.length, records.length, 'one START per transaction');

  const tick = Number(/\$timescale (\d+) ns \$end/.exec(vcd)?.[1]);
  records.forEach((rec, i) => {
    const d = decoded[i]!;
    const where = `transaction ${i} (${rec.direction} 0x${rec.address.toString(16)} at ${rec.timeUs} µs)`;
    assert.equal(d.address, rec.address, where);
    assert.equal(d.direction, rec.direction, where);
    assert.equal(d.rwBit, rec.direction, where);
    assert.deepEqual(d.bytes, [...rec.bytes], where);
    assert.deepEqual(d.acks, expectedAcks(rec), where);
    assert.ok(d.stopped, `${where}: STOP`);
    const elapsedNs = (rec.timeUs - records[0]!.timeUs) * 1000;
    assert.equal(
      (d.startSample - decoded[0]!.startSample) * tick,
      Math.round(elapsedNs / tick) * tick,
      where,
    );
  });
});
