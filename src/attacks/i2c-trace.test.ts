import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { SeededRng } from '../core/rng.js';
import { Atecc608Driver, decodeSlotKey, provisionPart } from '../device/index.js';
import { Atecc608b } from '../hardware/atecc608b/index.js';
import { I2cBus, I2cTap, type I2cTransaction, VirtualBusClock } from '../hardware/i2c/index.js';
import { certificateToPem, createRootCa } from '../pki/index.js';
import { keysIn, statusOf, surveySlots } from './i2c-slots.js';
import { commandCounts, decodeAteccTrace, reassembleSlot, traceBytes } from './i2c-trace.js';
import { attackerKey } from './key-scalar.js';
import { findCertificates } from './key-search.js';

async function rig(
  key: KeyObject,
): Promise<{ part: Atecc608b; bus: I2cBus; tap: I2cTap; driver: Atecc608Driver }> {
  const part = Atecc608b.create({ rng: new SeededRng('trace-part') });
  await provisionPart(part, new Uint8Array(key.export({ type: 'pkcs8', format: 'der' })));
  const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
  part.powerCycle(); // moved from the provisioning jig's bus to this one, as Board does
  bus.attach(part.i2cAddress, part);
  return { part, bus, tap: new I2cTap(bus), driver: new Atecc608Driver(bus) };
}

const p256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

describe('decodeAteccTrace', () => {
  test("the firmware's 13 Reads of slot 8 reassemble into the slot, with the indices that carried them", async () => {
    const { part, tap, driver } = await rig(p256());
    await driver.readConfigZone();
    await driver.readSlot(8, 13);
    const exchanges = decodeAteccTrace(tap.records());
    assert.equal(commandCounts(exchanges), 'READ ×17');
    const slot8 = reassembleSlot(exchanges, 8);
    assert.deepEqual(
      slot8.blocks,
      Array.from({ length: 13 }, (_, i) => i),
    );
    assert.deepEqual(slot8.bytes, part.readSlot(8));
    // Every cited transaction is a write or read at 0x35 that acknowledged.
    const records = tap.records();
    assert.ok(slot8.indices.every((i) => records[i]!.address === 0x35 && records[i]!.ack));
    assert.equal(slot8.indices.length, 13 * 3, 'command + 32-byte read + 3-byte read per block');
  });

  test('a refused Read is an exchange with its status byte, and no payload bytes to search', async () => {
    const { tap, driver } = await rig(p256());
    await assert.rejects(driver.read('data', 0, 32), (err) => statusOf(err) === 0x0f);
    const [e] = decodeAteccTrace(tap.records());
    assert.equal(e?.name, 'READ');
    assert.equal(e?.status, 0x0f);
    assert.deepEqual(traceBytes([e!]), Uint8Array.of(0x0f));
  });

  test('a response with a bad CRC gives no payload; garbage records never throw', () => {
    const t = (direction: 'write' | 'read', bytes: number[]): I2cTransaction => ({
      timeUs: 0,
      durationUs: 1,
      frequencyHz: 100_000,
      direction,
      address: 0x35,
      bytes: Uint8Array.from(bytes),
      ack: true,
      faulted: false,
    });
    const bad = decodeAteccTrace([
      t('write', [3, 7, 2, 0x82, 0x40, 0, 9, 0xa4]),
      t('read', [35, ...new Array(34).fill(1)]),
    ]);
    assert.equal(bad[0]?.payload, undefined);
    const rng = new SeededRng('garbage');
    const junk = Array.from({ length: 500 }, (_, i) =>
      t(i % 3 === 0 ? 'write' : 'read', [...rng.bytes(1 + (rng.bytes(1)[0]! % 40))]),
    );
    assert.doesNotThrow(() => reassembleSlot(decodeAteccTrace(junk), 8));
  });
});

describe('surveySlots and keysIn', () => {
  test('on a TNGTLS part only slots 5, 8, 10, 11, 12 read in clear; slot 8 holds the provisioned key', async () => {
    const key = p256();
    const { driver } = await rig(key);
    const ca = await createRootCa({ subject: { CN: 'm5go-01' }, key });
    const [device] = findCertificates(Buffer.from(certificateToPem(ca.certificate.der)));
    const survey = await surveySlots(driver);
    assert.deepEqual(
      survey.filter((r) => r.status === undefined).map((r) => r.slot),
      [5, 8, 10, 11, 12],
    );
    // ATECC608B: SlotConfig.IsSecret — the refused slots answer execution error.
    assert.ok(
      survey.filter((r) => r.status !== undefined).every((r) => r.status === 0x0f && r.bytes.length === 0),
    );
    const k = keysIn(survey[8]!.bytes, device);
    assert.equal(k.match?.spkiSha256, device!.spkiSha256);
    assert.equal(k.slotKey?.der.length, 138);
    assert.equal(keysIn(survey[10]!.bytes, device).match, undefined);
  });

  test("the attacker's key is reproducible from a seed and fits the lab sheet's slot format", () => {
    const a = attackerKey(new SeededRng('attacker'));
    const b = attackerKey(new SeededRng('attacker'));
    assert.equal(a.spkiSha256, b.spkiSha256);
    const slot = new Uint8Array(416);
    slot.set([0, a.pkcs8.length], 0);
    slot.set(a.pkcs8, 2);
    assert.deepEqual(decodeSlotKey(slot).der, a.pkcs8);
  });
});
