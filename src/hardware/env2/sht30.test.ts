import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import type { AmbientConditions, AmbientSource } from './environment.js';
import { Sht30 } from './sht30.js';
import {
  celsiusToRaw,
  decodeAlertLimit,
  encodeAlertLimit,
  encodeWord,
  rawToCelsius,
  rawToRelativeHumidity,
  relativeHumidityToRaw,
  SHT30_COMMANDS,
  SHT30_DEFAULT_ALERT_LIMITS,
  SHT30_STATUS,
  sht30Crc8,
} from './sht30-protocol.js';

/** A room held still, without noise: the worked numbers come out exactly. */
function still(
  ambient: Partial<AmbientConditions> = {},
): AmbientSource & { set(a: Partial<AmbientConditions>): void } {
  let now: AmbientConditions = {
    temperatureC: 25,
    relativeHumidityPct: 50,
    pressureHpa: 1013.25,
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

const cmd = (code: number, ...data: number[]) => new Uint8Array([code >> 8, code & 0xff, ...data]);
const T0 = 10_000; // well after tPU

test('CRC-8 of the datasheet example: CRC(0xBEEF) = 0x92 (SHT3x-DIS Table 20)', () => {
  assert.equal(sht30Crc8([0xbe, 0xef]), 0x92);
  assert.deepEqual(encodeWord(0xbeef), [0xbe, 0xef, 0x92]);
  assert.equal(sht30Crc8([]), 0xff); // init value, nothing shifted in
});

test('conversions of §4.13 with worked numbers', () => {
  assert.equal(rawToCelsius(0x6666), 25); // 175 · 26214/65535 = 70 exactly
  assert.equal(rawToCelsius(0), -45);
  assert.equal(rawToCelsius(0xffff), 130);
  assert.equal(rawToRelativeHumidity(0xffff), 100);
  assert.equal(rawToRelativeHumidity(0x8000).toFixed(4), '50.0008');
  assert.equal(celsiusToRaw(25), 0x6666);
  assert.equal(relativeHumidityToRaw(50), 0x8000);
  assert.equal(celsiusToRaw(-60), 0, 'clamped below the range');
  assert.equal(relativeHumidityToRaw(120), 0xffff, 'clamped above the range');
  for (let c = -40; c <= 125; c += 0.37) {
    assert.ok(Math.abs(rawToCelsius(celsiusToRaw(c)) - c) <= 175 / 65535 / 2 + 1e-12);
  }
});

test('the command table holds every code of Tables 9–19 and the alert note', () => {
  const kinds = (k: string) => [...SHT30_COMMANDS].filter(([, c]) => c.kind === k).map(([code]) => code);
  assert.deepEqual(kinds('single-shot'), [0x2c06, 0x2c0d, 0x2c10, 0x2400, 0x240b, 0x2416]);
  assert.equal(kinds('periodic').length, 16); // 5 rates × 3 repeatabilities + ART
  assert.deepEqual(SHT30_COMMANDS.get(0x2737), {
    kind: 'periodic',
    repeatability: 'high',
    mps: 10,
    art: false,
  });
  assert.deepEqual(SHT30_COMMANDS.get(0x2b32), {
    kind: 'periodic',
    repeatability: 'high',
    mps: 4,
    art: true,
  });
  assert.deepEqual(
    [0xe000, 0x3093, 0x30a2, 0x306d, 0x3066, 0xf32d, 0x3041].map((c) => SHT30_COMMANDS.get(c)?.kind),
    ['fetch', 'break', 'soft-reset', 'heater', 'heater', 'read-status', 'clear-status'],
  );
  assert.equal(kinds('read-alert-limit').length, 4);
  assert.equal(kinds('write-alert-limit').length, 4);
});

test('the M5 library sequence: 0x2C06, wait, read 6 bytes = T, CRC, RH, CRC', () => {
  const s = new Sht30({ environment: still() });
  assert.equal(s.write(cmd(0x2c06), T0), true);
  const r = s.read(6, T0 + 500_000);
  assert.deepEqual([...r!], [0x66, 0x66, sht30Crc8([0x66, 0x66]), 0x80, 0x00, sht30Crc8([0x80, 0x00])]);
  assert.equal(s.read(6, T0 + 600_000), null, 'the result is given once, then no data is present');
});

test('a read before the measurement is ready is NACKed; writes are NACKed while measuring', () => {
  const s = new Sht30({ environment: still() });
  assert.equal(s.write(cmd(0x2400), T0), true); // high repeatability, no clock stretching
  assert.equal(s.read(6, T0 + 1_000), null);
  assert.equal(s.write(cmd(0xf32d), T0 + 1_000), false, 'busy measuring');
  assert.equal(s.read(6, T0 + 14_999), null);
  assert.notEqual(s.read(6, T0 + 15_000), null, 'ready after tMEAS (15 ms max, Table 4)');
  for (const [code, us] of [
    [0x2416, 4_000],
    [0x240b, 6_000],
    [0x2c10, 4_000],
  ] as const) {
    assert.equal(s.write(cmd(code), T0 + 100_000), true);
    assert.equal(s.read(6, T0 + 100_000 + us - 1), null);
    assert.notEqual(s.read(6, T0 + 100_000 + us), null);
  }
});

test('power-up: the part answers only after tPU; an empty write is an address probe', () => {
  const s = new Sht30({ environment: still(), poweredAtUs: 5_000 });
  assert.equal(s.write(new Uint8Array(0), 5_500), false);
  assert.equal(s.write(new Uint8Array(0), 6_000), true);
});

function statusOf(s: Sht30, t: number): number {
  assert.equal(s.write(cmd(0xf32d), t), true);
  const r = s.read(3, t + 10)!;
  assert.equal(r[2], sht30Crc8(r.subarray(0, 2)));
  return (r[0]! << 8) | r[1]!;
}

test('status register: power-up default 0x8010, clear, heater bit', () => {
  const s = new Sht30({ environment: still() });
  assert.equal(statusOf(s, T0), 0x8010);
  s.write(cmd(0x3041), T0 + 100);
  assert.equal(statusOf(s, T0 + 200), 0x0000);
  s.write(cmd(0x306d), T0 + 300);
  assert.equal(statusOf(s, T0 + 400), SHT30_STATUS.heaterOn);
  s.write(cmd(0x3066), T0 + 500);
  assert.equal(statusOf(s, T0 + 600), 0);
});

test('an unknown or incomplete command sets "command not processed" (Table 18 bit 1)', () => {
  const s = new Sht30({ environment: still() });
  s.write(cmd(0x3041), T0);
  assert.equal(s.write(cmd(0x2c07), T0 + 10), true, 'the address is ACKed, the command is not executed');
  assert.equal(statusOf(s, T0 + 20), SHT30_STATUS.commandFailed);
  assert.equal(statusOf(s, T0 + 40), SHT30_STATUS.commandFailed, 'reading the status keeps the flag');
  s.write(cmd(0x3066), T0 + 60); // a good command clears it
  assert.equal(statusOf(s, T0 + 80), 0);
  s.write(new Uint8Array([0x24]), T0 + 100);
  assert.equal(s.read(3, T0 + 110), null, 'no output for a rejected command');
  assert.equal(statusOf(s, T0 + 120), SHT30_STATUS.commandFailed);
});

test('the heater warms the element: T up by the modelled rise, RH down', () => {
  const s = new Sht30({ environment: still(), heaterRiseC: 3 });
  s.write(cmd(0x306d), T0);
  assert.equal(s.heaterOn, true);
  s.write(cmd(0x2400), T0 + 10);
  const r = s.read(6, T0 + 20_000)!;
  assert.equal(rawToCelsius((r[0]! << 8) | r[1]!).toFixed(1), '28.0');
  assert.ok(rawToRelativeHumidity((r[3]! << 8) | r[4]!) < 45);
});

test('soft reset: deaf for tSR, then defaults (status 0x8010, heater off)', () => {
  const s = new Sht30({ environment: still() });
  s.write(cmd(0x306d), T0);
  s.write(cmd(0x30a2), T0 + 100);
  assert.equal(s.write(cmd(0xf32d), T0 + 1_000), false);
  assert.equal(s.write(cmd(0xf32d), T0 + 1_600), true);
  assert.deepEqual([...s.read(3, T0 + 1_700)!], encodeWord(0x8010));
  assert.equal(s.heaterOn, false);
});

test('periodic mode: fetch gives each measurement once, NACK when none is new; break stops', () => {
  const s = new Sht30({ environment: still() });
  s.write(cmd(0x2130), T0); // 1 mps, high repeatability
  s.write(cmd(0xe000), T0 + 10_000);
  assert.equal(s.read(6, T0 + 10_010), null, 'first measurement not finished yet');
  s.write(cmd(0xe000), T0 + 20_000);
  assert.deepEqual([...s.read(6, T0 + 20_010)!].slice(0, 2), [0x66, 0x66]);
  s.write(cmd(0xe000), T0 + 30_000);
  assert.equal(s.read(6, T0 + 30_010), null, 'data memory cleared by the previous fetch (§4.6)');
  s.write(cmd(0xe000), T0 + 1_020_000);
  assert.notEqual(s.read(6, T0 + 1_020_010), null, 'the next second brought a new one');
  s.write(cmd(0x3093), T0 + 1_200_100); // break
  s.write(cmd(0xe000), T0 + 5_000_000);
  assert.equal(s.read(6, T0 + 5_000_010), null, 'no periodic data after break');
});

test('a single-shot command during periodic mode is refused (command status)', () => {
  const s = new Sht30({ environment: still() });
  s.write(cmd(0x3041), T0);
  s.write(cmd(0x2032), T0 + 10);
  s.write(cmd(0x2c06), T0 + 20);
  assert.equal(statusOf(s, T0 + 30) & SHT30_STATUS.commandFailed, SHT30_STATUS.commandFailed);
  assert.equal(s.read(6, T0 + 100_000), null, 'no single-shot result either');
});

test('alert limits: factory values, CRC-checked writes, tracking alert in periodic mode', () => {
  const s = new Sht30({ environment: still() });
  s.write(cmd(0xe11f), T0);
  assert.deepEqual([...s.read(3, T0 + 10)!], encodeWord(0xcd33)); // 80 %RH, 60 °C
  assert.deepEqual(decodeAlertLimit(SHT30_DEFAULT_ALERT_LIMITS.lowSet).temperatureC.toFixed(0), '-10');
  const word = encodeAlertLimit(80, 20); // high set at 20 °C: below the 25 °C room
  assert.equal(word, 0xccbe);
  const [msb, lsb, crc] = encodeWord(word);
  s.write(cmd(0x611d, msb, lsb, crc ^ 0xff), T0 + 100);
  s.write(cmd(0xe11f), T0 + 200);
  assert.deepEqual([...s.read(3, T0 + 210)!], encodeWord(0xcd33), 'bad CRC: data refused');
  assert.equal(statusOf(s, T0 + 300) & SHT30_STATUS.writeChecksumFailed, SHT30_STATUS.writeChecksumFailed);
  s.write(cmd(0x611d, msb, lsb, crc), T0 + 400);
  s.write(cmd(0xe11f), T0 + 500);
  assert.deepEqual([...s.read(3, T0 + 510)!], encodeWord(word));
  s.write(cmd(0x3041), T0 + 600);
  s.write(cmd(0x2130), T0 + 700);
  s.write(cmd(0xe000), T0 + 30_000);
  s.read(6, T0 + 30_010);
  const value = statusOf(s, T0 + 40_000);
  assert.ok(value & SHT30_STATUS.tTrackingAlert, 'T above the high set limit');
  assert.ok(value & SHT30_STATUS.alertPending);
  assert.equal(value & SHT30_STATUS.rhTrackingAlert, 0);
});

test('reads longer than the data are padded with 0xFF', () => {
  const s = new Sht30({ environment: still() });
  s.write(cmd(0xf32d), T0);
  assert.deepEqual([...s.read(5, T0 + 10)!].slice(3), [0xff, 0xff]);
});

test('options are validated: unknown keys and bad values are errors', () => {
  assert.throws(
    () => new Sht30({ environment: still(), heaterRise: 3 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  assert.throws(
    () => new Sht30({ environment: {} as never }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
});
