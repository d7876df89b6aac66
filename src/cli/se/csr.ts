import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../core/fs.js';
import { secureElementSigner } from '../../device/drivers/atecc608-signer.js';
import { buildName, createCsr, csrToPem, describeCsr, parseCsr, parseSan } from '../../pki/index.js';
import { csrText } from '../format.js';
import { type CliIo, Output } from '../io.js';
import {
  addForce,
  addJson,
  addSubject,
  collect,
  examples,
  type SubjectFlags,
  subjectFrom,
} from '../options.js';
import { openPart, slotOption } from './part.js';

interface Flags extends SubjectFlags {
  slot: number;
  san?: string[];
  out?: string;
  force?: boolean;
  json?: boolean;
}

export function registerCsr(se: Command, io: CliIo): void {
  const cmd = se
    .command('csr')
    .argument('<file>', 'part image')
    .description("a certificate signing request for a slot's key, signed inside the part")
    .requiredOption('--slot <n>', 'key slot (0 holds the factory key)', slotOption)
    .option('--san <name>', 'subject alternative name: DNS:host, IP:addr, URI:… (repeatable)', collect)
    .option('--out <path>', 'write the CSR (PEM) here instead of stdout');
  addSubject(cmd);
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    [
      '',
      'The public key comes from GenKey 0x00 and the request is signed by the part (Sign 0x80 over',
      'the SHA-256 of the request info): the private key never leaves the slot. Issue it with',
      '`mqtts-lab pki sign`.',
      examples([
        'mqtts-lab se csr m5stack.se --slot 0 --cn m5go-01 --out tls/m5go-01.csr',
        'mqtts-lab pki sign m5go-01 --profile device',
      ]),
    ].join('\n'),
  );
  cmd.action(async (file: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const { driver } = openPart(file, io);
    const signer = await secureElementSigner(driver, flags.slot);
    const subject = buildName(subjectFrom(flags) ?? {});
    const der = await createCsr({ subject, sans: (flags.san ?? []).map(parseSan) }, signer);
    const d = describeCsr(parseCsr(der));
    const pem = csrToPem(der);
    if (flags.out !== undefined) {
      writeFileAtomic(resolve(io.cwd, flags.out), pem, { overwrite: flags.force === true });
    }
    out.result({ slot: flags.slot, csr: d, pem }, () =>
      flags.out !== undefined ? [`CSR  ${flags.out}`, '', csrText(d)].join('\n') : pem,
    );
  });
}
