import type { Command } from 'commander';
import { describeCsr } from '../../pki/inspect.js';
import type { KeyType } from '../../pki/keys.js';
import { requestCertificate } from '../../pki/ops/request.js';
import { csrText } from '../format.js';
import { type CliIo, Output } from '../io.js';
import {
  addDir,
  addForce,
  addJson,
  addKeyType,
  addSubject,
  collect,
  examples,
  passphraseFrom,
  type SubjectFlags,
  subjectFrom,
} from '../options.js';

interface Flags extends SubjectFlags {
  dir: string;
  keyType: KeyType;
  san?: string[];
  passout?: string;
  force?: boolean;
  json?: boolean;
}

export function registerRequest(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('request')
    .argument('<name>', 'file name stem: writes <dir>/<name>.key and <dir>/<name>.csr')
    .description('make a private key and a certificate signing request (openssl genrsa + openssl req -new)');
  addSubject(addDir(cmd));
  cmd
    .option(
      '--san <name>',
      'subject alternative name to request: DNS:host, IP:addr, URI:..., email:... (repeatable)',
      collect,
    )
    .option(
      '--passout <spec>',
      'encrypt the key: env:VAR, file:PATH or pass:TEXT (brokers and devices usually need it in clear)',
    );
  addKeyType(cmd);
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab pki request dupont-broker --o "Ciel Dupont" --ou "iot Dupont" --cn "$(hostname)" --key-type rsa-2048',
      'mqtts-lab pki request dupont-client --o "Ciel Dupont" --cn localhost',
      'mqtts-lab pki request m5go-01 --cn m5go-01 --san DNS:m5go-01.lab',
    ]),
  );
  cmd.action(async (name: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const r = await requestCertificate({
      dir: flags.dir,
      name,
      subject: subjectFrom(flags),
      sans: flags.san ?? [],
      keyType: flags.keyType,
      passphrase: passphraseFrom(flags.passout, io, out),
      force: flags.force === true,
    });
    const d = describeCsr(r.csr);
    out.result({ keyPath: r.keyPath, csrPath: r.csrPath, csr: d }, () =>
      [`key  ${r.keyPath} (0600)`, `CSR  ${r.csrPath}`, '', csrText(d)].join('\n'),
    );
  });
}
