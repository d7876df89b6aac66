import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import {
  BMP280_DATASHEET_CALIBRATION as cal,
  compensatePressureDouble,
  compensateTemperatureDouble,
} from './bmp280-compensation.js';
import { BMP280_REG } from './bmp280-registers.js';
import { createEnv2Unit } from './env2-unit.js';
import { Environment, gaussian, saturationHpa } from './environment.js';
import { rawToCelsius, rawToRelativeHumidity } from './sht30-protocol.js';

const MIN = 60_000_000;
const HOUR = 60 * MIN;

test('same seed → same conditions, whatever order they are asked in', () => {
  const a = new Environment({ rng: new SeededRng('lab') });
  const b = new Environment({ rng: new SeededRng('lab') });
  const times = Array.from({ length: 50 }, (_, i) => i * 17 * MIN + 12_345);
  const forward = times.map((t) => a.at(t));
  const backward = [...times].reverse().map((t) => b.at(t));
  assert.deepEqual(forward, backward.reverse());
  assert.deepEqual(
    Array.from({ length: 5 }, () => a.noise(1)),
    Array.from({ length: 5 }, () => b.noise(1)),
  );
  const c = new Environment({ rng: new SeededRng('other') });
  assert.notDeepEqual(c.at(HOUR), a.at(HOUR));
});

test('plausible indoor ranges over three days, a daily cycle, anti-correlated RH', () => {
  const env = new Environment({ rng: new SeededRng('ranges') });
  const at3 = [] as number[];
  const at15 = [] as number[];
  for (let t = 0; t < 72 * HOUR; t += 10 * MIN) {
    const { temperatureC, relativeHumidityPct, pressureHpa } = env.at(t);
    assert.ok(temperatureC > 14 && temperatureC < 28, `T ${temperatureC}`);
    assert.ok(relativeHumidityPct > 20 && relativeHumidityPct < 80, `RH ${relativeHumidityPct}`);
    assert.ok(pressureHpa > 990 && pressureHpa < 1037, `P ${pressureHpa}`);
    const hour = (9 + t / HOUR) % 24;
    if (hour === 3) at3.push(temperatureC);
    if (hour === 15) at15.push(temperatureC);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(mean(at15) > mean(at3), 'afternoon warmer than night');
  // Dew point held, temperature up → RH down.
  const env2 = new Environment({ rng: new SeededRng('x'), dailyAmplitudeC: 5 });
  assert.ok(env2.at(6 * HOUR).relativeHumidityPct < env2.at(18 * HOUR).relativeHumidityPct);
});

test('continuous in time: one second apart, the drift is tiny', () => {
  const env = new Environment({ rng: new SeededRng('smooth') });
  const a = env.at(5 * HOUR);
  const b = env.at(5 * HOUR + 1_000_000);
  assert.ok(Math.abs(a.temperatureC - b.temperatureC) < 0.01);
  assert.ok(Math.abs(a.pressureHpa - b.pressureHpa) < 0.01);
});

test('altitude lowers the station pressure (barometric formula: ~12 hPa per 100 m near sea level)', () => {
  const sea = new Environment({ rng: new SeededRng('alt') }).at(HOUR).pressureHpa;
  const up = new Environment({ rng: new SeededRng('alt'), altitudeM: 100 }).at(HOUR).pressureHpa;
  assert.ok(sea - up > 11 && sea - up < 13, `${sea - up}`);
});

test('helpers: Magnus saturation pressure and the normal variate', () => {
  assert.equal(saturationHpa(0).toFixed(2), '6.11');
  assert.equal(saturationHpa(20).toFixed(1), '23.3');
  const rng = new SeededRng('g');
  const xs = Array.from({ length: 4000 }, () => gaussian(rng));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
  assert.ok(Math.abs(mean) < 0.06 && Math.abs(sd - 1) < 0.05, `${mean} ${sd}`);
});

test('bad times and options are rejected', () => {
  const env = new Environment({ rng: new SeededRng('e') });
  assert.throws(() => env.at(-1), RangeError);
  assert.throws(() => env.at(Number.NaN), RangeError);
  assert.throws(
    () => new Environment({ rng: new SeededRng('e'), meanTemp: 20 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  assert.throws(
    () => new Environment({ rng: new SeededRng('e'), startHour: 24 }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
});

/** What a firmware does with the unit: SHT30 single shot, BMP280 forced, both compensated. */
function readUnit(seed: string, tUs: number) {
  const env = new Environment({ rng: new SeededRng(seed) });
  const { sht30, bmp280 } = createEnv2Unit({ environment: env });
  sht30.write(new Uint8Array([0x24, 0x00]), tUs);
  const s = sht30.read(6, tUs + 20_000)!;
  bmp280.write(new Uint8Array([BMP280_REG.ctrlMeas, 0b101_101_01]), tUs);
  bmp280.write(new Uint8Array([BMP280_REG.pressMsb]), tUs + 100_000);
  const b = bmp280.read(6, tUs + 100_000)!;
  const adcP = (b[0]! << 12) | (b[1]! << 4) | (b[2]! >> 4);
  const adcT = (b[3]! << 12) | (b[4]! << 4) | (b[5]! >> 4);
  return { s: [...s], b: [...b], adcP, adcT, env };
}

test('one shared room: SHT30 and BMP280 agree; the same seed gives the same bytes', () => {
  const t = 3 * HOUR;
  const first = readUnit('unit', t);
  const again = readUnit('unit', t);
  assert.deepEqual(again.s, first.s);
  assert.deepEqual(again.b, first.b);
  assert.notDeepEqual(readUnit('other', t).s, first.s);
  const shtC = rawToCelsius((first.s[0]! << 8) | first.s[1]!);
  const rh = rawToRelativeHumidity((first.s[3]! << 8) | first.s[4]!);
  const bmp = compensateTemperatureDouble(first.adcT, cal);
  const hpa = compensatePressureDouble(first.adcP, bmp.tFine, cal) / 100;
  const truth = first.env.at(t);
  assert.ok(Math.abs(shtC - bmp.temperatureC) < 0.1, `${shtC} vs ${bmp.temperatureC}`);
  assert.ok(Math.abs(shtC - truth.temperatureC) < 0.1);
  assert.ok(Math.abs(rh - truth.relativeHumidityPct) < 0.3);
  assert.ok(Math.abs(hpa - truth.pressureHpa) < 0.1);
});
