import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { listConstants, parseFlashImage } from '../../hardware/esp32/index.js';
import { buildFirmwareFlash, type FirmwareSettings, readFirmwareFlash } from './flash.js';

const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const base: FirmwareSettings = {
  role: 'm5go',
  keySource: 'se-slot8',
  mqttHost: 'broker.lab',
  mqttPort: 8883,
  clientId: 'm5go-01',
  topic: 'm5go/env',
  caCert: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  clientCert: '-----BEGIN CERTIFICATE-----\nDEVICE\n-----END CERTIFICATE-----\n',
};
const code = (c: string) => (err: unknown) => isLabError(err, c as never);

test('the firmware reads back what it was built with; only Step 2 has the key in flash', () => {
  const step3 = buildFirmwareFlash(base);
  assert.deepEqual(readFirmwareFlash(step3), {
    ...base,
    clientKey: undefined,
    signedReadings: false,
    publisherCert: undefined,
  });
  assert.ok(!Buffer.from(step3).includes('PRIVATE KEY'));
  const step2 = buildFirmwareFlash({ ...base, keySource: 'flash', clientKey: KEY });
  assert.equal(readFirmwareFlash(step2).clientKey, KEY);
  assert.equal(listConstants(parseFlashImage(step2)).client_key, KEY);
  assert.equal(parseFlashImage(step2).app.description?.projectName, 'm5go-env-publisher');
});

test('a key source and a key that do not go together are refused', () => {
  assert.throws(() => buildFirmwareFlash({ ...base, keySource: 'flash' }), code('ERR_OPTIONS_INVALID'));
  assert.throws(() => buildFirmwareFlash({ ...base, clientKey: KEY }), code('ERR_OPTIONS_INVALID'));
});

test('signed readings: the M5Go needs the slot-0 key, the M5Stack a CA and the publisher certificate', () => {
  const PUB = '-----BEGIN CERTIFICATE-----\nPUBLISHER\n-----END CERTIFICATE-----\n';
  const m5go = buildFirmwareFlash({ ...base, keySource: 'se-slot0', signedReadings: true });
  assert.equal(readFirmwareFlash(m5go).signedReadings, true);
  assert.equal(listConstants(parseFlashImage(m5go)).signed_readings, '1');
  const m5stack = buildFirmwareFlash({ ...base, role: 'm5stack', signedReadings: true, publisherCert: PUB });
  assert.deepEqual(
    [readFirmwareFlash(m5stack).signedReadings, readFirmwareFlash(m5stack).publisherCert],
    [true, PUB],
  );
  const refused = (s: FirmwareSettings, option: string) =>
    assert.throws(
      () => buildFirmwareFlash(s),
      (err: unknown) => isLabError(err, 'ERR_OPTIONS_INVALID') && err.details.option === option,
    );
  refused({ ...base, signedReadings: true }, 'signedReadings'); // slot 8's key is not the chip's own
  refused({ ...base, role: 'm5stack', signedReadings: true }, 'publisherCert');
  refused(
    { ...base, role: 'm5stack', signedReadings: true, publisherCert: PUB, caCert: undefined },
    'caCert',
  );
  refused({ ...base, role: 'm5stack', publisherCert: PUB }, 'publisherCert');
  refused({ ...base, keySource: 'se-slot0', publisherCert: PUB, signedReadings: true }, 'publisherCert');
});

test('an image that is not firmware, or lacks a constant, is refused with a coded error', () => {
  assert.throws(
    () => readFirmwareFlash(new Uint8Array(4 * 1024 * 1024).fill(0xff)),
    code('ERR_ESP32_IMAGE_MALFORMED'),
  );
  const image = buildFirmwareFlash(base);
  const text = Buffer.from(image);
  const at = text.indexOf('8883');
  text.write('88x3', at, 'latin1'); // the constant's bytes change; the app image's SHA-256 no longer matches
  assert.throws(() => readFirmwareFlash(new Uint8Array(text)), code('ERR_ESP32_IMAGE_MALFORMED'));
});
