import { LabError } from '../../core/errors.js';
import { Atecc608Driver, ATECC_TNGTLS_ADDRESS, type ResponseWait } from '../drivers/atecc608.js';
import { slotBlockAddress } from '../drivers/atecc608-protocol.js';
import { SLOT8_BLOCKS, SLOT8_BYTES } from '../keys/index.js';
import { base64Into, base64Size } from './base64.js';
import type { Board } from './board.js';
import type { SerialConsole } from './console.js';
import type { FirmwareSettings } from './flash.js';
import type { DeviceRam } from './ram.js';

const PEM_HEAD = Buffer.from('-----BEGIN PRIVATE KEY-----\n');
const PEM_TAIL = Buffer.from('\n-----END PRIVATE KEY-----\n');

/**
 * The lab sheet's Step 3 boot over the I2C bus: probe 0x35, begin(), readConfigZone(), check
 * the locks. Halts (ERR_SE_NO_DEVICE) before any network activity when the part does not answer.
 * `responseWait`: the SparkFun library's fixed delays (the lab sheet's firmware) or
 * CryptoAuthLib's polling, which also works with a part at its maximum execution times.
 */
export async function openSecureElement(
  board: Board,
  log: SerialConsole,
  responseWait: ResponseWait = 'sparkfun-delays',
): Promise<Atecc608Driver> {
  const bus = board.bus;
  // A sleeping ATECC608B NACKs every address: wake it (general call, tWHI) before the probe.
  // The lab sheet probes 0x35 directly, which finds the part only if something woke it.
  bus.write(0x00);
  await bus.sleep(1500);
  if (!bus.write(ATECC_TNGTLS_ADDRESS).ack) {
    log.println('Error: secure element not found at 0x35. Halting.');
    throw new LabError(
      'ERR_SE_NO_DEVICE',
      'no ATECC608 answers at 0x35: the device halts before any network activity',
      { details: { address: ATECC_TNGTLS_ADDRESS } },
    );
  }
  log.println('ATECC608 detected at 0x35.');
  const se = new Atecc608Driver(bus, ATECC_TNGTLS_ADDRESS, { responseWait });
  if (!(await se.begin())) {
    log.println('Error: ATECC608 did not answer the wake-up. Halting.');
    throw new LabError('ERR_SE_NO_DEVICE', 'the ATECC608 at 0x35 gives no valid wake reply', {
      details: { address: ATECC_TNGTLS_ADDRESS },
    });
  }
  const config = await se.readConfigZone();
  if (config.configLockStatus && config.dataOTPLockStatus) log.println('Chip locked and ready.');
  else log.println('Warning: chip not locked.');
  return se;
}

/**
 * 13 Reads of slot 8 into `slotData[416]`, the 2-byte length, base64 of the DER into `pemKey`
 * between the PEM lines — the key now sits in the firmware's RAM.
 */
export async function keyFromSlot8(
  se: Atecc608Driver,
  ram: DeviceRam,
  log: SerialConsole,
): Promise<Uint8Array> {
  const slotData = ram.allocate('slotData', SLOT8_BYTES);
  for (let b = 0; b < SLOT8_BLOCKS; b++) {
    slotData.set(await se.read('data', slotBlockAddress(8, b), 32), b * 32);
  }
  const derLen = (slotData[0]! << 8) | slotData[1]!;
  if (derLen === 0 || derLen > SLOT8_BYTES - 2) {
    log.println(`Error: slot 8 holds no key (length ${derLen}). Halting.`);
    throw new LabError('ERR_SE_KEY_FORMAT', `slot 8 length prefix ${derLen} is not a key`, {
      details: { length: derLen },
    });
  }
  const der = slotData.subarray(2, 2 + derLen);
  const pem = ram.allocate('pemKey', PEM_HEAD.length + base64Size(derLen) + PEM_TAIL.length);
  pem.set(PEM_HEAD, 0);
  const n = base64Into(der, pem.subarray(PEM_HEAD.length));
  pem.set(PEM_TAIL, PEM_HEAD.length + n);
  log.println(`Key read from slot 8: ${derLen} bytes DER.`);
  return pem;
}

/** Step 2: the PEM key compiled into the firmware, copied into a buffer like the TLS library's. */
export function keyFromFlash(settings: FirmwareSettings, ram: DeviceRam, log: SerialConsole): Uint8Array {
  const pem = Buffer.from(settings.clientKey ?? '', 'utf8');
  const buffer = ram.allocate('pemKey', pem.length);
  buffer.set(pem);
  log.println('Key loaded from flash (client_key).');
  return buffer;
}
