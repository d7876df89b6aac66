import type { Command } from 'commander';
import { describeCertificate } from '../../pki/inspect.js';
import type { KeyType } from '../../pki/keys.js';
import { initCa } from '../../pki/ops/init.js';
import { certificateText } from '../format.js';
import type { CliIo } from '../io.js';
import { Output } from '../io.js';
import {
  addDir,
  addForce,
  addJson,
  addKeyType,
  addSubject,
  examples,
  passphraseFrom,
  positiveNumber,
  type SubjectFlags,
  subjectFrom,
  wholeNumber,
} from '../options.js';

interface Flags extends SubjectFlags {
  dir: string;
  keyType: KeyType;
  days: number;
  pathlen?: number;
  passout?: string;
  unencrypted?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerInit(pki: Command, io: CliIo): void {
  const cmd = pki.command('init').description('create a root CA: ca.key (0600) and ca.crt, self-signed');
  addSubject(addDir(cmd));
  cmd
    .option('--days <n>', 'validity in days', positiveNumber, 3650)
    .option(
      '--pathlen <n>',
      'basicConstraints pathLenConstraint (limit on intermediates below the root)',
      wholeNumber,
    )
    .option('--passout <spec>', 'encrypt ca.key: env:VAR, file:PATH or pass:TEXT')
    .option('--unencrypted', 'write ca.key in clear (lab use; prints a warning)');
  addKeyType(cmd);
  addJson(addForce(cmd));
  cmd.addHelpText(
    'after',
    examples([
      'MQTTS_CA_PASS=s3cret mqtts-lab pki init --o "Ciel Lab" --cn "Ciel Lab CA" --passout env:MQTTS_CA_PASS',
      'mqtts-lab pki init --subject "/C=FR/O=Ciel Lab/CN=Ciel Lab CA" --key-type rsa-2048 --unencrypted',
    ]),
  );
  cmd.action(async (flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const r = await initCa({
      dir: flags.dir,
      subject: subjectFrom(flags),
      keyType: flags.keyType,
      days: flags.days,
      pathLen: flags.pathlen,
      passphrase: passphraseFrom(flags.passout, io, out),
      unencrypted: flags.unencrypted === true,
      force: flags.force === true,
    });
    for (const w of r.warnings) out.warn(w);
    const d = describeCertificate(r.certificate);
    out.result({ certPath: r.certPath, keyPath: r.keyPath, encrypted: r.encrypted, certificate: d }, () =>
      [
        `CA created`,
        `  certificate  ${r.certPath}`,
        `  key          ${r.keyPath} (0600, ${r.encrypted ? 'encrypted' : 'UNENCRYPTED'})`,
        '',
        certificateText(d),
      ].join('\n'),
    );
  });
}
