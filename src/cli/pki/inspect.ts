import type { Command } from 'commander';
import { LabError } from '../../core/errors.js';
import { readFileChecked } from '../../core/fs.js';
import { parseCertificates } from '../../pki/certificate.js';
import { parseCrl } from '../../pki/crl.js';
import { parseCsr } from '../../pki/csr.js';
import { describeCertificate, describeCrl, describeCsr } from '../../pki/inspect.js';
import { certificateText, crlText, csrText } from '../format.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';

export function registerInspect(pki: Command, io: CliIo): void {
  const cmd = pki
    .command('inspect')
    .argument('<file>', 'certificate (or bundle), CSR or CRL; PEM or DER')
    .description(
      "show a certificate, CSR or CRL: the lab sheet's table (O, OU, CN, algorithm, key size, valid until) and more",
    );
  addJson(cmd);
  cmd.addHelpText(
    'after',
    examples([
      'mqtts-lab pki inspect tls/ca.crt',
      'mqtts-lab pki inspect dupont-broker.csr --json',
      'mqtts-lab pki inspect tls/crl.pem',
    ]),
  );
  cmd.action((file: string, flags: { json?: boolean }) => {
    const out = new Output(io, flags.json === true);
    const bytes = readFileChecked(file);
    const text = bytes.toString('latin1');
    if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) {
      const d = describeCsr(parseCsr(bytes, file));
      return out.result(d, () => csrText(d));
    }
    if (text.includes('-----BEGIN X509 CRL-----')) {
      const d = describeCrl(parseCrl(bytes, file));
      return out.result(d, () => crlText(d));
    }
    if (text.includes('PRIVATE KEY-----') && !/-----BEGIN (TRUSTED |X509 )?CERTIFICATE-----/.test(text)) {
      // Never print key material; say what it is and stop.
      throw new LabError(
        'ERR_PEM_MALFORMED',
        `${file} is a private key; inspect shows certificates, CSRs and CRLs only`,
      );
    }
    const ds = parseCertificates(bytes, file).map(describeCertificate);
    out.result(ds.length === 1 ? ds[0] : ds, () => ds.map(certificateText).join('\n\n'));
  });
}
