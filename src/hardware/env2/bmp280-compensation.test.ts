import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertCalibration,
  BMP280_DATASHEET_CALIBRATION as CAL,
  compensatePressureDouble,
  compensatePressureInt32,
  compensatePressureInt64,
  compensateTemperatureDouble,
  compensateTemperatureInt32,
  decodeCalibration,
  encodeCalibration,
  pressureToAdc,
  temperatureToAdc,
} from './bmp280-compensation.js';

test('§3.12 worked example: adc_T = 519888 → 25.08 °C, t_fine = 128422', () => {
  assert.deepEqual(compensateTemperatureInt32(519888, CAL), { centiCelsius: 2508, tFine: 128422 });
  const d = compensateTemperatureDouble(519888, CAL);
  assert.equal(d.temperatureC.toFixed(2), '25.08');
  assert.equal(d.tFine, 128422);
});

test('§3.12 worked example: adc_P = 415148 → 100653.27 Pa', () => {
  // The example's table carries t_fine unrounded (var1 = t_fine/2 − 64000 = 211.1435029).
  const exactFine = 5120 * compensateTemperatureDouble(519888, CAL).temperatureC;
  assert.equal((exactFine / 2 - 64000).toFixed(7), '211.1435029');
  assert.equal(compensatePressureDouble(415148, exactFine, CAL).toFixed(2), '100653.27');
  // The C code passes t_fine as a 32-bit integer: the same reading within 0.01 Pa.
  assert.ok(Math.abs(compensatePressureDouble(415148, 128422, CAL) - 100653.27) < 0.015);
  const q248 = compensatePressureInt64(415148, 128422, CAL);
  assert.equal(q248, 25767233);
  assert.ok(Math.abs(q248 / 256 - 100653.27) < 0.02);
  // §8.2's 32-bit version trades accuracy for speed: a few Pa off on this reading.
  assert.equal(compensatePressureInt32(415148, 128422, CAL), 100656);
});

test('integer formulas agree with the datasheet C code compiled by gcc (incl. U32 wrap)', () => {
  // [adc_T, adc_P, T (0.01 °C), t_fine, P int64 (Q24.8), P int32 (Pa)]: the datasheet's functions
  // with int32_t/uint32_t/int64_t, gcc -O0 on x86-64, calibration of §3.12.
  const vectors = [
    [519888, 415148, 2508, 128422, 25767233, 100656],
    [400000, 300000, -1264, -64736, 29090514, 113636],
    [600000, 500000, 5011, 256562, 22864454, 89316],
    [300000, 200000, -4436, -227131, 31598877, 123437],
    [700000, 600000, 8115, 415464, 19120829, 74690],
    [510000, 330000, 2198, 112554, 29398162, 114838],
    [123456, 654321, -10091, -516671, 12625570, 64415],
    [1000, 1048000, -14055, -719637, 4294072199, 231570],
    [1048575, 0, 18755, 960246, 55536661, 175418],
  ] as const;
  for (const [adcT, adcP, t, fine, p64, p32] of vectors) {
    const r = compensateTemperatureInt32(adcT, CAL);
    assert.deepEqual([r.centiCelsius, r.tFine], [t, fine], `T for ${adcT}`);
    assert.equal(compensatePressureInt64(adcP, fine, CAL), p64, `P64 for ${adcP}`);
    assert.equal(compensatePressureInt32(adcP, fine, CAL), p32, `P32 for ${adcP}`);
  }
});

test('calibration registers 0x88–0x9F: little-endian, T1/P1 unsigned, others signed', () => {
  const bytes = encodeCalibration(CAL);
  assert.equal(bytes.length, 24);
  assert.deepEqual([...bytes.subarray(0, 6)], [0x70, 0x6b, 0x43, 0x67, 0x18, 0xfc]); // 27504, 26435, -1000
  assert.deepEqual([...bytes.subarray(6, 8)], [0x7d, 0x8e]); // dig_P1 = 36477 = 0x8E7D, above 0x7FFF
  assert.deepEqual([...bytes.subarray(22, 24)], [0x70, 0x17]); // dig_P9 = 6000
  assert.deepEqual(decodeCalibration(bytes), CAL);
  assert.throws(() => assertCalibration({ ...CAL, digT2: 40000 }), RangeError);
  assert.throws(() => assertCalibration({ ...CAL, digP1: -1 }), RangeError);
});

test('the inverse formulas undo §8.1 over the operating range', () => {
  assert.ok(
    Math.abs(temperatureToAdc(compensateTemperatureDouble(519888, CAL).temperatureC, CAL) - 519888) < 1e-6,
  );
  for (let c = -40; c <= 85; c += 2.5) {
    const adcT = temperatureToAdc(c, CAL);
    const fine = 5120 * c;
    assert.ok(Math.abs(compensateTemperatureDouble(adcT, CAL).temperatureC - c) < 1e-9, `T ${c}`);
    for (let hpa = 300; hpa <= 1100; hpa += 50) {
      const adcP = pressureToAdc(hpa * 100, fine, CAL);
      assert.ok(adcP > 0 && adcP < 1 << 20, `adc_P in range at ${c} °C ${hpa} hPa`);
      assert.ok(Math.abs(compensatePressureDouble(adcP, fine, CAL) - hpa * 100) < 1e-6, `P ${hpa}`);
    }
  }
  // A part with dig_T3 = 0 has a linear temperature curve; the inverse must not divide by zero.
  const linear = { ...CAL, digT3: 0 };
  assert.ok(
    Math.abs(compensateTemperatureDouble(temperatureToAdc(21.5, linear), linear).temperatureC - 21.5) < 1e-9,
  );
});
