import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { BMP280_DATASHEET_CALIBRATION, encodeCalibration } from '../../hardware/env2/index.js';
import { Bmp280Driver, type Bmp280DriverOptions } from './bmp280.js';
import { DATASHEET_TOLERANCE, env2Rig, RegisterFile } from './sensor-rig.case.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Another plausible part's trimming, so the driver is not only right for the datasheet's. */
const OTHER_PART = {
  digT1: 28009,
  digT2: 25654,
  digT3: 50,
  digP1: 39064,
  digP2: -10600,
  digP3: 3008,
  digP4: 2613,
  digP5: -1,
  digP6: -7,
  digP7: 15500,
  digP8: -14600,
  digP9: 6000,
};

async function accuracy(
  options: Bmp280DriverOptions,
  seed: string,
  calibration = BMP280_DATASHEET_CALIBRATION,
) {
  const { bus, room } = env2Rig(seed, calibration);
  const bmp = new Bmp280Driver(bus, options);
  await bmp.begin();
  let maxP = 0;
  let maxT = 0;
  for (let i = 0; i < 240; i++) {
    const m = await bmp.measure();
    const truth = room.at(bus.nowUs());
    maxP = Math.max(maxP, Math.abs(m.pressurePa / 100 - truth.pressureHpa));
    maxT = Math.max(maxT, Math.abs(m.temperatureC - truth.temperatureC));
    await bus.sleep(6 * 60 * 1e6);
  }
  return { maxP, maxT };
}

const CASES: [string, Bmp280DriverOptions, typeof BMP280_DATASHEET_CALIBRATION][] = [
  ['forced ×1/×1 (weather monitoring), datasheet trimming', {}, BMP280_DATASHEET_CALIBRATION],
  ['forced ×1/×1, another part', {}, OTHER_PART],
  [
    'normal ×16/×2, IIR 16, 0.5 ms standby (indoor navigation)',
    { mode: 'normal', pressureOversampling: 16, temperatureOversampling: 2, filter: 16, standbyMs: 0.5 },
    BMP280_DATASHEET_CALIBRATION,
  ],
];
for (const [name, options, calibration] of CASES) {
  test(`measure, ${name}: within ±1 hPa of the room model over 24 h`, async (t) => {
    const { maxP, maxT } = await accuracy(options, `bmp280-${name}`, calibration);
    t.diagnostic(`max |ΔP| = ${maxP.toFixed(4)} hPa, max |ΔT| = ${maxT.toFixed(4)} °C over 240 readings`);
    assert.ok(maxP <= DATASHEET_TOLERANCE.pressureHpa, `ΔP ${maxP}`);
    assert.ok(maxT <= DATASHEET_TOLERANCE.bmpTemperatureC, `ΔT ${maxT}`);
  });
}

test('tap, begin: chip id at 0xD0, trimming burst at 0x88 (twice), sleep → config → read-back', async () => {
  const { bus, tap } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  await bmp.begin();
  assert.deepEqual(bmp.trimming, BMP280_DATASHEET_CALIBRATION);
  const calib = hex(encodeCalibration(BMP280_DATASHEET_CALIBRATION));
  assert.deepEqual(
    tap.records().map((r) => `${r.direction[0]} ${r.address.toString(16)} ${hex(r.bytes)}`),
    [
      'w 76 d0',
      'r 76 58', // §4.3.1 chip id
      'w 76 88',
      `r 76 ${calib}`,
      'w 76 88',
      `r 76 ${calib}`,
      'w 76 f424', // ctrl_meas: osrs_t ×1, osrs_p ×1, sleep
      'w 76 f5a0', // config: t_sb 1000 ms, filter off
      'w 76 f4',
      'r 76 24a0',
    ],
  );
  assert.ok(tap.records().every((r) => r.ack));
});

test('tap, forced measure: trigger 0x25, read-back, wait t_meas max (6.425 ms), status, two bursts 0xF7…0xFC', async () => {
  const { bus, tap } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  await bmp.begin();
  tap.clear();
  const m = await bmp.measure();
  const records = tap.records();
  assert.deepEqual(
    records.map((r) => `${r.direction[0]} ${r.direction === 'write' ? hex(r.bytes) : r.bytes.length}`),
    ['w f425', 'w f4', 'r 1', 'w f3', 'r 1', 'w f7', 'r 6', 'w f7', 'r 6'],
  );
  const trigger = records[0]!;
  const status = records[3]!;
  assert.ok(status.timeUs - (trigger.timeUs + trigger.durationUs) >= 6_425, '§3.8.1 Table 13, ×1/×1 max');
  assert.equal(records[4]!.bytes[0]! & 0x08, 0, 'not measuring any more');
  const burst = records[6]!.bytes;
  assert.equal(m.adcP, (burst[0]! << 12) | (burst[1]! << 4) | (burst[2]! >> 4));
  assert.equal(m.adcT, (burst[3]! << 12) | (burst[4]! << 4) | (burst[5]! >> 4));
});

test('tap, normal mode: configured once, then each measure is bursts of the data registers only', async () => {
  const { bus, tap } = env2Rig();
  const bmp = new Bmp280Driver(bus, { mode: 'normal', standbyMs: 62.5 });
  await bmp.begin();
  assert.deepEqual(
    tap
      .records()
      .filter((r) => r.direction === 'write' && r.bytes.length === 2)
      .map((r) => hex(r.bytes)),
    ['f424', 'f520', 'f427'],
  );
  tap.clear();
  await bmp.measure();
  assert.deepEqual(
    tap.records().map((r) => `${r.direction[0]} ${r.direction === 'write' ? hex(r.bytes) : r.bytes.length}`),
    ['w f7', 'r 6', 'w f7', 'r 6'],
  );
});

test('measure before begin runs begin first', async () => {
  const { bus } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  const m = await bmp.measure();
  assert.ok(m.pressurePa > 90_000);
  assert.ok(bmp.trimming !== undefined);
});

test('soft reset 0xB6 to 0xE0: the part forgets its configuration, the driver reconfigures it', async () => {
  const { bus, tap } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  await bmp.begin();
  tap.clear();
  await bmp.reset();
  assert.equal(hex(tap.records()[0]!.bytes), 'e0b6');
  await bmp.measure();
  assert.equal(hex(tap.records()[1]!.bytes), 'f424', 'configured again before the trigger');
});

test('options are strict', () => {
  const { bus } = env2Rig();
  assert.throws(() => new Bmp280Driver(bus, { oversampling: 2 } as never), code('ERR_OPTIONS_UNKNOWN_KEY'));
  assert.throws(
    () => new Bmp280Driver(bus, { pressureOversampling: 3 as never }),
    code('ERR_OPTIONS_INVALID'),
  );
  assert.throws(() => new Bmp280Driver(bus, { address: 0x75 as never }), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => new Bmp280Driver(bus, { standbyMs: 100 as never }), code('ERR_OPTIONS_INVALID'));
});

test('a part with another chip id (a BME280 says 0x60) is ERR_SENSOR_BAD_DATA', async () => {
  const { bus } = env2Rig();
  bus.detach(0x76);
  const bme = new RegisterFile().set(0xd0, [0x60]).set(0x88, encodeCalibration(BMP280_DATASHEET_CALIBRATION));
  bus.attach(0x76, bme);
  await assert.rejects(new Bmp280Driver(bus).begin(), (err) => {
    assert.ok(isLabError(err, 'ERR_SENSOR_BAD_DATA'));
    assert.equal(err.details.chipId, 0x60);
    return true;
  });
});

test('an erased trimming (dig_P1 = 0) is ERR_SENSOR_BAD_DATA', async () => {
  const { bus } = env2Rig();
  bus.detach(0x76);
  bus.attach(0x76, new RegisterFile().set(0xd0, [0x58]));
  await assert.rejects(new Bmp280Driver(bus).begin(), code('ERR_SENSOR_BAD_DATA'));
});

test('data registers at their reset value 0x80000 ("no measurement") are ERR_SENSOR_BAD_DATA', async () => {
  const { bus } = env2Rig();
  bus.detach(0x76);
  const part = new RegisterFile()
    .set(0xd0, [0x58])
    .set(0x88, encodeCalibration(BMP280_DATASHEET_CALIBRATION))
    .set(0xf7, [0x80, 0x00, 0x00, 0x80, 0x00, 0x00]);
  bus.attach(0x76, part);
  const bmp = new Bmp280Driver(bus, { mode: 'normal' });
  await bmp.begin();
  await assert.rejects(bmp.measure(), code('ERR_SENSOR_BAD_DATA'));
  // The §3.12 example's raw values are a reading (25.08 °C, 1006.53 hPa).
  part.set(0xf7, [0x65, 0x5a, 0xc0, 0x7e, 0xed, 0x00]);
  const m = await bmp.measure();
  assert.deepEqual(
    [m.adcP, m.adcT, m.temperatureC, Math.floor(m.pressurePa)],
    [415148, 519888, 25.08, 100653],
  );
  // A raw value that compensates to 1616 hPa is outside the part's 300…1100 hPa: not a reading.
  part.set(0xf7, [0x10, 0x00, 0x00]);
  await assert.rejects(bmp.measure(), code('ERR_SENSOR_BAD_DATA'));
});

test('unplugged BMP280: ERR_SENSOR_NO_DEVICE from begin and measure', async () => {
  const { bus } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  bus.faults.unplug(0x76);
  await assert.rejects(bmp.begin(), code('ERR_SENSOR_NO_DEVICE'));
  bus.faults.replug(0x76);
  await bmp.begin();
  bus.faults.unplug(0x76);
  await assert.rejects(bmp.measure(), code('ERR_SENSOR_NO_DEVICE'));
  bus.faults.replug(0x76);
  await bmp.measure();
});

test('every single-bit error in the bytes measure reads is ERR_SENSOR_BAD_DATA; the next measure is right', async () => {
  const { bus, room } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  await bmp.begin();
  for (let byte = 0; byte < 6; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      bus.faults.flipBit({ direction: 'read', address: 0x76, byte, bit });
      await assert.rejects(bmp.measure(), code('ERR_SENSOR_BAD_DATA'), `byte ${byte} bit ${bit}`);
      const m = await bmp.measure();
      assert.ok(Math.abs(m.pressurePa / 100 - room.at(bus.nowUs()).pressureHpa) <= 1);
    }
  }
});

test('every single-bit error in the bytes measure writes is ERR_SENSOR_BAD_DATA; the next measure is right', async () => {
  const { bus, room } = env2Rig();
  const bmp = new Bmp280Driver(bus);
  await bmp.begin();
  for (let byte = 0; byte < 2; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      bus.faults.flipBit({ direction: 'write', address: 0x76, byte, bit });
      await assert.rejects(bmp.measure(), code('ERR_SENSOR_BAD_DATA'), `byte ${byte} bit ${bit}`);
      const m = await bmp.measure();
      assert.ok(Math.abs(m.pressurePa / 100 - room.at(bus.nowUs()).pressureHpa) <= 1);
    }
  }
});

test('every single-bit error in the chip id or trimming read by begin is ERR_SENSOR_BAD_DATA', async () => {
  for (let byte = 0; byte < 24; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const { bus } = env2Rig();
      bus.faults.flipBit({ direction: 'read', address: 0x76, byte, bit });
      await assert.rejects(
        new Bmp280Driver(bus).begin(),
        code('ERR_SENSOR_BAD_DATA'),
        `byte ${byte} bit ${bit}`,
      );
    }
  }
});

test('noisy bus (0.5 % bit errors both ways, seeded): readings that get through are right', async (t) => {
  const { bus, room } = env2Rig('bmp280-noise');
  const bmp = new Bmp280Driver(bus);
  await bmp.begin();
  bus.faults.bitErrors({ rate: 0.005, rng: new SeededRng('bmp280-noise-bits'), address: 0x76 });
  const counts = { ok: 0, badData: 0 };
  for (let i = 0; i < 300; i++) {
    try {
      const m = await bmp.measure();
      assert.ok(
        Math.abs(m.pressurePa / 100 - room.at(bus.nowUs()).pressureHpa) <= DATASHEET_TOLERANCE.pressureHpa,
      );
      counts.ok++;
    } catch (err) {
      if (!isLabError(err, 'ERR_SENSOR_BAD_DATA')) throw err;
      counts.badData++;
    }
    await bus.sleep(50_000);
  }
  t.diagnostic(JSON.stringify(counts));
  assert.ok(counts.badData > 0 && counts.ok > 100);
});
