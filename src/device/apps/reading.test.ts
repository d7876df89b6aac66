import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedClock } from '../../core/clock.js';
import { isLabError } from '../../core/errors.js';
import { Bmp280Driver, Sht30Driver } from '../drivers/index.js';
import { env2Rig } from '../drivers/sensor-rig.case.js';
import { encodeReading, MAX_READING_BYTES, parseReading, readEnv } from './reading.js';

const code = (c: string) => (err: unknown) => isLabError(err) && err.code === c;
const reason = (r: string) => (err: unknown) =>
  isLabError(err, 'ERR_TELEMETRY_MALFORMED') && err.details.reason === r;

const CLOCK = new FixedClock('2025-03-14T09:00:00.000Z');
const INPUT = { deviceId: 'm5go-01', seq: 42, temperature: 21.37, humidity: 45.2, pressure: 1013.42 };
const GOOD = {
  deviceId: 'm5go-01',
  seq: 42,
  timestamp: '2025-03-14T09:00:00.000Z',
  temperature: 21.37,
  humidity: 45.2,
  pressure: 1013.42,
};

test('readEnv: temperature and humidity from the SHT30, pressure from the BMP280, rounded', async () => {
  const sht = { measure: async () => ({ temperatureC: 21.456, relativeHumidityPct: 45.26 }) };
  const bmp = { measure: async () => ({ pressurePa: 101_325.4, temperatureC: 99 }) };
  assert.deepEqual(await readEnv(sht, bmp), { temperature: 21.46, humidity: 45.3, pressure: 1013.25 });
});

test('readEnv on the emulated ENV II agrees with the room', async () => {
  const { bus, room } = env2Rig('reading');
  const env = await readEnv(new Sht30Driver(bus), new Bmp280Driver(bus));
  const truth = room.at(bus.nowUs());
  assert.ok(Math.abs(env.temperature - truth.temperatureC) <= 0.2);
  assert.ok(Math.abs(env.humidity - truth.relativeHumidityPct) <= 2);
  assert.ok(Math.abs(env.pressure - truth.pressureHpa) <= 1);
  assert.equal(env.temperature, Number(env.temperature.toFixed(2)));
  assert.equal(env.humidity, Number(env.humidity.toFixed(1)));
});

test('readEnv passes a driver error through', async () => {
  const { bus } = env2Rig();
  bus.faults.unplug(0x44);
  await assert.rejects(readEnv(new Sht30Driver(bus), new Bmp280Driver(bus)), code('ERR_SENSOR_NO_DEVICE'));
});

test('encodeReading: the JSON payload, stamped by the injected clock, in a fixed key order', () => {
  const text = encodeReading(INPUT, CLOCK);
  assert.equal(
    text,
    '{"deviceId":"m5go-01","seq":42,"timestamp":"2025-03-14T09:00:00.000Z","temperature":21.37,"humidity":45.2,"pressure":1013.42}',
  );
  assert.deepEqual(parseReading(text), GOOD);
});

test('encodeReading refuses what it must never publish (ERR_OPTIONS_*)', () => {
  const input = INPUT;
  assert.throws(() => encodeReading({ ...input, extra: 1 } as never, CLOCK), code('ERR_OPTIONS_UNKNOWN_KEY'));
  assert.throws(
    () => encodeReading({ ...input, temperature: Number.NaN }, CLOCK),
    code('ERR_OPTIONS_INVALID'),
  );
  assert.throws(() => encodeReading({ ...input, seq: -1 }, CLOCK), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => encodeReading({ ...input, deviceId: 'a b' }, CLOCK), code('ERR_OPTIONS_INVALID'));
});

test('parseReading accepts bytes as an MQTT message carries them, and offsets in the timestamp', () => {
  assert.deepEqual(parseReading(Buffer.from(JSON.stringify(GOOD))), GOOD);
  const withOffset = { ...GOOD, timestamp: '2025-03-14T10:00:00+01:00' };
  assert.deepEqual(parseReading(JSON.stringify(withOffset)), withOffset);
});

test('parseReading rejects an unknown key, also __proto__', () => {
  assert.throws(() => parseReading(JSON.stringify({ ...GOOD, rssi: -60 })), reason('unknown-key'));
  const proto = JSON.stringify(GOOD).replace('{', '{"__proto__":{"admin":true},');
  assert.throws(() => parseReading(proto), reason('unknown-key'));
});

test('parseReading rejects a missing key, a wrong type or an impossible value, naming the path', () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ ...GOOD, temperature: '21.37' }, 'temperature'],
    [{ ...GOOD, seq: 1.5 }, 'seq'],
    [{ ...GOOD, seq: 2 ** 32 }, 'seq'],
    [{ ...GOOD, humidity: 100.1 }, 'humidity'],
    [{ ...GOOD, pressure: 1200 }, 'pressure'],
    [{ ...GOOD, temperature: -41 }, 'temperature'],
    [{ ...GOOD, timestamp: '14/03/2025 09:00' }, 'timestamp'],
    [{ ...GOOD, deviceId: '' }, 'deviceId'],
    [{ ...GOOD, deviceId: '../etc' }, 'deviceId'],
    [Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== 'pressure')), 'pressure'],
  ];
  for (const [value, path] of bad) {
    assert.throws(
      () => parseReading(JSON.stringify(value)),
      (err) => reason('invalid')(err) && (err as { details: { path: string } }).details.path === path,
      path,
    );
  }
  assert.throws(() => parseReading('[1,2]'), reason('invalid'));
  assert.throws(() => parseReading('null'), reason('invalid'));
});

test('parseReading rejects non-JSON, non-UTF-8 and oversized payloads before parsing', () => {
  assert.throws(() => parseReading('{"deviceId":'), reason('not-json'));
  assert.throws(() => parseReading(Uint8Array.of(0x7b, 0xff, 0x7d)), reason('not-utf8'));
  const big = JSON.stringify({ ...GOOD, deviceId: 'x'.repeat(MAX_READING_BYTES) });
  assert.throws(() => parseReading(big), reason('too-large'));
  assert.throws(() => parseReading(new Uint8Array(MAX_READING_BYTES + 1)), reason('too-large'));
});

test('a parsed reading is frozen', () => {
  const r = parseReading(JSON.stringify(GOOD));
  assert.ok(Object.isFrozen(r));
});
