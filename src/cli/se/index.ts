import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerCreate } from './create.js';
import { registerCsr } from './csr.js';
import { registerInfo } from './info.js';
import { registerLock } from './lock.js';
import { registerMap } from './map.js';
import { registerProvision } from './provision.js';
import { registerPubkey } from './pubkey.js';
import { registerReadKey } from './read-key.js';
import { registerSign } from './sign.js';

/** `mqtts-lab se <verb> FILE …`: an emulated ATECC608B part, driven over its I2C bus. */
export function registerSe(program: Command, io: CliIo): void {
  const se = program
    .command('se')
    .description('secure element (emulated ATECC608B): create a part, inspect it, provision, lock, sign');
  for (const register of [
    registerCreate,
    registerInfo,
    registerMap,
    registerProvision,
    registerReadKey,
    registerLock,
    registerPubkey,
    registerSign,
    registerCsr,
  ]) {
    register(se, io);
  }
}
