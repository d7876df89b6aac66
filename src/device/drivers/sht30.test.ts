import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { rawToCelsius, rawToRelativeHumidity, sht30Crc8 as emulatorCrc8 } from '../../hardware/env2/index.js';
import { DATASHEET_TOLERANCE, env2Rig } from './sensor-rig.case.js';
import { sht30Celsius, sht30Crc8, Sht30Driver, sht30RelativeHumidity } from './sht30.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('SHT3x-DIS §4.12: CRC-8 of the datasheet example 0xBEEF is 0x92', () => {
  assert.equal(sht30Crc8([0xbe, 0xef]), 0x92);
  assert.equal(sht30Crc8([]), 0xff, 'init value');
});

test('CRC-8 agrees with the emulator on every 16-bit word', () => {
  for (let w = 0; w <= 0xffff; w++) {
    const bytes = [w >> 8, w & 0xff];
    if (sht30Crc8(bytes) !== emulatorCrc8(bytes)) assert.fail(`CRC of 0x${w.toString(16)} differs`);
  }
});

test('SHT3x-DIS §4.13 conversions: worked numbers and agreement with the emulator', () => {
  assert.equal(sht30Celsius(0x6666), 25); // 175 · 26214 / 65535 = 70 exactly
  assert.equal(sht30Celsius(0), -45);
  assert.equal(sht30Celsius(0xffff), 130);
  assert.equal(sht30RelativeHumidity(0), 0);
  assert.equal(sht30RelativeHumidity(0xffff), 100);
  for (let raw = 0; raw <= 0xffff; raw += 97) {
    assert.equal(sht30Celsius(raw), rawToCelsius(raw));
    assert.equal(sht30RelativeHumidity(raw), rawToRelativeHumidity(raw));
  }
});

test('measure: within the SHT30 datasheet tolerances of the room model over 24 h', async (t) => {
  const { bus, room } = env2Rig('sht30-accuracy');
  const sht = new Sht30Driver(bus);
  let maxT = 0;
  let maxRh = 0;
  for (let i = 0; i < 240; i++) {
    const m = await sht.measure();
    const truth = room.at(bus.nowUs());
    maxT = Math.max(maxT, Math.abs(m.temperatureC - truth.temperatureC));
    maxRh = Math.max(maxRh, Math.abs(m.relativeHumidityPct - truth.relativeHumidityPct));
    await bus.sleep(6 * 60 * 1e6);
  }
  t.diagnostic(`max |ΔT| = ${maxT.toFixed(4)} °C, max |ΔRH| = ${maxRh.toFixed(4)} %RH over 240 readings`);
  assert.ok(maxT <= DATASHEET_TOLERANCE.temperatureC, `ΔT ${maxT}`);
  assert.ok(maxRh <= DATASHEET_TOLERANCE.relativeHumidityPct, `ΔRH ${maxRh}`);
});

test('tap: single shot 0x2C06 to 0x44, a wait of tMEAS (15 ms), then a 6-byte read whose CRCs hold', async () => {
  const { bus, tap } = env2Rig();
  const m = await new Sht30Driver(bus).measure();
  const [w, r, ...rest] = tap.records();
  assert.equal(rest.length, 0);
  assert.deepEqual([w!.direction, w!.address, hex(w!.bytes), w!.ack], ['write', 0x44, '2c06', true]);
  assert.deepEqual([r!.direction, r!.address, r!.bytes.length, r!.ack], ['read', 0x44, 6, true]);
  assert.ok(r!.timeUs - (w!.timeUs + w!.durationUs) >= 15_000, 'Table 4: tMEAS high = 15 ms');
  assert.equal(sht30Crc8(r!.bytes.subarray(0, 2)), r!.bytes[2]);
  assert.equal(sht30Crc8(r!.bytes.subarray(3, 5)), r!.bytes[5]);
  assert.equal(m.rawTemperature, (r!.bytes[0]! << 8) | r!.bytes[1]!);
  assert.equal(m.rawHumidity, (r!.bytes[3]! << 8) | r!.bytes[4]!);
});

test('tap: the other single-shot commands and their measurement times', async () => {
  const cases = [
    [{ clockStretching: false }, '2400', 15_000],
    [{ repeatability: 'medium' }, '2c0d', 6_000],
    [{ repeatability: 'low', clockStretching: false }, '2416', 4_000],
  ] as const;
  for (const [options, command, waitUs] of cases) {
    const { bus, tap } = env2Rig();
    await new Sht30Driver(bus, options).measure();
    const [w, r] = tap.records();
    assert.equal(hex(w!.bytes), command);
    const gap = r!.timeUs - (w!.timeUs + w!.durationUs);
    assert.ok(gap >= waitUs && gap < waitUs + 1, `${command}: waited ${gap} µs`);
  }
});

test('begin: soft reset 0x30A2, tSR, status 0xF32D reads alert pending + reset detected; clear status clears them', async () => {
  const { bus, tap } = env2Rig();
  const sht = new Sht30Driver(bus);
  const status = await sht.begin();
  assert.equal(status.word, 0x8010);
  assert.deepEqual(
    [status.alertPending, status.resetDetected, status.heaterOn, status.commandFailed],
    [true, true, false, false],
  );
  const [reset, statusCmd, statusRead] = tap.records();
  assert.equal(hex(reset!.bytes), '30a2');
  assert.equal(hex(statusCmd!.bytes), 'f32d');
  assert.ok(statusCmd!.timeUs - (reset!.timeUs + reset!.durationUs) >= 1_500, 'Table 4: tSR');
  assert.equal(statusRead!.bytes.length, 3);
  await sht.clearStatus();
  assert.equal(hex(tap.records().at(-1)!.bytes), '3041');
  assert.equal((await sht.readStatus()).word, 0x0000);
});

test('options are strict: an unknown key or an address other than 0x44/0x45 is refused', () => {
  const { bus } = env2Rig();
  assert.throws(() => new Sht30Driver(bus, { adress: 0x44 } as never), code('ERR_OPTIONS_UNKNOWN_KEY'));
  assert.throws(() => new Sht30Driver(bus, { address: 0x46 as never }), code('ERR_OPTIONS_INVALID'));
  assert.equal(new Sht30Driver(bus, { address: 0x45 }).address, 0x45);
});

test('unplugged SHT30: ERR_SENSOR_NO_DEVICE from measure, begin and readStatus', async () => {
  const { bus } = env2Rig();
  const sht = new Sht30Driver(bus);
  bus.faults.unplug(0x44);
  await assert.rejects(sht.measure(), code('ERR_SENSOR_NO_DEVICE'));
  await assert.rejects(sht.begin(), code('ERR_SENSOR_NO_DEVICE'));
  await assert.rejects(sht.readStatus(), code('ERR_SENSOR_NO_DEVICE'));
  bus.faults.replug(0x44);
  await sht.measure();
});

test('a part that NACKs the result read (unplugged mid-measurement): ERR_SENSOR_NO_DEVICE', async () => {
  const { bus } = env2Rig();
  bus.faults.forceNack(0x44, { direction: 'read', transactions: 1 });
  await assert.rejects(new Sht30Driver(bus).measure(), (err) => {
    assert.ok(isLabError(err, 'ERR_SENSOR_NO_DEVICE'));
    assert.deepEqual([err.details.direction, err.details.address], ['read', 0x44]);
    return true;
  });
});

test('every single-bit error in the 6 bytes read is ERR_SENSOR_BAD_DATA, never a reading', async () => {
  const { bus } = env2Rig();
  const sht = new Sht30Driver(bus);
  for (let byte = 0; byte < 6; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      bus.faults.flipBit({ direction: 'read', address: 0x44, byte, bit });
      await assert.rejects(sht.measure(), code('ERR_SENSOR_BAD_DATA'), `byte ${byte} bit ${bit}`);
    }
  }
  await sht.measure(); // the part itself is fine
});

test('a bit error in the command: an error or a correct reading, never a wrong one', async () => {
  for (let byte = 0; byte < 2; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const { bus, room } = env2Rig();
      const sht = new Sht30Driver(bus);
      bus.faults.flipBit({ direction: 'write', address: 0x44, byte, bit });
      const outcome = await sht.measure().then(
        (m) => Math.abs(m.temperatureC - room.at(bus.nowUs()).temperatureC) <= 0.2,
        (err: unknown) => isLabError(err, 'ERR_SENSOR_NO_DEVICE') || isLabError(err, 'ERR_SENSOR_BAD_DATA'),
      );
      assert.ok(outcome, `byte ${byte} bit ${bit}`);
      assert.ok((await sht.readStatus()).commandFailed, 'the part saw an unknown command (status bit 1)');
    }
  }
});

test('noisy bus (1 % bit errors, seeded): readings that get through are right', async (t) => {
  const { bus, room } = env2Rig('sht30-noise');
  bus.faults.bitErrors({ rate: 0.01, rng: new SeededRng('sht30-noise-bits'), address: 0x44 });
  const sht = new Sht30Driver(bus);
  const counts = { ok: 0, badData: 0, noDevice: 0 };
  for (let i = 0; i < 300; i++) {
    try {
      const m = await sht.measure();
      const truth = room.at(bus.nowUs());
      assert.ok(Math.abs(m.temperatureC - truth.temperatureC) <= DATASHEET_TOLERANCE.temperatureC);
      assert.ok(
        Math.abs(m.relativeHumidityPct - truth.relativeHumidityPct) <=
          DATASHEET_TOLERANCE.relativeHumidityPct,
      );
      counts.ok++;
    } catch (err) {
      if (isLabError(err, 'ERR_SENSOR_BAD_DATA')) counts.badData++;
      else if (isLabError(err, 'ERR_SENSOR_NO_DEVICE')) counts.noDevice++;
      else throw err;
    }
    await bus.sleep(20_000);
  }
  t.diagnostic(JSON.stringify(counts));
  assert.ok(counts.badData > 0 && counts.ok > 100);
});
