import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { Bmp280 } from './bmp280.js';
import {
  BMP280_DATASHEET_CALIBRATION as CAL,
  compensatePressureDouble,
  compensatePressureInt32,
  compensatePressureInt64,
  compensateTemperatureDouble,
  compensateTemperatureInt32,
  encodeCalibration,
} from './bmp280-compensation.js';
import { BMP280_REG, measurementUs } from './bmp280-registers.js';
import type { AmbientConditions, AmbientSource } from './environment.js';

function still(
  ambient: Partial<AmbientConditions> = {},
): AmbientSource & { set(a: Partial<AmbientConditions>): void } {
  let now: AmbientConditions = {
    temperatureC: 22.5,
    relativeHumidityPct: 45,
    pressureHpa: 1008.4,
    ...ambient,
  };
  return {
    at: () => now,
    noise: () => 0,
    set: (a) => {
      now = { ...now, ...a };
    },
  };
}

const T0 = 5_000; // after the 2 ms start-up

function readRegs(dev: Bmp280, reg: number, n: number, t: number): Uint8Array {
  assert.equal(dev.write(new Uint8Array([reg]), t), true);
  const r = dev.read(n, t);
  assert.ok(r);
  return r;
}

/** A firmware driver's burst read of 0xF7…0xFC (§3.9). */
function readAdc(dev: Bmp280, t: number): { adcP: number; adcT: number } {
  const b = readRegs(dev, BMP280_REG.pressMsb, 6, t);
  return {
    adcP: (b[0]! << 12) | (b[1]! << 4) | (b[2]! >> 4),
    adcT: (b[3]! << 12) | (b[4]! << 4) | (b[5]! >> 4),
  };
}

/** ctrl_meas = osrs_t[7:5] | osrs_p[4:2] | mode[1:0]. */
const ctrl = (osrsT: number, osrsP: number, mode: number) => (osrsT << 5) | (osrsP << 2) | mode;

test('chip id 0x58 at 0xD0; the register pointer auto-increments', () => {
  const dev = new Bmp280({ environment: still() });
  assert.deepEqual([...readRegs(dev, BMP280_REG.id, 1, T0)], [0x58]);
  assert.equal(dev.read(1, T0)![0], 0x00, 'the next read continues at 0xD1');
});

test('start-up: NACK during the first 2 ms after power-on', () => {
  const dev = new Bmp280({ environment: still(), poweredAtUs: 1_000 });
  assert.equal(dev.write(new Uint8Array([0xd0]), 2_999), false);
  assert.equal(dev.read(1, 2_999), null);
  assert.equal(dev.write(new Uint8Array([0xd0]), 3_000), true);
});

test('calibration burst read 0x88…0xA1: the trimming in little-endian, then 2 reserved bytes', () => {
  const dev = new Bmp280({ environment: still() });
  const bytes = readRegs(dev, BMP280_REG.calib00, 26, T0);
  assert.deepEqual(bytes.subarray(0, 24), encodeCalibration(CAL));
  assert.deepEqual([...bytes.subarray(24)], [0, 0]);
  const other = { ...CAL, digT1: 28000 };
  const dev2 = new Bmp280({ environment: still(), calibration: other });
  const b2 = readRegs(dev2, BMP280_REG.calib00, 2, T0);
  assert.equal(b2[0]! | (b2[1]! << 8), 28000);
});

test('reset state: sleep, ctrl_meas = config = 0, data registers 0x80000', () => {
  const dev = new Bmp280({ environment: still() });
  assert.deepEqual([...readRegs(dev, BMP280_REG.status, 3, T0)], [0, 0, 0]);
  assert.deepEqual([...readRegs(dev, BMP280_REG.pressMsb, 6, T0)], [0x80, 0, 0, 0x80, 0, 0]);
});

test('measurement time follows §3.8.1 Table 13 (maximum column)', () => {
  assert.equal(measurementUs(ctrl(1, 1, 1)), 6_425); // ultra low power: 6.4 ms
  assert.equal(measurementUs(ctrl(1, 3, 1)), 13_325); // standard resolution: 13.3 ms
  assert.equal(measurementUs(ctrl(2, 5, 1)), 43_225); // ultra high resolution: 43.2 ms
  assert.equal(measurementUs(ctrl(1, 0, 1)), 3_550, 'pressure skipped');
});

test('forced mode: measuring bit for the conversion time, then data and back to sleep', () => {
  const dev = new Bmp280({ environment: still() });
  const c = ctrl(2, 5, 1);
  dev.write(new Uint8Array([BMP280_REG.ctrlMeas, c]), T0);
  assert.equal(readRegs(dev, BMP280_REG.status, 1, T0 + 100)[0], 0x08);
  assert.deepEqual(readAdc(dev, T0 + 43_224), { adcP: 0x80000, adcT: 0x80000 }, 'old data while converting');
  assert.equal(readRegs(dev, BMP280_REG.status, 1, T0 + 43_225)[0], 0x00);
  assert.equal(readRegs(dev, BMP280_REG.ctrlMeas, 1, T0 + 43_225)[0], c & ~0b11, 'mode bits back to 00');
  const { adcP, adcT } = readAdc(dev, T0 + 50_000);
  const t = compensateTemperatureInt32(adcT, CAL);
  assert.equal(t.centiCelsius, 2250);
  assert.equal((compensatePressureInt64(adcP, t.tFine, CAL) / 25600).toFixed(1), '1008.4');
});

test('round trip: room → raw ADC → each datasheet formula, within the quantisation step', () => {
  const env = still();
  for (const [osrs, bits] of [
    [1, 16],
    [2, 17],
    [3, 18],
    [4, 19],
    [5, 20],
  ] as const) {
    for (const [c, hpa] of [
      [-12.3, 955.2],
      [4.56, 1031.7],
      [22.5, 1008.4],
      [37.01, 987.65],
    ] as const) {
      env.set({ temperatureC: c, pressureHpa: hpa });
      const dev = new Bmp280({ environment: env });
      dev.write(new Uint8Array([BMP280_REG.ctrlMeas, ctrl(osrs, osrs, 1)]), T0);
      const { adcT, adcP } = readAdc(dev, T0 + 100_000);
      const step = 1 << (20 - bits);
      assert.equal(adcT % step, 0, `${bits}-bit temperature`);
      assert.equal(adcP % step, 0, `${bits}-bit pressure`);
      const d = compensateTemperatureDouble(adcT, CAL);
      const stepC = compensateTemperatureDouble(adcT + step, CAL).temperatureC - d.temperatureC;
      assert.ok(Math.abs(d.temperatureC - c) <= stepC / 2 + 1e-9, `T ${c} at ${bits} bits`);
      assert.ok(Math.abs(compensateTemperatureInt32(adcT, CAL).centiCelsius / 100 - c) <= stepC / 2 + 0.01);
      const p = compensatePressureDouble(adcP, d.tFine, CAL);
      const stepPa = Math.abs(compensatePressureDouble(adcP + step, d.tFine, CAL) - p);
      // t_fine from the quantised temperature shifts the pressure by a fraction of its own step.
      assert.ok(Math.abs(p - hpa * 100) <= stepPa / 2 + 0.05, `P ${hpa} at ${bits} bits: ${p}`);
      const p64 = compensatePressureInt64(adcP, d.tFine, CAL) / 256;
      assert.ok(Math.abs(p64 - hpa * 100) <= stepPa / 2 + 0.05, `P64 ${hpa} at ${bits} bits: ${p64}`);
      // An all-integer driver: §3.11.3's temperature drops adc_T's low bits in var2, so its t_fine
      // is a few units (≤ 1/400 °C) off and moves the pressure by up to ~0.5 Pa more.
      const fine = compensateTemperatureInt32(adcT, CAL).tFine;
      assert.ok(Math.abs(compensatePressureInt64(adcP, fine, CAL) / 256 - hpa * 100) <= stepPa / 2 + 0.5);
      // §8.2's 32-bit pressure is the coarsest of the three (100656 vs 100653.27 Pa in §3.12).
      assert.ok(Math.abs(compensatePressureInt32(adcP, fine, CAL) - hpa * 100) <= stepPa / 2 + 5);
    }
  }
});

test('normal mode: cycles of t_meas + t_standby; the IIR filter approaches a step change', () => {
  const env = still({ temperatureC: 20 });
  const dev = new Bmp280({ environment: env });
  // config: t_sb = 000 (0.5 ms), filter = 100 (coefficient 16)
  dev.write(new Uint8Array([BMP280_REG.config, 0b000_100_00, BMP280_REG.ctrlMeas, ctrl(1, 1, 3)]), T0);
  const cycle = measurementUs(ctrl(1, 1, 3)) + 500;
  assert.equal(readRegs(dev, BMP280_REG.status, 1, T0 + 10)[0], 0x08, 'measuring');
  assert.equal(readRegs(dev, BMP280_REG.status, 1, T0 + cycle - 100)[0], 0x00, 'standby');
  const first = compensateTemperatureDouble(readAdc(dev, T0 + 10 * cycle).adcT, CAL).temperatureC;
  assert.ok(Math.abs(first - 20) < 0.001);
  env.set({ temperatureC: 30 });
  // One more conversion: the filter moves 1/16 of the way (§3.3.3).
  const after1 = readAdc(dev, T0 + 11 * cycle).adcT;
  const t1 = compensateTemperatureDouble(after1, CAL).temperatureC;
  assert.ok(Math.abs(t1 - (20 + 10 / 16)) < 0.01, `one step: ${t1}`);
  const later = compensateTemperatureDouble(readAdc(dev, T0 + 200 * cycle).adcT, CAL).temperatureC;
  assert.ok(Math.abs(later - 30) < 0.01, `converged: ${later}`);
});

test('a skipped measurement (osrs = 000) reads 0x80000', () => {
  const dev = new Bmp280({ environment: still() });
  dev.write(new Uint8Array([BMP280_REG.ctrlMeas, ctrl(1, 0, 1)]), T0);
  const { adcP, adcT } = readAdc(dev, T0 + 10_000);
  assert.equal(adcP, 0x80000);
  assert.notEqual(adcT, 0x80000);
});

test('soft reset 0xE0 ← 0xB6: start-up again, registers back to reset values; other words ignored', () => {
  const dev = new Bmp280({ environment: still() });
  dev.write(new Uint8Array([BMP280_REG.config, 0xa0, BMP280_REG.ctrlMeas, ctrl(1, 1, 3)]), T0);
  dev.write(new Uint8Array([BMP280_REG.reset, 0x42]), T0 + 10);
  assert.equal(readRegs(dev, BMP280_REG.config, 1, T0 + 20)[0], 0xa0, '0x42 is not the reset word');
  dev.write(new Uint8Array([BMP280_REG.reset, 0xb6]), T0 + 100_000);
  assert.equal(dev.write(new Uint8Array([BMP280_REG.id]), T0 + 101_000), false);
  assert.deepEqual([...readRegs(dev, BMP280_REG.status, 3, T0 + 102_100)], [0, 0, 0]);
  assert.deepEqual(readAdc(dev, T0 + 200_000), { adcP: 0x80000, adcT: 0x80000 });
  assert.equal(readRegs(dev, BMP280_REG.reset, 1, T0 + 200_000)[0], 0, 'reset reads 0x00');
});

test('writes to read-only registers are ignored', () => {
  const dev = new Bmp280({ environment: still() });
  dev.write(new Uint8Array([BMP280_REG.id, 0x00, BMP280_REG.calib00, 0xff]), T0);
  assert.equal(readRegs(dev, BMP280_REG.id, 1, T0)[0], 0x58);
  assert.equal(readRegs(dev, BMP280_REG.calib00, 1, T0)[0], 0x70);
});

test('options are validated (calibration ranges, unknown keys)', () => {
  assert.throws(
    () => new Bmp280({ environment: still(), calibration: { ...CAL, digP1: 70000 } }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => new Bmp280({ environment: still(), address: 0x77 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});
