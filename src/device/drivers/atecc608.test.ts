import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { Atecc608b, crc16Le, type TimingMode } from '../../hardware/atecc608b/index.js';
import { I2cBus, I2cTap, VirtualBusClock } from '../../hardware/i2c/index.js';
import { ecdsaRawToDer } from '../../pki/index.js';
import { decodeSlotKey, encodeSlotKey } from '../keys/index.js';
import { Atecc608Driver, type ResponseWait } from './atecc608.js';
import { p256PublicKeyInfo } from './atecc608-signer.js';
import { classifyAnswer, slotBlockAddress } from './atecc608-protocol.js';

function rig(
  options: {
    profile?: 'tngtls' | 'blank';
    timing?: TimingMode;
    seed?: number;
    responseWait?: ResponseWait;
  } = {},
) {
  const part = Atecc608b.create({
    profile: options.profile ?? 'tngtls',
    rng: new SeededRng(`atecc-driver-${options.seed ?? 7}`),
    timing: options.timing ?? 'typical',
  });
  const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
  bus.attach(part.i2cAddress, part);
  const driver = new Atecc608Driver(bus, part.i2cAddress, { responseWait: options.responseWait });
  return { part, bus, driver };
}

const digest = (text: string): Uint8Array => new Uint8Array(createHash('sha256').update(text).digest());

function rejects(code: string, status?: number) {
  return (err: unknown): boolean =>
    isLabError(err) && err.code === code && (status === undefined || err.details.status === status);
}

describe('Atecc608Driver: the SparkFun library over the I2C bus', () => {
  test('begin() wakes a TNGTLS part at 0x35; nothing at another address', async () => {
    const { bus, driver } = rig();
    assert.equal(driver.address, 0x35);
    assert.equal(await driver.begin(), true);
    assert.equal(await new Atecc608Driver(bus, 0x60).begin(), false);
    await assert.rejects(new Atecc608Driver(bus, 0x60).requireDevice(), rejects('ERR_SE_NO_DEVICE'));
    await assert.rejects(new Atecc608Driver(bus, 0x60).info(), rejects('ERR_SE_NO_DEVICE'));
  });

  test('readConfigZone() on TNGTLS: config and data locked, slot 0 "NOT locked", the factory policies', async () => {
    const { part, driver } = rig();
    const c = await driver.readConfigZone();
    assert.deepEqual(c.configZone, part.configZone);
    assert.deepEqual(c.serialNumber, part.serialNumber);
    assert.deepEqual([c.serialNumber[0], c.serialNumber[1]], [0x01, 0x23]);
    assert.equal(c.configLockStatus, true);
    assert.equal(c.dataOTPLockStatus, true);
    assert.equal(c.slot0LockStatus, false); // reference §4: the library reports slot 0 "NOT locked"
    assert.equal(c.slotConfig[0], 0x0085); // ATECC608B: SlotConfig[0] IsSecret, external sign
    assert.equal(c.keyConfig[0], 0x0053);
    assert.equal(c.slotConfig[10], 0x8f0f);
    assert.equal(driver.config, c);
  });

  test('a blank part reads as unlocked', async () => {
    const { driver } = rig({ profile: 'blank' });
    const c = await driver.readConfigZone();
    assert.equal(c.configLockStatus, false);
    assert.equal(c.dataOTPLockStatus, false);
  });

  test('info() answers the ATECC608B revision 00 00 60 03', async () => {
    const { driver } = rig();
    assert.deepEqual([...(await driver.info())], [0x00, 0x00, 0x60, 0x03]);
  });

  test('slot 8 takes and gives back the lab sheet key blob; slot 0 refuses Read with 0x0F', async () => {
    const { part, driver } = rig();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
    await driver.writeSlot(8, encodeSlotKey(der));
    const back = decodeSlotKey(await driver.readSlot(8, 13));
    assert.deepEqual(back.der, der);
    assert.deepEqual(
      part.readSlot(8)!.subarray(0, der.length + 2),
      encodeSlotKey(der).subarray(0, der.length + 2),
    );
    await assert.rejects(driver.read('data', slotBlockAddress(0, 0), 32), rejects('ERR_SE_STATUS', 0x0f));
    await assert.rejects(
      driver.write('data', slotBlockAddress(0, 0), new Uint8Array(32)),
      rejects('ERR_SE_STATUS', 0x0f),
    );
  });

  test('createSignature() with the slot-0 key verifies with Node crypto and with the part itself', async () => {
    const { driver } = rig();
    const publicKey = await driver.generatePublicKey(0);
    const h = digest('m5go/env 21.5 °C');
    const raw = await driver.createSignature(h, 0);
    assert.equal(raw.length, 64);
    const spki = { key: Buffer.from(p256PublicKeyInfo(publicKey)), format: 'der', type: 'spki' } as const;
    const derSig = ecdsaRawToDer(raw);
    assert.equal(verify(null, h, spki, derSig), false, 'verify(null, …) hashes again: must not match');
    assert.equal(verify('sha256', Buffer.from('m5go/env 21.5 °C'), spki, derSig), true);
    assert.equal(await driver.verifySignature(h, raw, publicKey), true);
    const tampered = raw.slice();
    tampered[10]! ^= 1;
    assert.equal(await driver.verifySignature(h, tampered, publicKey), false);
  });

  test('two signatures asked at once (a TLS handshake and a reading): each signs its own digest', async () => {
    const { driver } = rig();
    const spki = {
      key: Buffer.from(p256PublicKeyInfo(await driver.generatePublicKey(0))),
      format: 'der',
      type: 'spki',
      dsaEncoding: 'ieee-p1363',
    } as const;
    const messages = ['CertificateVerify transcript', 'm5go-01 #7 21.5 °C', 'm5go-01 #8 21.6 °C'];
    const sigs = await Promise.all(messages.map((m) => driver.createSignature(digest(m), 0)));
    messages.forEach((m, i) => assert.ok(verify('sha256', Buffer.from(m), spki, sigs[i]!), m));
  });

  test('the TNGTLS slot-0 key cannot be replaced: GenKey create is refused', async () => {
    const { driver } = rig();
    await assert.rejects(driver.createNewKeyPair(0), rejects('ERR_SE_STATUS', 0x0f));
  });

  test('sha256() through the part (SHA start/update/end, idle in between) equals Node', async () => {
    const { driver } = rig();
    const data = new Uint8Array(200).map((_, i) => (i * 7) & 0xff);
    assert.deepEqual(await driver.sha256(data), new Uint8Array(createHash('sha256').update(data).digest()));
    assert.deepEqual(await driver.sha256(new Uint8Array(0)), new Uint8Array(createHash('sha256').digest()));
  });

  test('random() gives 32 bytes; counters read and increment', async () => {
    const { driver } = rig();
    assert.equal((await driver.random()).length, 32);
    const before = await driver.counter(0, false);
    assert.equal(await driver.counter(0, true), before + 1);
  });

  test('a blank part: configure, lock config, generate a key, lock data, lock slot 8', async () => {
    const { part, driver } = rig({ profile: 'blank' });
    await driver.lockZone('config');
    assert.equal((await driver.readConfigZone()).configLockStatus, true);
    const pub = await driver.createNewKeyPair(0);
    assert.deepEqual(pub, part.publicKey(0));
    await driver.lockZone('data');
    assert.equal(part.locks.data, true);
    await driver.writeSlot(8, new Uint8Array(32).fill(0xaa));
    await driver.lockSlot(8);
    assert.equal(part.locks.slots[8], true);
    // Locking slot 8 stops writes but not reads (issue: the lab must be able to show it).
    await assert.rejects(driver.writeSlot(8, new Uint8Array(32)), rejects('ERR_SE_STATUS', 0x0f));
    assert.deepEqual((await driver.readSlot(8, 1)).subarray(0, 4), Uint8Array.of(0xaa, 0xaa, 0xaa, 0xaa));
    await assert.rejects(driver.lockZone('config'), rejects('ERR_SE_STATUS', 0x0f));
  });

  test("at 'max' timing the library's fixed delays plus 20 quick retries are too short", async () => {
    // Reference §4: the library's delays are the 508A's, shorter than the 608's maxima (Nonce
    // 7 vs 20 ms, Sign 70 vs 115 ms), and 20 retries of ~0.1 ms do not make up the difference.
    const { driver } = rig({ timing: 'max' });
    await assert.rejects(driver.createSignature(digest('x'), 0), rejects('ERR_SE_COMMUNICATION'));
    const { driver: typical } = rig({ timing: 'typical' });
    assert.equal((await typical.createSignature(digest('x'), 0)).length, 64);
  });

  test("responseWait 'poll' (CryptoAuthLib): Sign succeeds at 'max' timing, and the signature verifies", async () => {
    const { part, bus, driver } = rig({ timing: 'max', responseWait: 'poll' });
    const tap = new I2cTap(bus);
    const d = digest('CertificateVerify');
    const raw = await driver.createSignature(d, 0);
    assert.equal(raw.length, 64);
    const spki = {
      key: Buffer.from(p256PublicKeyInfo(await driver.generatePublicKey(0))),
      format: 'der',
      type: 'spki',
      dsaEncoding: 'ieee-p1363',
    } as const;
    assert.ok(verify('sha256', Buffer.from('CertificateVerify'), spki, raw));
    // The part NACKed reads while it executed (ATECC608B datasheet §7.3): the driver polled.
    const nacked = tap.records().filter((t) => t.direction === 'read' && !t.ack).length;
    assert.ok(nacked > 0, 'no busy NACK was polled through');
    assert.equal(part.i2cAddress, driver.address);
  });

  test("responseWait 'poll' gives up after the command's maximum execution time", async () => {
    // A part that takes commands and never answers: busy forever.
    const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
    bus.attach(0x35, { write: () => true, read: () => null });
    const tap = new I2cTap(bus);
    const driver = new Atecc608Driver(bus, 0x35, { responseWait: 'poll' });
    /** Bus time from the end of the last command write to the start of the last (NACKed) poll. */
    const waited = (): number => {
      const records = tap.records();
      const command = records.findLast(
        (t) => t.direction === 'write' && t.address === 0x35 && t.bytes[0] === 0x03,
      )!;
      const lastPoll = records.findLast((t) => t.direction === 'read')!;
      assert.equal(lastPoll.ack, false);
      return lastPoll.timeUs - (command.timeUs + command.durationUs);
    };
    await assert.rejects(driver.info(), rejects('ERR_SE_COMMUNICATION'));
    const infoUs = waited();
    await assert.rejects(driver.createSignature(digest('x'), 0), rejects('ERR_SE_COMMUNICATION'));
    const nonceUs = waited();
    // Info's bound is 5 ms, Nonce's 20 ms (CryptoAuthLib's 608 table): the last poll is at the
    // bound, not one interval (2 ms) past it, and the driver stops there.
    assert.ok(infoUs >= 4_900 && infoUs < 5_000 + 2_000, `info waited ${infoUs} µs`);
    assert.ok(nonceUs >= 19_900 && nonceUs < 20_000 + 2_000, `nonce waited ${nonceUs} µs`);
  });

  test('responseWait must be one of the two waits', () => {
    const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
    assert.throws(
      () => new Atecc608Driver(bus, 0x35, { responseWait: 'sleep' as ResponseWait }),
      (e: unknown) => isLabError(e, 'ERR_OPTIONS_INVALID'),
    );
    assert.equal(new Atecc608Driver(bus).responseWait, 'sparkfun-delays');
  });

  test('a bit error on a response is a communication error, not wrong data', async () => {
    const { bus, driver } = rig();
    // Byte 5 of the first read that carries one: the 32-byte chunk of the Read answer (the
    // 4-byte wake group is too short to be hit).
    bus.faults.flipBit({ direction: 'read', byte: 5, bit: 0, address: 0x35 });
    await assert.rejects(driver.read('config', 0, 32), rejects('ERR_SE_COMMUNICATION'));
    assert.equal((await driver.read('config', 0, 32)).length, 32, 'the next read is clean');
  });

  test('a bit error on the command is caught by the part (0xFF) and surfaced', async () => {
    const { bus, driver } = rig();
    await driver.begin();
    bus.faults.flipBit({ direction: 'write', byte: 3, bit: 2, address: 0x35 });
    await assert.rejects(driver.info(), rejects('ERR_SE_STATUS', 0xff));
  });

  test('an unplugged part: no device', async () => {
    const { bus, driver } = rig();
    bus.faults.unplug(0x35);
    await assert.rejects(driver.readConfigZone(), rejects('ERR_SE_NO_DEVICE'));
  });

  test('the tap sees what a logic analyser on the bus would: wake, 0x03 + Read packet, chunked reply, idle', async () => {
    const { bus, driver } = rig();
    const tap = new I2cTap(bus);
    await driver.readSlot(8, 1);
    const t = tap.records();
    const general = t.findIndex((x) => x.address === 0x00);
    assert.ok(general >= 0, 'a general call wakes the part');
    const cmd = t.find((x) => x.direction === 'write' && x.bytes[0] === 0x03)!;
    // count 7, Read, zone data | 32 bytes, address 0x0040 little-endian (reference §2.4)
    assert.deepEqual([...cmd.bytes.subarray(0, 6)], [0x03, 0x07, 0x02, 0x82, 0x40, 0x00]);
    const reads = t
      .filter((x) => x.direction === 'read' && x.ack && x.address === 0x35)
      .map((x) => x.bytes.length);
    assert.deepEqual(reads.slice(-2), [32, 3]); // 35 bytes as 32 + 3 without a rewind
    assert.deepEqual([...t.at(-1)!.bytes], [0x02]);
    tap.detach();
  });
});

describe('classifyAnswer', () => {
  test('a status group inside a longer read surfaces the status', () => {
    const group = new Uint8Array(35).fill(0xff);
    group.set([0x04, 0x0f, ...crc16Le(Uint8Array.of(0x04, 0x0f))]);
    assert.deepEqual(classifyAnswer(group, 35), { kind: 'status', status: 0x0f });
    group[1] = 0x00; // the CRC no longer matches
    assert.deepEqual(classifyAnswer(group, 35), { kind: 'garbled', reason: 'crc', received: 35 });
  });
  test('a valid group of the wrong length is a count failure', () => {
    const group = Uint8Array.of(0x07, 1, 2, 3, 4, ...crc16Le(Uint8Array.of(0x07, 1, 2, 3, 4)));
    assert.equal(classifyAnswer(group, 35).kind, 'garbled');
    assert.deepEqual(classifyAnswer(group, 7), { kind: 'payload', payload: Uint8Array.of(1, 2, 3, 4) });
  });
  test('a short read is garbled', () => {
    assert.equal(classifyAnswer(Uint8Array.of(0x23), 35).kind, 'garbled');
  });
});
