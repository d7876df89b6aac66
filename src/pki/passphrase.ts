import { readFileSync } from 'node:fs';
import { LabError } from '../core/errors.js';

export interface PassphraseSource {
  readonly passphrase: string;
  /** Set when the source is visible to other users of the machine (pass: shows in `ps`). */
  readonly warning?: string;
}

/**
 * openssl's pass-phrase arguments (openssl-passphrase-options(1)): `pass:TEXT`, `env:VAR`,
 * `file:PATH` (first line). The passphrase itself never appears in an error.
 */
export function resolvePassphrase(spec: string, env: NodeJS.ProcessEnv = process.env): PassphraseSource {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const arg = colon < 0 ? '' : spec.slice(colon + 1);
  const bad = (why: string) =>
    new LabError('ERR_PKI_PASSPHRASE_SOURCE', `passphrase source: ${why}`, { details: { kind } });
  let passphrase: string;
  let warning: string | undefined;
  switch (kind) {
    case 'pass':
      passphrase = arg;
      warning = 'a pass: passphrase is visible to every user of this machine (ps); prefer env: or file:';
      break;
    case 'env': {
      const v = env[arg];
      if (arg === '' || v === undefined) throw bad(`environment variable ${arg || '(none)'} is not set`);
      passphrase = v;
      break;
    }
    case 'file': {
      let text: string;
      try {
        text = readFileSync(arg, 'utf8');
      } catch {
        throw bad(`cannot read passphrase file ${arg}`);
      }
      passphrase = text.split(/\r?\n/)[0] ?? '';
      break;
    }
    default:
      throw bad('expected pass:TEXT, env:VAR or file:PATH');
  }
  // OpenSSL's PEM routines refuse passphrases shorter than 4 characters when encrypting.
  if (passphrase.length < 4) throw bad('the passphrase is shorter than 4 characters');
  return { passphrase, warning };
}
