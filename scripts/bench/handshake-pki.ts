// The handshake benchmark's identities, made fresh for every run with the project's pki module:
// a CA, a server certificate for 127.0.0.1/localhost, a software P-256 client key, and a device
// certificate for the emulated ATECC608B's slot-0 key (the CSR is signed inside the chip).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { secureElementSigner } from '../../src/device/drivers/atecc608-signer.js';
import { ATECC_TNGTLS_ADDRESS, Atecc608Driver } from '../../src/device/drivers/atecc608.js';
import { Atecc608b } from '../../src/hardware/atecc608b/index.js';
import { I2cBus, VirtualBusClock } from '../../src/hardware/i2c/index.js';
import { SeededRng } from '../../src/core/rng.js';
import {
  buildName,
  certificateToPem,
  createCsr,
  createRootCa,
  generatePrivateKey,
  issueCertificate,
  type KeyType,
  keySigner,
  type ParsedCertificate,
  parseCsr,
  privateKeyToPem,
  PROFILES,
  type ProfileName,
  type Signer,
} from '../../src/pki/index.js';
import type { CreatedRootCa } from '../../src/pki/ca.js';

/** The chip on its own I2C bus with the bus clock the device firmware uses (virtual). */
export interface ChipRig {
  readonly part: Atecc608b;
  readonly bus: I2cBus;
  readonly driver: Atecc608Driver;
  /** The PKI's signer seam backed by slot 0 (Nonce pass-through + Sign). */
  readonly signer: Signer;
}

export interface HandshakePki {
  readonly dir: string;
  readonly ca: ParsedCertificate;
  readonly files: {
    readonly cafile: string;
    readonly serverCert: string;
    readonly serverKey: string;
  };
  /** The software client: P-256 key in this process, for our client (c) and Node's (d). */
  readonly software: { readonly certPem: string; readonly keyPem: string; readonly key: KeyObject };
  /** The device certificate for the chip's slot-0 key. */
  readonly deviceCertDer: Uint8Array;
  readonly softwareCertDer: Uint8Array;
  readonly chip: ChipRig;
}

export async function makeHandshakePki(dir: string, serverKey: KeyType): Promise<HandshakePki> {
  const ca = await createRootCa({ subject: { O: 'mqtts-lab bench', CN: 'Bench CA' }, keyType: 'p256' });
  const server = await issue(ca, 'broker', { O: 'mqtts-lab bench', CN: 'localhost' }, serverKey, [
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
  ]);
  const software = await issue(ca, 'device', { O: 'mqtts-lab bench', CN: 'm5go-sw' }, 'p256');

  // The chip as the lab's Step 4 has it: a TNGTLS part whose slot-0 key was made inside it.
  const part = Atecc608b.create({ rng: new SeededRng('bench-handshake'), timing: 'typical' });
  const bus = new I2cBus({ clock: new VirtualBusClock(1_000) });
  part.powerCycle();
  bus.attach(part.i2cAddress, part);
  // CryptoAuthLib's polling wait: with SparkFun's fixed delays Sign fails at the part's max timing.
  const driver = new Atecc608Driver(bus, ATECC_TNGTLS_ADDRESS, { responseWait: 'poll' });
  const signer = await secureElementSigner(driver, 0);
  const csr = parseCsr(
    await createCsr({ subject: buildName({ O: 'mqtts-lab bench', CN: 'm5go-se' }) }, signer),
  );
  const device = await issueCertificate({ ca, csr, profile: PROFILES.device });

  const put = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const files = {
    cafile: put('ca.crt', certificateToPem(ca.certificate.der)),
    serverCert: put('server.crt', server.certPem),
    serverKey: put('server.key', server.keyPem),
  };
  // Mosquitto started as root drops to user `mosquitto` unless told otherwise (its conf says
  // `user root`); the files stay readable to the owner only.
  chmodSync(dir, 0o700);
  return {
    dir,
    ca: ca.certificate,
    files,
    software: { certPem: software.certPem, keyPem: software.keyPem, key: software.key },
    deviceCertDer: device.certificate.der,
    softwareCertDer: software.der,
    chip: { part, bus, driver, signer },
  };
}

async function issue(
  ca: CreatedRootCa,
  profile: ProfileName,
  subject: Record<string, string>,
  keyType: KeyType,
  sans: { type: 'dns' | 'ip'; value: string }[] = [],
): Promise<{ certPem: string; keyPem: string; key: KeyObject; der: Uint8Array }> {
  const key = await generatePrivateKey(keyType);
  const csr = parseCsr(await createCsr({ subject: buildName(subject) }, keySigner(key)));
  const { certificate } = await issueCertificate({ ca, csr, profile: PROFILES[profile], sans });
  return {
    certPem: certificateToPem(certificate.der),
    keyPem: privateKeyToPem(key),
    key,
    der: certificate.der,
  };
}
