import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { systemClock } from '../core/clock.js';
import { isLabError } from '../core/errors.js';
import type { StepNumber } from '../core/findings.js';
import { SeededRng } from '../core/rng.js';
import {
  Board,
  buildFirmwareFlash,
  DeviceRam,
  type FirmwareSettings,
  type RunningDevice,
  SerialConsole,
} from '../device/index.js';
import { certificateToPem, createRootCa, privateKeyToPem } from '../pki/index.js';
import { HARDWARE_ATTACKS } from './hardware.js';
import type { AttackTarget } from './target.js';

/**
 * A target with no broker and no secure element: enough for the steps where the hardware
 * attacks have nothing to act on. Anything that would need a network throws.
 */
async function stubTarget(step: StepNumber, host = '127.0.0.1'): Promise<AttackTarget> {
  const ca = await createRootCa({ subject: { CN: 'm5go-01' } });
  const settings: FirmwareSettings = {
    role: 'm5go',
    keySource: step === 1 ? 'none' : 'flash',
    mqttHost: '127.0.0.1',
    mqttPort: 1883,
    clientId: 'm5go-01',
    topic: 'm5go/env',
    ...(step === 1
      ? {}
      : {
          caCert: certificateToPem(ca.certificate.der),
          clientCert: certificateToPem(ca.certificate.der),
          clientKey: privateKeyToPem(ca.key!),
        }),
  };
  const flash = buildFirmwareFlash(settings);
  const device = {
    settings,
    console: new SerialConsole(systemClock),
    board: new Board({ flash }),
    ram: new DeviceRam(),
    status: 'running',
    haltReason: undefined,
    link: undefined,
    publisher: undefined,
    subscriber: undefined,
    stop: async () => undefined,
  } satisfies RunningDevice;
  const target: Partial<AttackTarget> = {
    step,
    broker: { kind: 'embedded', host, port: 1, tls: step > 1, servername: 'localhost', log: () => '' },
    caCertPem: '',
    topic: 'm5go/env',
    publisher: device,
    subscriber: device,
    publisherSettings: settings,
    firmware: (over) => buildFirmwareFlash({ ...settings, ...over }),
    bootDevice: () => Promise.reject(new Error('no device boots in this test')),
    saveArtifact: (name) => name,
    rng: new SeededRng('stub'),
    clock: systemClock,
  };
  return target as AttackTarget;
}

describe('the hardware attacks where there is no hardware to attack', () => {
  test('Step 1: every finding is not-applicable, with its stable id', async () => {
    const target = await stubTarget(1);
    const findings = [];
    for (const a of HARDWARE_ATTACKS) findings.push(...(await a.run(target)));
    assert.deepEqual(
      findings.map((f) => [f.id, f.outcome]),
      [
        ['i2c/sniff-boot@1', 'not-applicable'],
        ['ram/key-after-boot@1', 'not-applicable'],
        ['flash-dump/key@1', 'not-applicable'],
        ['i2c/read-slot8@1', 'not-applicable'],
        ['i2c/overwrite-slot8@1', 'not-applicable'],
        ['se/unplugged@1', 'not-applicable'],
        ['se/wrong@1', 'not-applicable'],
      ],
    );
    const flash = findings.find((f) => f.id === 'flash-dump/key@1')!;
    // The search still ran: it says what the flash holds instead of a key.
    assert.match(flash.evidence[0]!.data, /private keys: 0\ncertificates: 0/);
    assert.match(flash.evidence[1]!.data, /mqtt_topic = m5go\/env/);
    assert.ok(findings.every((f) => f.title.fr.length > 0 && f.result.fr.length > 0));
  });

  test('Step 2: the I2C attacks find nothing at 0x35 (the probe is NACKed)', async () => {
    const target = await stubTarget(2);
    const i2c = HARDWARE_ATTACKS.filter((a) => a.name.startsWith('i2c-') || a.name === 'secure-element');
    const findings = [];
    for (const a of i2c) findings.push(...(await a.run(target)));
    assert.ok(findings.every((f) => f.outcome === 'not-applicable'));
    const read = findings.find((f) => f.id === 'i2c/read-slot8@2')!;
    assert.match(read.evidence[0]!.data, /R 0x35 {2}NACK/);
    assert.match(read.result.en, /nothing acknowledges 0x35/);
  });

  test('a target that is not on loopback is refused before anything runs', async () => {
    const target = await stubTarget(3, '192.0.2.7');
    for (const a of HARDWARE_ATTACKS) {
      await assert.rejects(a.run(target), (err) => isLabError(err, 'ERR_LAB_NOT_LOOPBACK'), a.name);
    }
  });
});
