import type { Clock } from '../../core/clock.js';
import { SeededRng } from '../../core/rng.js';
import { Atecc608b, type TimingMode } from '../../hardware/atecc608b/index.js';
import { I2cBus, VirtualBusClock } from '../../hardware/i2c/index.js';
import {
  buildName,
  certificateToPem,
  createCsr,
  createRootCa,
  generatePrivateKey,
  issueCertificate,
  keySigner,
  type KeyType,
  parseCsr,
  PROFILES,
  type Signer,
} from '../../pki/index.js';
import { Atecc608Driver } from '../drivers/atecc608.js';
import { secureElementSigner } from '../drivers/atecc608-signer.js';

/** A TNGTLS part on a bench bus (virtual time) and the Signer over its slot 0, as Step 4's firmware has it. */
export async function seBench(seed = 'signed-readings', timing: TimingMode = 'typical') {
  const part = Atecc608b.create({ rng: new SeededRng(seed), timing });
  const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
  bus.attach(part.i2cAddress, part);
  const driver = new Atecc608Driver(bus, part.i2cAddress);
  const signer = await secureElementSigner(driver, 0);
  return { part, bus, driver, signer };
}

/**
 * The lab CA and certificates issued from CSRs: `issue(signer, cn)` certifies whatever key
 * the signer holds (the chip's slot 0 included: its CSR is signed inside the chip).
 */
export async function labCa(clock?: Clock) {
  const ca = await createRootCa({
    subject: { O: 'Ciel Lab', CN: 'Ciel Lab CA' },
    keyType: 'p256',
    ...(clock ? { clock } : {}),
  });
  const issue = async (signer: Signer, cn: string, validity: { notBefore?: Date; notAfter?: Date } = {}) => {
    const csr = parseCsr(await createCsr({ subject: buildName({ O: 'Ciel Lab', CN: cn }) }, signer));
    const { certificate } = await issueCertificate({
      ca,
      csr,
      profile: PROFILES.device,
      ...validity,
      ...(clock ? { clock } : {}),
    });
    return certificateToPem(certificate.der);
  };
  return { ca, caPem: certificateToPem(ca.certificate.der), issue };
}

/** A signer over a key made in this process: someone else's key, never the chip's. */
export async function softwareSigner(type: KeyType = 'p256'): Promise<Signer> {
  return keySigner(await generatePrivateKey(type));
}
