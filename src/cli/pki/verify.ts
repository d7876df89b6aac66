import { type Command, Option } from 'commander';
import { nameToString } from '../../pki/names.js';
import { verifyCertificateFile } from '../../pki/ops/verify.js';
import { opensslErrorFor } from '../../pki/validate.js';
import { type CliIo, Output, VerdictFailure } from '../io.js';
import { addDir, addJson, collect, examples, parseDate } from '../options.js';

interface Flags {
  dir: string;
  ca?: string;
  untrusted?: string;
  crl?: string[];
  crlCheckAll?: boolean;
  purpose: 'server' | 'client' | 'any';
  hostname?: string;
  at?: Date;
  json?: boolean;
}

export function registerVerify(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('verify')
    .argument('<cert>', 'certificate to validate (PEM or DER)')
    .description('RFC 5280 path validation that says why a path fails; exit status 1 when it does');
  addDir(cmd);
  cmd
    .option('--ca <file>', 'trusted root(s), PEM bundle (default <dir>/ca.crt)')
    .option('--untrusted <file>', 'intermediate certificates to build the path with, PEM bundle')
    .option('--crl <file>', 'CRL to check revocation against (repeatable); checks the leaf', collect)
    .option('--crl-check-all', 'check revocation of every certificate in the path, not just the leaf')
    .addOption(
      new Option('--purpose <purpose>', 'client (clientAuth), server (serverAuth) or any')
        .choices(['client', 'server', 'any'])
        .default('any'),
    )
    .option('--hostname <name>', 'DNS name or IP the certificate must be valid for (RFC 6125)')
    .option('--at <date>', 'validate at this time (ISO 8601 or epoch seconds) instead of now', parseDate);
  addJson(cmd);
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab pki verify tls/broker.crt --purpose server --hostname localhost',
      'mqtts-lab pki verify tls/m5go-01.crt --purpose client --crl tls/crl.pem',
      'mqtts-lab pki verify old.crt --ca ca.crt --at 2031-01-01T00:00:00Z --json',
    ]),
  );
  cmd.action((cert: string, flags: Flags) => {
    const out = new Output(io, flags.json === true);
    const r = verifyCertificateFile({
      dir: flags.dir,
      cert,
      ca: flags.ca,
      untrusted: flags.untrusted,
      crls: flags.crl ?? [],
      crlCheckAll: flags.crlCheckAll === true,
      purpose: flags.purpose,
      hostname: flags.hostname,
      at: flags.at,
    });
    const data = {
      file: cert,
      valid: r.valid,
      chain: r.chain.map((c) => ({ subject: nameToString(c.subject), serial: c.serial })),
      failures: r.failures.map((f) => ({ ...f, opensslError: opensslErrorFor(f.reason) })),
    };
    out.result(data, () => {
      if (r.valid) {
        const path = r.chain.map((c) => nameToString(c.subject)).join('\n    <- ');
        return `${cert}: OK\n  path: ${path}`;
      }
      return [
        `${cert}: FAILED`,
        ...r.failures.map((f) => `  ${f.reason} at depth ${f.depth} (${f.subject}): ${f.message}`),
      ].join('\n');
    });
    if (!r.valid) throw new VerdictFailure(r.failures[0]?.reason ?? 'invalid');
  });
}
