/** Attacks and probes that act on a running lab step and return findings with evidence. */
import { aclAttack } from './acl.js';
import { certificatesAttack } from './certificates.js';
import { downgradeAttack } from './downgrade.js';
import { floodAttack } from './flood.js';
import { HARDWARE_ATTACKS } from './hardware.js';
import { repudiationAttack } from './repudiation.js';
import { replayAttack } from './replay.js';
import { sniffAttack } from './sniff.js';
import type { Attack } from './target.js';
import { tamperAttack } from './tamper.js';

export { aclAttack } from './acl.js';
export { certificatesAttack } from './certificates.js';
export { downgradeAttack } from './downgrade.js';
export { floodAttack } from './flood.js';
export { repudiationAttack } from './repudiation.js';
export {
  flashDump,
  HARDWARE_ATTACKS,
  i2cOverwriteSlot8,
  i2cReadSlot8,
  i2cSniffBoot,
  ramKeyAfterBoot,
  secureElement,
} from './hardware.js';
export { assertLoopback, isLoopback } from './loopback.js';
export { replayAttack } from './replay.js';
export { sniffAttack } from './sniff.js';
export { tamperAttack } from './tamper.js';
export type {
  Attack,
  AttackerIdentities,
  AttackTarget,
  BootOptions,
  BrokerEndpoint,
  PemIdentity,
} from './target.js';

/**
 * The order `lab run` uses: passive first (the capture as the devices made it), then the
 * attempts that leave the devices running, then the ones that cut the publisher's session.
 */
export const LAB_ATTACKS: readonly Attack[] = [
  sniffAttack,
  ...HARDWARE_ATTACKS,
  certificatesAttack,
  downgradeAttack,
  aclAttack,
  repudiationAttack,
  tamperAttack,
  replayAttack,
  floodAttack,
];
