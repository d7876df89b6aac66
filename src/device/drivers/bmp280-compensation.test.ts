import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRng } from '../../core/rng.js';
import {
  BMP280_DATASHEET_CALIBRATION,
  compensatePressureInt64,
  compensateTemperatureInt32,
  encodeCalibration,
} from '../../hardware/env2/index.js';
import {
  type Bmp280Trimming,
  compensatePressureDouble,
  compensatePressureQ24_8,
  compensateTemperature,
  compensateTemperatureDouble,
  decodeTrimming,
} from './bmp280-compensation.js';
import { runDatasheetC } from './bmp280-c-oracle.case.js';

/** BMP280 datasheet §3.12, the worked example's trimming, typed in from the datasheet. */
const DATASHEET: Bmp280Trimming = {
  digT1: 27504,
  digT2: 26435,
  digT3: -1000,
  digP1: 36477,
  digP2: -10685,
  digP3: 3024,
  digP4: 2855,
  digP5: 140,
  digP6: -7,
  digP7: 15500,
  digP8: -14600,
  digP9: 6000,
};

test('§3.12 worked example, integer formulas: adc_T 519888 → 25.08 °C, t_fine 128422; adc_P 415148 → 100653 Pa', () => {
  const t = compensateTemperature(519888, DATASHEET);
  assert.deepEqual(t, { centiCelsius: 2508, tFine: 128422 });
  const q = compensatePressureQ24_8(415148, t.tFine, DATASHEET);
  assert.equal(q, 25767233);
  assert.equal(Math.floor(q / 256), 100653);
  assert.equal((q / 256).toFixed(2), '100653.25');
});

test('§3.12 worked example, double formulas (§8.1): 25.08 °C and 100653.27 Pa', () => {
  const t = compensateTemperatureDouble(519888, DATASHEET);
  assert.equal(t.temperatureC.toFixed(2), '25.08');
  assert.equal(Math.trunc(t.fineTemperature), 128422);
  // The example's table carries t_fine unrounded; the C code truncates it to 128422 (−0.01 Pa).
  assert.equal(compensatePressureDouble(415148, t.fineTemperature, DATASHEET).toFixed(2), '100653.27');
  assert.equal(compensatePressureDouble(415148, 128422, DATASHEET).toFixed(2), '100653.26');
});

test('§3.11.2 Table 17: trimming words are little-endian, T1/P1 unsigned, the rest signed', () => {
  const bytes = new Uint8Array(24);
  bytes.set([0x70, 0x6b], 0); // dig_T1 = 0x6B70 = 27504
  bytes.set([0x18, 0xfc], 4); // dig_T3 = 0xFC18 = -1000
  bytes.set([0xff, 0xff], 6); // dig_P1 = 0xFFFF = 65535 (unsigned)
  bytes.set([0x00, 0x80], 8); // dig_P2 = 0x8000 = -32768
  bytes.set([0xff, 0x7f], 22); // dig_P9 = 32767
  const t = decodeTrimming(bytes);
  assert.deepEqual([t.digT1, t.digT3, t.digP1, t.digP2, t.digP9], [27504, -1000, 65535, -32768, 32767]);
  assert.throws(() => decodeTrimming(new Uint8Array(23)), RangeError);
});

test('decoding the emulator NVM image gives back its trimming', () => {
  assert.deepEqual(decodeTrimming(encodeCalibration(BMP280_DATASHEET_CALIBRATION)), DATASHEET);
});

test('the integer formulas agree with the emulator transcription on random ADC values and trimmings', () => {
  const rng = new SeededRng('bmp280-compensation-oracle');
  for (let i = 0; i < 2000; i++) {
    const trimming = i % 2 === 0 ? DATASHEET : nearby(DATASHEET, rng);
    const adcT = uint(rng, 20);
    const adcP = uint(rng, 20);
    const ours = compensateTemperature(adcT, trimming);
    const theirs = compensateTemperatureInt32(adcT, trimming);
    assert.deepEqual(ours, theirs, `T: adc ${adcT}`);
    assert.equal(
      compensatePressureQ24_8(adcP, ours.tFine, trimming),
      compensatePressureInt64(adcP, theirs.tFine, trimming),
      `P: adc ${adcP}, t_fine ${ours.tFine}`,
    );
  }
});

test('the integer formulas agree with the datasheet C code compiled by cc, overflowing trimmings included', () => {
  const rng = new SeededRng('bmp280-gcc-oracle');
  const cases = Array.from({ length: 3000 }, (_, i) => ({
    // Any 24 bytes: most trimmings overflow int64 somewhere, which -fwrapv makes wrap as ours do.
    trimming: i < 1000 ? DATASHEET : i < 2000 ? nearby(DATASHEET, rng) : decodeTrimming(rng.bytes(24)),
    adcT: uint(rng, 20),
    adcP: uint(rng, 20),
  }));
  const expected = runDatasheetC(cases);
  assert.ok(expected, 'no C compiler (cc): run "bash scripts/setup-system.sh" first');
  cases.forEach(({ trimming, adcT, adcP }, i) => {
    const { centiCelsius, tFine } = compensateTemperature(adcT, trimming);
    const q = compensatePressureQ24_8(adcP, tFine, trimming);
    assert.deepEqual([centiCelsius, tFine, q], expected[i], `case ${i}: adc_T ${adcT}, adc_P ${adcP}`);
  });
});

function uint(rng: SeededRng, bits: number): number {
  return Buffer.from(rng.bytes(4)).readUInt32BE() % 2 ** bits;
}

/** A plausible other part: each word within ±10 % of `base`. */
function nearby(base: Bmp280Trimming, rng: SeededRng): Bmp280Trimming {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(base)) {
    const signed = k !== 'digT1' && k !== 'digP1';
    const [lo, hi] = signed ? [-32768, 32767] : [0, 65535];
    out[k] = Math.min(hi, Math.max(lo, Math.round(v * (0.9 + (uint(rng, 16) / 65535) * 0.2))));
  }
  return out as unknown as Bmp280Trimming;
}
