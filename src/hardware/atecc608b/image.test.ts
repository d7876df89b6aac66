import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { join, tempDir } from '../../../test/helpers/openssl.js';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { decodeImage, encodeImage, IMAGE_SIZE } from './image.js';
import { OPCODE, STATUS } from './packet.js';
import { Atecc608b } from './part.js';
import { TestHost } from './test-host.case.js';
import { dataAddress } from './zones.js';

const malformed = (reason: string) => (err: unknown) =>
  isLabError(err, 'ERR_SE_IMAGE_MALFORMED') && err.details.reason === reason;

test('a part round-trips through its image: EEPROM, keys, locks and counters', () => {
  const part = Atecc608b.create({ rng: new SeededRng('image'), timing: 'instant' });
  const host = new TestHost(part);
  assert.equal(host.command(OPCODE.WRITE, 0x82, dataAddress(8, 2), new Uint8Array(32).fill(0x5a)).status, 0);
  assert.equal(host.command(OPCODE.LOCK, 0x22, 0).status, 0);
  host.command(OPCODE.COUNTER, 0x01, 1);
  host.command(OPCODE.COUNTER, 0x01, 1);
  const image = part.toImage();
  assert.equal(image.length, IMAGE_SIZE);
  const copy = Atecc608b.fromImage(image, { timing: 'instant' });
  assert.deepEqual(copy.toImage(), image);
  assert.deepEqual(copy.publicKey(0), part.publicKey(0));
  assert.deepEqual(copy.serialNumber, part.serialNumber);
  assert.equal(copy.locks.slots[8], true);
  assert.equal(copy.counter(1), 2);
  assert.equal(copy.profile, 'tngtls');
  const again = new TestHost(copy);
  assert.deepEqual(
    again.command(OPCODE.READ, 0x82, dataAddress(8, 2)).payload,
    new Uint8Array(32).fill(0x5a),
  );
  assert.equal(
    again.command(OPCODE.WRITE, 0x82, dataAddress(8, 2), new Uint8Array(32)).status,
    STATUS.EXECUTION_ERROR,
  );
  assert.equal(Atecc608b.fromImage(Atecc608b.create({ profile: 'blank' }).toImage()).profile, 'blank');
});

test('bad magic, version, size, checksum or fields are ERR_SE_IMAGE_MALFORMED', () => {
  const image = Atecc608b.create().toImage();
  const flip = (at: number): Uint8Array => {
    const copy = image.slice();
    copy[at]! ^= 0x01;
    return copy;
  };
  assert.throws(() => decodeImage(flip(0)), malformed('magic'));
  assert.throws(() => decodeImage(new Uint8Array(3)), malformed('magic'));
  assert.throws(() => decodeImage(flip(9)), malformed('version'));
  assert.throws(() => decodeImage(image.subarray(0, IMAGE_SIZE - 1)), malformed('size'));
  assert.throws(() => decodeImage(Uint8Array.from([...image, 0])), malformed('size'));
  // Every byte of the body is covered by the checksum: config, OTP, a key slot, a counter, the digest.
  for (const at of [16, 100, 150, 212, 1000, 1419, IMAGE_SIZE - 1])
    assert.throws(() => decodeImage(flip(at)), malformed('checksum'), `byte ${at}`);
  const { eeprom } = decodeImage(image);
  eeprom.counters[0] = 3_000_000;
  assert.throws(() => decodeImage(encodeImage({ profile: 'tngtls', eeprom })), malformed('fields'));
});

test('save writes mode 0600 atomically, refuses to replace unless asked; load reads it back', (t) => {
  const dir = tempDir(t, 'se-image-');
  const path = join(dir, 'part.se');
  const part = Atecc608b.create();
  part.save(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.throws(
    () => part.save(path),
    (err: unknown) => isLabError(err, 'ERR_FS_EXISTS'),
  );
  part.save(path, { overwrite: true });
  assert.deepEqual(Atecc608b.load(path).toImage(), part.toImage());
  writeFileSync(join(dir, 'bad.se'), 'not a part');
  assert.throws(() => Atecc608b.load(join(dir, 'bad.se')), malformed('magic'));
  assert.throws(
    () => Atecc608b.load(join(dir, 'missing.se')),
    (err: unknown) => isLabError(err, 'ERR_FS_NOT_FOUND'),
  );
});
