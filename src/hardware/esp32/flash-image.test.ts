import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { buildFlashImage, listConstants, parseFlashImage } from './flash-image.js';
import { MIB } from './format.js';

const KEY_PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const CONSTANTS = {
  ca_cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  client_key: KEY_PEM,
  wifi_ssid: 'CIEL-LAB',
  mqtt_host: 'broker.lab.local',
  mqtt_topic: 'm5go/env',
  device_id: 'm5go-01',
  calibration: Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01]),
};

const malformed = (re: RegExp) => (e: unknown) =>
  isLabError(e, 'ERR_ESP32_IMAGE_MALFORMED') && re.test(String(e));

test('build → parse: the layout of an Arduino-flashed 4 MB M5Go', () => {
  const flash = buildFlashImage({ constants: CONSTANTS });
  assert.equal(flash.length, 4 * MIB);
  const view = parseFlashImage(flash);
  assert.equal(view.bootloader.offset, 0x1000);
  assert.equal(view.bootloader.sha256?.ok, true);
  assert.equal(view.partitionTable.md5?.ok, true);
  assert.equal(view.otaData?.bootPartition, 'app0');
  assert.equal(view.app.partition.label, 'app0');
  assert.equal(view.app.offset, 0x10000);
  assert.deepEqual(
    view.app.segments.map((s) => s.region),
    ['DROM', 'DRAM', 'IRAM', 'IROM'],
  );
  assert.equal(view.app.segments[0]!.loadAddress, 0x3f400020, 'rodata mapped from flash 0x10020');
  assert.equal(view.app.header.flashSizeMib, 4);
  assert.equal(view.app.description?.projectName, 'm5go-env-publisher');
  // Everything not written is erased flash.
  for (const label of ['nvs', 'app1', 'spiffs', 'coredump']) {
    const p = view.partitionTable.partitions.find((x) => x.label === label)!;
    assert.ok(
      flash.subarray(p.offset, p.offset + p.size).every((b) => b === 0xff),
      `${label} erased`,
    );
  }
  assert.ok(flash.subarray(0, 0x1000).every((b) => b === 0xff));
  assert.ok(flash.subarray(view.app.offset + view.app.length, 0x150000).every((b) => b === 0xff));
});

test('the constants come back by name, strings as text and arrays as bytes', () => {
  const view = parseFlashImage(buildFlashImage({ constants: CONSTANTS }));
  assert.deepEqual(listConstants(view), CONSTANTS);
  const key = view.app.constants.find((c) => c.name === 'client_key')!;
  assert.equal(key.kind, 'string');
  assert.ok(key.address >= 0x3f400020 && key.address < 0x3f800000);
  // The DRAM segment holds the `const char *` globals: pointers to the values.
  const dram = view.app.segments.find((s) => s.region === 'DRAM')!;
  const pointers = Array.from({ length: dram.length / 4 }, (_, i) =>
    new DataView(dram.data.buffer, dram.data.byteOffset).getUint32(4 * i, true),
  );
  assert.deepEqual(
    pointers,
    view.app.constants.map((c) => c.address),
  );
});

test('the PEM key sits in clear at its flash offset: a byte search finds it', () => {
  const flash = buildFlashImage({ constants: CONSTANTS });
  const view = parseFlashImage(flash);
  const key = view.app.constants.find((c) => c.name === 'client_key')!;
  const dump = Buffer.from(flash);
  assert.equal(dump.indexOf('-----BEGIN PRIVATE KEY-----'), key.flashOffset);
  assert.equal(dump.subarray(key.flashOffset, key.flashOffset + KEY_PEM.length).toString(), KEY_PEM);
  assert.equal(dump[key.flashOffset + KEY_PEM.length], 0, 'followed by the C string terminator');
  assert.equal(
    dump.indexOf('CIEL-LAB\0'),
    view.app.constants.find((c) => c.name === 'wifi_ssid')!.flashOffset,
  );
});

test('deterministic: the same inputs give the same bytes', () => {
  const a = buildFlashImage({ constants: CONSTANTS });
  const b = buildFlashImage({ constants: { ...CONSTANTS } });
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
  const c = buildFlashImage({ constants: CONSTANTS, app: { version: '1.0.1' } });
  assert.notDeepEqual(Buffer.from(a), Buffer.from(c));
});

test('other flash sizes, SPI settings and a factory-app layout', () => {
  const view = parseFlashImage(
    buildFlashImage({ constants: CONSTANTS, flashSize: 8 * MIB, spiMode: 'qio', spiFrequencyMhz: 80 }),
  );
  assert.equal(view.flashSize, 8 * MIB);
  assert.equal(view.app.header.spiMode, 'qio');
  assert.equal(view.app.header.flashSizeMib, 8);
  assert.equal(view.bootloader.header.spiFrequencyMhz, 80);

  const factory = parseFlashImage(
    buildFlashImage({
      constants: { device_id: 'x' },
      flashSize: 2 * MIB,
      partitions: [
        { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
        { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
        { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
      ],
    }),
  );
  assert.equal(factory.otaData, null);
  assert.equal(factory.app.partition.label, 'factory');
  assert.deepEqual(listConstants(factory), { device_id: 'x' });
});

test('content that does not fit: ERR_ESP32_IMAGE_TOO_LARGE', () => {
  const tooLarge = (e: unknown) => isLabError(e, 'ERR_ESP32_IMAGE_TOO_LARGE');
  assert.throws(() => buildFlashImage({ constants: { blob: new Uint8Array(0x140000) } }), tooLarge);
  assert.throws(
    () => buildFlashImage({ constants: {}, flashSize: 2 * MIB }),
    tooLarge,
    '4 MB scheme, 2 MB flash',
  );
  assert.throws(
    () =>
      buildFlashImage({
        constants: {},
        partitions: [{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x400000 }],
      }),
    tooLarge,
  );
});

test('options are validated: unknown keys, constant names, NUL in C strings, flash size', () => {
  assert.throws(
    () => buildFlashImage({ constants: {}, flashsize: 4 * MIB } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
  const invalid = (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID');
  assert.throws(() => buildFlashImage({ constants: { 'client-key': 'x' } }), invalid);
  assert.throws(() => buildFlashImage({ constants: { k: 'a\0b' } }), invalid);
  assert.throws(() => buildFlashImage({ constants: {}, flashSize: 3 * MIB }), invalid);
  assert.throws(() => buildFlashImage({ constants: {}, app: { projectName: 'p'.repeat(40) } }), invalid);
});

test('reading damaged dumps: size, magic, MD5, checksum; forensic mode reports instead', () => {
  const flash = buildFlashImage({ constants: CONSTANTS });
  assert.throws(() => parseFlashImage(flash.subarray(0, 3 * MIB)), malformed(/not a 1, 2, 4, 8 or 16 MiB/));

  const erasedApp = flash.slice();
  erasedApp.fill(0xff, 0x10000, 0x20000);
  assert.throws(() => parseFlashImage(erasedApp), malformed(/app partition app0: bad magic 0xff/));

  const table = flash.slice();
  table[0x8000 + 12] = table[0x8000 + 12]! ^ 1;
  assert.throws(() => parseFlashImage(table), malformed(/MD5 mismatch/));
  assert.equal(parseFlashImage(table, { strict: false }).partitionTable.md5?.ok, false);

  const key = parseFlashImage(flash).app.constants.find((c) => c.name === 'client_key')!;
  const tampered = flash.slice();
  tampered[key.flashOffset + 40] = tampered[key.flashOffset + 40]! ^ 0x20; // change one character of the key
  assert.throws(() => parseFlashImage(tampered), malformed(/checksum mismatch/));
  const loose = parseFlashImage(tampered, { strict: false });
  assert.equal(loose.app.checksum.ok, false);
  assert.equal(loose.app.sha256?.ok, false);

  const boot = flash.slice();
  boot[0x1000 + 36] = boot[0x1000 + 36]! ^ 1; // a byte of segment 0's data
  assert.throws(() => parseFlashImage(boot), malformed(/bootloader: checksum mismatch/));

  const overrun = flash.slice();
  new DataView(overrun.buffer).setUint32(0x8000 + 5 * 32 + 8, 0x20000, true); // coredump past 4 MiB
  assert.throws(
    () => parseFlashImage(overrun, { strict: false }),
    malformed(/coredump .* overruns the flash/),
  );
});
